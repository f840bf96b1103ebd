/**
 * Threads below the event loop give way to it between slices of long work (the local engine's
 * scans and loads): while the process's main thread, whose event loop answers Teams, is running or
 * waiting for a core, such a thread sleeps in short steps, up to a bound, and then goes on with one
 * more slice whatever the event loop does, so it is slowed, never stopped.
 *
 * Why, beside SCHED_IDLE (`thread-priority.ts`): SCHED_IDLE gives the event loop a core whenever it
 * wants one, but an engine busy on the other core of a small machine still slows the event loop,
 * through the caches, memory and (on a virtual machine) the host they share. On 2 vCPUs that cost
 * the acknowledgements' p99 about 1.15–1.25× even from a process of its own (README, Performance).
 * A thread that pauses for the few milliseconds the event loop works takes nothing from it.
 *
 * How a thread sees the event loop at work: Linux shows each thread's state in
 * `/proc/self/task/<id>/stat` (`R`: running or runnable; the main thread's id is the process's).
 * Opening and reading it costs about 5 µs, against a slice of about a millisecond. No file is kept
 * open, so a thread that is terminated mid-task leaves nothing behind. Where the file cannot be
 * read (not Linux), a thread never waits.
 *
 * The sleep is `Atomics.wait` on a buffer nobody notifies. V8 guards every wait and notify in the
 * process with one lock, which a starved SCHED_IDLE thread could hold (`thread-priority.ts`); but
 * only threads below the event loop wait here, and the event loop never waits or notifies (its
 * pools hand tasks over on message ports), so such a thread can hold up only its peers.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { getPriority } from 'node:os';

/** How a thread gives way. */
export interface GiveWayOptions {
  /** The kernel id of the thread to give way to. Default: the main thread (the process id). */
  readonly thread?: string;
  /** One sleep, in ms. Default 0.25. */
  readonly stepMs?: number;
  /** The most steps slept at one point before going on. Default 20 (about 6 ms, with the wake-ups). */
  readonly maxSteps?: number;
}

/** The defaults of {@link GiveWayOptions}. */
export const GIVE_WAY_DEFAULTS = Object.freeze({ stepMs: 0.25, maxSteps: 20 });

const CLOSE_PAREN = 0x29;
const RUNNING = 0x52;

/** Gives way to one thread: {@link GiveWay.between} is called between slices of work. */
export class GiveWay {
  private readonly file: string;
  private readonly stepMs: number;
  private readonly maxSteps: number;
  private readonly buffer = Buffer.alloc(1024);
  /** Never notified: `Atomics.wait` on it is a sleep. */
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));
  private readable = true;
  /** Steps slept, over all calls. */
  private sleptSteps = 0;

  constructor(options: GiveWayOptions = {}) {
    this.file = `/proc/self/task/${options.thread ?? process.pid}/stat`;
    this.stepMs = options.stepMs ?? GIVE_WAY_DEFAULTS.stepMs;
    this.maxSteps = options.maxSteps ?? GIVE_WAY_DEFAULTS.maxSteps;
  }

  /** Steps slept so far, over all calls. */
  get slept(): number {
    return this.sleptSteps;
  }

  /** Sleeps while the thread runs, at most `maxSteps` steps; returns the steps slept. */
  readonly between = (): number => {
    let steps = 0;
    while (steps < this.maxSteps && this.running()) {
      Atomics.wait(this.sleeper, 0, 0, this.stepMs);
      steps++;
    }
    this.sleptSteps += steps;
    return steps;
  };

  /** Whether the thread is running or waiting for a core; false once its state could not be read. */
  private running(): boolean {
    if (!this.readable) return false;
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      this.readable = false;
      return false;
    }
    try {
      const n = readSync(fd, this.buffer, 0, this.buffer.length, 0);
      // The state follows the command name, which is in parentheses and may hold any byte.
      const paren = this.buffer.subarray(0, n).lastIndexOf(CLOSE_PAREN);
      return paren >= 0 && this.buffer[paren + 2] === RUNNING;
    } finally {
      closeSync(fd);
    }
  }
}

/** This thread's {@link GiveWay} to the event loop, made on first use. */
let toEventLoop: GiveWay | undefined;

/** The event loop's nice value: Linux answers the thread whose id is the process's; 0 where it cannot be read. */
function eventLoopNice(): number {
  try {
    return getPriority(process.pid);
  } catch {
    return 0;
  }
}

/**
 * What a task of a thread that its owner puts at nice value `nice` calls between slices of its
 * work: {@link GiveWay.between} to the event loop (it returns the steps slept). `undefined` when that
 * is not below the event loop's nice value: then the thread takes its share of the cores like any
 * other, and slices nothing.
 */
export function giveWayBelow(nice: number): (() => number) | undefined {
  if (nice <= eventLoopNice()) return undefined;
  toEventLoop ??= new GiveWay();
  return toEventLoop.between;
}
