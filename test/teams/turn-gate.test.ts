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

  test('waiting work starts one stretch at a time: a turn that comes in meanwhile holds the rest back', async () => {
    const gate = new TurnGate(10_000);
    const order: string[] = [];
    const first = deferred();
    const turn = gate.turn(() => first.promise);
    const arriving = deferred();
    let second: Promise<void> | undefined;
    const work = [
      gate.whenIdle(async () => {
        order.push('stretch 1');
        // A request taken in while the first stretch runs.
        second = gate.turn(() => arriving.promise.then(() => void order.push('turn 2')));
      }),
      gate.whenIdle(async () => void order.push('stretch 2')),
      gate.idle().then(() => void order.push('stretch 3')),
    ];
    first.resolve();
    await turn;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual(['stretch 1']);
    arriving.resolve();
    await Promise.all([second, ...work]);
    expect(order).toEqual(['stretch 1', 'turn 2', 'stretch 2', 'stretch 3']);
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
