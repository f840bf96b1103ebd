/**
 * The local backend's engine threads: a query that runs too long, needs too much memory or is
 * abandoned is stopped, its thread replaced, and the backend keeps answering; a hunt during the
 * first load is told the data is loading; a changed file is loaded again while the previous
 * version answers; no thread keeps a version it let go.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BackendError, type Backend, type QueryResult } from '../../src/backends/backend';
import { ConcurrencyLimiter } from '../../src/backends/concurrency-limit-decorator';
import { createLocalBackend, type LocalBackendOptions } from '../../src/backends/local';
import { LocalEngine } from '../../src/backends/local-engine';
import { parseWindow } from '../../src/hunt/window';
import { niceOf, policyOf, waitChannelOf } from '../support/thread-stat';

const NOW = new Date('2024-06-10T12:00:00.000Z');
const WINDOW = parseWindow('5d')!;
const TABLE = 'DeviceFileCertificateInfo';

let dir: string;
const engines: LocalEngine[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'huntops-engine-'));
});
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

function engine(options: ConstructorParameters<typeof LocalEngine>[0]): LocalEngine {
  const made = new LocalEngine({ nice: 0, ...options });
  engines.push(made);
  return made;
}

/** `count` certificate rows, each on its own device, an hour apart. */
function writeRows(count: number, signer = 'Kaseya Holdings Inc.', name = `${TABLE}.jsonl`): void {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `dev-${i.toString().padStart(6, '0')}`;
    lines.push(JSON.stringify({ Timestamp: new Date(NOW.getTime() - (i % 100) * 3_600_000).toISOString(), DeviceId: id, DeviceName: `${id}.corp.example`, Signer: signer, SHA1: `sha-${i}`, ReportId: i }));
  }
  writeFileSync(path.join(dir, name), `${lines.join('\n')}\n`);
}

function backend(options: Partial<LocalBackendOptions>): Backend {
  return createLocalBackend({ dataDir: dir, now: () => NOW, maxWindow: parseWindow('30d')!, ...options });
}

const run = (b: Backend, kql: string, signal?: AbortSignal): Promise<QueryResult> => b.run({ kql, window: WINDOW, ...(signal ? { signal } : {}) });

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof BackendError) return e;
    throw e;
  }
  throw new Error('the query did not fail');
}

const COUNT = `${TABLE} | count`;
/** Thousands of `contains` over a hundred thousand distinct names: seconds of work in little memory. */
const SLOW = `${TABLE} | where ${Array.from({ length: 60 }, (_, g) => `(${Array.from({ length: 50 }, (_, i) => `DeviceName contains 'zz${g}q${i}'`).join(' or ')})`).join(' or ')} | count`;

describe('local engine threads', () => {
  test('a query that runs too long is stopped as a timeout, its thread replaced, and the next query answers', async () => {
    writeRows(100_000);
    const b = backend({ engine: engine({ threads: 1, queryTimeoutMs: 4000 }) });
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 100_000 }]);
    const started = performance.now();
    const error = await failure(run(b, SLOW));
    expect(error.failure).toBe('timeout');
    expect(error.message).toBe('The query ran longer than 4 s on the local engine and was stopped.');
    expect(performance.now() - started).toBeLessThan(15_000);
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 100_000 }]);
  }, 60_000);

  test('a query that needs more memory than a thread has fails as unavailable, and the replaced thread answers the next', async () => {
    writeRows(60_000);
    const b = backend({ engine: engine({ threads: 1, workerMemoryMb: 128 }) });
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 60_000 }]);
    const greedy = `${TABLE} | extend k = strcat(DeviceName, SHA1, DeviceId, DeviceName, SHA1, DeviceId, DeviceName, SHA1, DeviceId, DeviceName) | summarize s = make_list(k), t = make_list(strcat(k, k)), u = make_list(strcat(k, k, k))`;
    const error = await failure(run(b, `union (${greedy}), (${greedy}), (${greedy}), (${greedy})`));
    expect(error.failure).toBe('unavailable');
    expect(error.message).toBe('The query needed more memory than the local engine allows a query (128 MB); try a shorter window.');
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 60_000 }]);
  }, 60_000);

  test('an abandoned hunt stops its query at once: the only thread is free for the next one', async () => {
    writeRows(100_000);
    const b = backend({ engine: engine({ threads: 1 }) });
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 100_000 }]);
    const controller = new AbortController();
    const slow = run(b, SLOW, controller.signal);
    await sleep(300);
    controller.abort(new Error('the analyst gave up'));
    const error = await failure(slow);
    expect(error.failure).toBe('timeout');
    expect(error.message).toBe(`The hunt was cancelled before local files in ${dir} answered.`);
    // The slow query takes far longer than this on one thread: it was stopped, not left running.
    const started = performance.now();
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 100_000 }]);
    expect(performance.now() - started).toBeLessThan(4000);
  }, 60_000);

  test('a hunt during the first load is told the data is loading; once loaded it answers', async () => {
    writeRows(200_000);
    const b = backend({ engine: engine({ threads: 1 }), loadWaitMs: 0 });
    const error = await failure(run(b, COUNT));
    expect(error.failure).toBe('loading');
    expect(error.message).toMatch(/^The local data is still loading \(DeviceFileCertificateInfo.*\); hunt again in a minute\.$/);
    let answer: QueryResult | undefined;
    for (let i = 0; i < 300 && !answer; i++) {
      answer = await run(b, COUNT).catch((e: unknown) => {
        if (e instanceof BackendError && e.failure === 'loading') return undefined;
        throw e;
      });
      if (!answer) await sleep(100);
    }
    expect(answer?.rows).toEqual([{ Count: 200_000 }]);
  }, 60_000);

  test('a changed file is loaded in the background while the previous version keeps answering', async () => {
    writeRows(10);
    const b = backend({ engine: engine({ threads: 1 }), loadWaitMs: 0, reloadWaitMs: 0 });
    let answer: QueryResult | undefined;
    while (!answer) answer = await run(b, COUNT).catch(async () => sleep(50).then(() => undefined));
    expect(answer.rows).toEqual([{ Count: 10 }]);

    writeRows(150_000);
    // Not waited for: the previous version answers at once, again and again, while the new one loads.
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 10 }]);
    let counts: unknown[] = [];
    for (let i = 0; i < 300; i++) {
      counts = (await run(b, COUNT)).rows.map((r) => r['Count']);
      if (counts[0] !== 10) break;
      await sleep(50);
    }
    expect(counts).toEqual([150_000]);
  }, 60_000);

  test('no engine thread keeps a table it let go: loading threads exit when nothing loads, a new version renews the query threads', async () => {
    if (!existsSync('/proc/self/task')) return;
    // Engine threads are told apart from the process's others (libuv's pool, V8's) by their nice value.
    const base = getPriority();
    const engineThreads = (): string[] => readdirSync('/proc/self/task').filter((t) => niceOf(t) === Math.min(19, base + 3));
    /** The engine's threads, once they are `count` (threads exit a moment after they are told to). */
    const settled = async (count: number): Promise<string[]> => {
      for (let i = 0; i < 400 && engineThreads().length !== count; i++) await sleep(25);
      return engineThreads();
    };
    writeRows(10);
    const b = backend({ engine: engine({ threads: 1, loadThreads: 2, nice: 3 }) });
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 10 }]);
    const first = await settled(1);
    expect(first).toHaveLength(1);
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 10 }]);
    expect(engineThreads()).toEqual(first);

    writeRows(12);
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 12 }]);
    const second = await settled(1);
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
  }, 60_000);

  test('a changed file that cannot be read leaves the previous version answering', async () => {
    writeRows(10);
    const b = backend({ engine: engine({ threads: 1 }) });
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 10 }]);
    writeFileSync(path.join(dir, `${TABLE}.jsonl`), '{"DeviceId": 5}\n');
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 10 }]);
    writeRows(12);
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 12 }]);
  }, 60_000);

  test('a hunt waiting for a table to load holds no slot of the concurrency cap: others answer meanwhile', async () => {
    writeFileSync(path.join(dir, 'DeviceNetworkEvents.jsonl'), `${JSON.stringify({ DeviceName: 'ws-1', RemoteUrl: 'vsa.kaseya.net' })}\n`);
    const b = backend({ engine: engine({ threads: 1 }), limiter: new ConcurrencyLimiter({ maxConcurrent: 1 }) });
    expect((await run(b, 'DeviceNetworkEvents | count')).rows).toEqual([{ Count: 1 }]);
    writeRows(300_000);
    const order: string[] = [];
    const waiting = run(b, COUNT).then((r) => order.push(`certificates ${r.rows[0]!['Count']}`));
    await sleep(50);
    await run(b, 'DeviceNetworkEvents | count').then((r) => order.push(`network ${r.rows[0]!['Count']}`));
    await waiting;
    expect(order).toEqual(['network 1', 'certificates 300000']);
  }, 60_000);

  test('engine threads run `nice` steps below the process and under SCHED_IDLE, idle in their event loop; the process keeps its own priority', async () => {
    const tasks = (): string[] => readdirSync('/proc/self/task');
    if (!existsSync('/proc/self/task')) return;
    const base = getPriority();
    const before = new Set(tasks());
    writeRows(10);
    const b = backend({ engine: engine({ threads: 1, nice: 3 }) });
    expect((await run(b, COUNT)).rows).toEqual([{ Count: 10 }]);
    const started = tasks().filter((t) => !before.has(t));
    expect(started.map(niceOf)).toContain(Math.min(19, base + 3));
    const lowered = started.filter((t) => niceOf(t) === Math.min(19, base + 3));
    expect(lowered.length).toBeGreaterThan(0);
    // The nice value is the thread's own doing, at once; SCHED_IDLE follows from the engine's setter a moment later.
    for (let i = 0; i < 200 && lowered.some((t) => policyOf(t) !== 5); i++) await sleep(10);
    expect(lowered.map(policyOf)).toEqual(lowered.map(() => 5));
    expect(niceOf(String(process.pid))).toBe(base);
    expect(policyOf(String(process.pid))).toBe(0);
    // Idle, they wait for the next task in their event loop, not in Atomics.wait (see ThreadsBelow.pool).
    const waiting = () => lowered.every((t) => /epoll/.test(waitChannelOf(t)));
    for (let i = 0; i < 200 && !waiting(); i++) await sleep(10);
    expect(lowered.map(waitChannelOf)).toEqual(lowered.map(() => expect.stringMatching(/epoll/)));
  });
});
