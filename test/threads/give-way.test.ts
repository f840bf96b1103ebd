/**
 * Threads below the event loop give way to it: while the thread they watch runs, they sleep in
 * steps, up to a bound; while it waits, they go on at once.
 */
import { existsSync } from 'node:fs';
import { getPriority } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { GIVE_WAY_DEFAULTS, GiveWay, giveWayBelow } from '../../src/threads/give-way';

const linux = existsSync('/proc/thread-self');

/** A thread running `code` (CommonJS, with `giveWay` the module under test), started with tsx's require hook. */
function thread(code: string, workerData?: unknown): Worker {
  const module = path.resolve(__dirname, '../../src/threads/give-way.ts');
  return new Worker(`const giveWay = require(${JSON.stringify(module)}); const { parentPort, workerData } = require('node:worker_threads'); ${code}`, {
    eval: true,
    workerData,
    execArgv: [...process.execArgv, '--require', require.resolve('tsx/cjs')],
  });
}

function message<T>(worker: Worker): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

(linux ? describe : describe.skip)('giving way', () => {
  test('to a thread that runs: sleeps the most steps, then goes on', async () => {
    const spinning = thread(`parentPort.postMessage(require('node:path').basename(require('node:fs').readlinkSync('/proc/thread-self'))); for (;;) {}`);
    try {
      const id = await message<string>(spinning);
      const giveWay = new GiveWay({ thread: id, maxSteps: 4 });
      expect(giveWay.between()).toBe(4);
      expect(giveWay.between()).toBe(4);
      expect(giveWay.slept).toBe(8);
    } finally {
      await spinning.terminate();
    }
  });

  test('to a thread that waits: goes on at once', async () => {
    const waiting = thread(`parentPort.postMessage(require('node:path').basename(require('node:fs').readlinkSync('/proc/thread-self'))); setInterval(() => {}, 60_000);`);
    try {
      const id = await message<string>(waiting);
      // Past its start-up, the thread waits in its event loop.
      await sleep(200);
      const giveWay = new GiveWay({ thread: id });
      expect(giveWay.between()).toBe(0);
      expect(giveWay.slept).toBe(0);
    } finally {
      await waiting.terminate();
    }
  });

  test('to a thread that cannot be seen: never waits', () => {
    const giveWay = new GiveWay({ thread: '2147483647' });
    expect(giveWay.between()).toBe(0);
    expect(giveWay.between()).toBe(0);
  });

  test("a thread below the event loop gives way to the process's main thread while it works, and not while it waits", async () => {
    // [0]: the main thread is busy; [1]: steps slept while it was; [2]: done.
    const shared = new Int32Array(new SharedArrayBuffer(12));
    const below = thread(
      `const flags = new Int32Array(workerData);
       const between = giveWay.giveWayBelow(require('node:os').getPriority(process.pid) + 10);
       parentPort.postMessage('ready');
       while (Atomics.load(flags, 0) === 0) {}
       Atomics.store(flags, 1, between());
       Atomics.store(flags, 2, 1);
       parentPort.on('message', () => parentPort.postMessage(between()));`,
      shared.buffer,
    );
    try {
      await message(below);
      Atomics.store(shared, 0, 1);
      const deadline = Date.now() + 10_000;
      while (Atomics.load(shared, 2) === 0 && Date.now() < deadline);
      expect(Atomics.load(shared, 2)).toBe(1);
      expect(Atomics.load(shared, 1)).toBe(GIVE_WAY_DEFAULTS.maxSteps);
      // While the main thread waits for the answer it is asleep, unless a busy machine has just
      // woken it for something else (jest's own messages): of a few asks, one finds it asleep.
      const waitingSteps: number[] = [];
      for (let ask = 0; ask < 5 && !waitingSteps.includes(0); ask++) {
        const steps = message<number>(below);
        below.postMessage('now');
        waitingSteps.push(await steps);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(waitingSteps).toContain(0);
    } finally {
      await below.terminate();
    }
  });

  test('a thread not below the event loop does not give way', () => {
    const eventLoop = getPriority(process.pid);
    expect(giveWayBelow(eventLoop)).toBeUndefined();
    expect(giveWayBelow(eventLoop - 5)).toBeUndefined();
    expect(giveWayBelow(eventLoop + 1)).toEqual(expect.any(Function));
  });
});
