/**
 * The SCHED_IDLE setter: a shell started with the engine and with the card renderer, while the
 * process is small, that puts the threads it is told of under SCHED_IDLE, so no `chrt` is ever
 * forked from a big bot.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { LocalEngine } from '../../src/backends/local-engine';
import { CardRenderer } from '../../src/cards/card-renderer';
import { IdleSetter } from '../../src/threads/thread-priority';
import { policyOf } from '../support/thread-stat';

const linux = existsSync('/proc/thread-self');

/**
 * This process's children that are a setter's shell. Other test files run in the same process may
 * have left some: the process's default engine is never closed, and its shell ends with the process.
 */
function setterShells(): string[] {
  const children = readdirSync('/proc/self/task').flatMap((t) => readFileSync(`/proc/self/task/${t}/children`, 'utf8').split(' ').filter(Boolean));
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('chrt --idle');
    } catch {
      return false;
    }
  });
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await sleep(10);
}

/** A thread that answers its kernel thread id and then waits until terminated. */
async function waitingThread(): Promise<{ worker: Worker; thread: string }> {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads'); parentPort.postMessage(require('node:path').basename(require('node:fs').readlinkSync('/proc/thread-self'))); setInterval(() => {}, 1000);`,
    { eval: true },
  );
  const thread = await new Promise<string>((resolve) => worker.once('message', resolve));
  return { worker, thread };
}

(linux ? describe : describe.skip)('the SCHED_IDLE setter', () => {
  test('puts a thread it is told of under SCHED_IDLE, and leaves the others as they are', async () => {
    const setter = new IdleSetter();
    const told = await waitingThread();
    const untold = await waitingThread();
    try {
      expect(policyOf(told.thread)).toBe(0);
      setter.idle({ idleThread: told.thread });
      await until(() => policyOf(told.thread) === 5);
      expect(policyOf(told.thread)).toBe(5);
      expect(policyOf(untold.thread)).toBe(0);
      expect(policyOf(String(process.pid))).toBe(0);
    } finally {
      setter.stop();
      await Promise.all([told.worker.terminate(), untold.worker.terminate()]);
    }
  });

  test('passes on only thread ids: anything else reaches no shell', async () => {
    const others = new Set(setterShells());
    const setter = new IdleSetter();
    const thread = await waitingThread();
    try {
      setter.idle({ idleThread: `${thread.thread}; kill -STOP $$` });
      setter.idle({ idleThread: `${thread.thread}\n` });
      await sleep(300);
      expect(policyOf(thread.thread)).toBe(0);
      expect(setterShells().filter((pid) => !others.has(pid))).toHaveLength(1);
    } finally {
      setter.stop();
      await thread.worker.terminate();
    }
  });

  test('an engine below the process starts its setter with itself and ends it when closed; one at the process priority starts none', async () => {
    const others = new Set(setterShells());
    const started = () => setterShells().filter((pid) => !others.has(pid));
    const level = new LocalEngine({ nice: 0 });
    expect(started()).toEqual([]);
    await level.close();
    const below = new LocalEngine({ nice: getPriority() < 19 ? 3 : 0 });
    if (getPriority() < 19) expect(started()).toHaveLength(1);
    await below.close();
    await until(() => started().length === 0);
    expect(started()).toEqual([]);
  });

  test('a card renderer starts its setter with itself and ends it when closed', async () => {
    const others = new Set(setterShells());
    const started = () => setterShells().filter((pid) => !others.has(pid));
    const renderer = new CardRenderer();
    if (getPriority() < 19) expect(started()).toHaveLength(1);
    await renderer.close();
    await until(() => started().length === 0);
    expect(started()).toEqual([]);
  });
});
