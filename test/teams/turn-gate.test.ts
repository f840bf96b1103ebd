import { TurnGate } from '../../src/teams/turn-gate';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('TurnGate', () => {
  test('follow-up work waits until the turns being handled are answered', async () => {
    const gate = new TurnGate(10_000);
    const order: string[] = [];
    const first = deferred();
    const second = deferred();
    const turns = [gate.turn(() => first.promise.then(() => void order.push('turn 1'))), gate.turn(() => second.promise.then(() => void order.push('turn 2')))];
    const work = gate.whenIdle(async () => void order.push('hunt'));
    first.resolve();
    await turns[0];
    expect(order).toEqual(['turn 1']);
    second.resolve();
    await Promise.all([...turns, work]);
    expect(order).toEqual(['turn 1', 'turn 2', 'hunt']);
  });

  test('with no turn in progress it starts at once', async () => {
    const gate = new TurnGate(10_000);
    await expect(gate.whenIdle(async () => 'done')).resolves.toBe('done');
  });

  test('a steady stream of turns cannot starve it: it starts after the maximum delay', async () => {
    const gate = new TurnGate(20);
    const never = new Promise<void>(() => {});
    void gate.turn(() => never);
    const started = Date.now();
    await expect(gate.whenIdle(async () => 'ran')).resolves.toBe('ran');
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});
