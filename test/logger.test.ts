import { Writable } from 'node:stream';
import { createLogger, inTurn } from '../src/logger';

function capture() {
  const lines: any[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n').map((l) => JSON.parse(l)));
      done();
    },
  });
  return { lines, log: createLogger('info', stream) };
}

describe('logger', () => {
  test('one turn id on every line of a turn, including work that finishes after it', async () => {
    const { lines, log } = capture();
    let later: Promise<void> = Promise.resolve();
    inTurn(() => {
      log.info({}, 'turn started');
      later = new Promise<void>((resolve) => setTimeout(resolve, 10)).then(() => log.info({}, 'hunt finished'));
    }, 'turn-1');
    inTurn(() => log.info({}, 'another turn'), 'turn-2');
    log.info({}, 'outside any turn');
    await later;
    expect(lines.map((l) => [l.msg, l.turnId])).toEqual([
      ['turn started', 'turn-1'],
      ['another turn', 'turn-2'],
      ['outside any turn', undefined],
      ['hunt finished', 'turn-1'],
    ]);
  });

  test("a line's fields stay on that line: the next line of the same turn does not carry them", () => {
    const { lines, log } = capture();
    inTurn(() => {
      log.info({ outboxId: 'o1' }, 'posted');
      log.info({ watch: 3 }, 'watch run finished');
    }, 'turn-1');
    expect(lines).toMatchObject([
      { msg: 'posted', turnId: 'turn-1', outboxId: 'o1' },
      { msg: 'watch run finished', turnId: 'turn-1', watch: 3 },
    ]);
    expect(lines[1].outboxId).toBeUndefined();
  });

  test('secrets are redacted', () => {
    const { lines, log } = capture();
    log.info({ config: { password: 's3cret' }, headers: { authorization: 'Bearer abc' }, store: { connectionString: 'AccountKey=xyz' }, token: 't' }, 'x');
    const text = JSON.stringify(lines);
    for (const secret of ['s3cret', 'Bearer abc', 'AccountKey=xyz', '"t"']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});
