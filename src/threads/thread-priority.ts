/**
 * A worker thread's place below the event loop, for the threads that do the bot's heavy work (the
 * local engine's query and loading threads, the card-rendering thread): each task first calls
 * {@link lowerPriority}, so the event loop, which answers Teams, gets a core first whenever it has
 * work.
 *
 * Linux keeps a nice value per thread (a thread starts with its creator's), so a thread can lower
 * its own without touching the event loop's. Linux's SCHED_IDLE policy is what puts a thread
 * furthest below: a core that runs only such threads counts as idle to the kernel, so whatever
 * wakes up (the bot's event loop, a process it talks to) is given that core at once instead of
 * queueing beside the bot, and waking such a thread never takes the core from the one that woke
 * it. Node has no call for it; util-linux's `chrt` sets it. But starting `chrt` from the bot forks
 * the bot, and a fork copies the page tables with the memory map locked: 1 ms at 40 MB, 60–70 ms at
 * 1–2 GB, and meanwhile every thread that maps memory waits, the event loop's collector included.
 * So each owner of such threads (the engine, the card renderer) makes a {@link ThreadsBelow} at its
 * own start, which starts one small {@link IdleSetter} while the bot is small; a thread posts its id
 * through its pool, the owner passes it on, and the setter's shell runs `chrt` (a fork of a shell,
 * not of the bot).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import { getPriority, setPriority } from 'node:os';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { Piscina } from 'piscina';

/** The message a thread posts to ask for SCHED_IDLE: its kernel thread id. */
export interface IdleRequest {
  readonly idleThread: string;
}

/** Whether this thread has had its turn at lowering its priority. */
let tried = false;

/**
 * Lowers this thread's nice value to `nice` (at most 19), once per thread; a thread already at or
 * below it keeps its own. Returns whether it was lowered now: not where the nice value cannot be set
 * (some containers), and not on later calls.
 */
function lowerThreadNice(nice: number): boolean {
  if (tried) return false;
  tried = true;
  try {
    if (getPriority() >= nice) return false;
    setPriority(Math.min(19, nice));
    return true;
  } catch {
    // Not allowed here: the thread keeps its priority.
    return false;
  }
}

/**
 * Lowers this thread's scheduling priority below the event loop's, once: its nice value at once,
 * then SCHED_IDLE, asked of its owner's {@link IdleSetter} through the pool (piscina hands a
 * thread's own messages to the pool's `message` event). Where the nice value cannot be set (some
 * containers), neither is asked.
 */
export function lowerPriority(nice: number): void {
  if (!lowerThreadNice(nice)) return;
  let thread: string;
  try {
    thread = path.basename(readlinkSync('/proc/thread-self'));
  } catch {
    // Not Linux: the nice value stands.
    return;
  }
  parentPort?.postMessage({ idleThread: thread } satisfies IdleRequest);
}

/** Whether a thread's message is an {@link IdleRequest}. */
function isIdleRequest(message: unknown): message is IdleRequest {
  return typeof message === 'object' && message !== null && typeof (message as IdleRequest).idleThread === 'string';
}

/** One `chrt --idle` per thread id read, until its input ends (so also when the bot exits). Failures are ignored: the nice value stands. */
const SETTER_SCRIPT = 'while read -r thread; do chrt --idle --pid 0 "$thread" 2>/dev/null; done';

/**
 * A shell, started once while the process is small, that puts the threads it is told of under
 * SCHED_IDLE. Where the shell cannot start, or `chrt` is missing or not allowed, threads keep the
 * nice value they set themselves. It keeps neither the process alive nor itself past the process.
 */
export class IdleSetter {
  private shell?: ChildProcess;

  constructor() {
    if (process.platform !== 'linux') return;
    const shell = spawn('sh', ['-c', SETTER_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'] });
    shell.on('error', () => this.stop());
    shell.on('exit', () => (this.shell = undefined));
    shell.stdin!.on('error', () => this.stop());
    (shell.stdin as Socket).unref();
    shell.unref();
    this.shell = shell;
  }

  /** Puts a thread under SCHED_IDLE, soon; only decimal thread ids are passed on. */
  idle(request: IdleRequest): void {
    if (/^\d{1,10}$/.test(request.idleThread)) this.shell?.stdin?.write(`${request.idleThread}\n`);
  }

  /** Ends the shell (its input ends, so it exits). */
  stop(): void {
    this.shell?.stdin?.end();
    this.shell = undefined;
  }
}

/** The nice value of the calling thread (an owner's: the event loop's), 0 where it cannot be read. */
function processNice(): number {
  try {
    return getPriority();
  } catch {
    return 0;
  }
}

/**
 * The owner's side (the engine, the card renderer): the nice value its threads take, `steps` below
 * the event loop's as it is when the owner is made (at most 19), the {@link IdleSetter} that puts
 * them under SCHED_IDLE when they run below it at all (started now, while the process is small),
 * and its pools.
 */
export class ThreadsBelow {
  /** The nice value the owner's threads pass to {@link lowerPriority}. */
  readonly nice: number;
  private setter?: IdleSetter;

  constructor(steps: number) {
    const own = processNice();
    this.nice = Math.min(19, own + steps);
    if (this.nice > own) this.setter = new IdleSetter();
  }

  /**
   * A piscina pool of threads below the event loop, their requests for SCHED_IDLE passed on to the
   * setter. Without piscina's Atomics handover: with it, an idle thread waits in `Atomics.wait`,
   * and V8 guards every wait and notify in the process with one lock, which a SCHED_IDLE thread
   * takes as it wakes; preempted while it holds it, it would hold up the event loop's next task post
   * until no ordinary thread wants that core. Tasks arrive on the threads' message ports instead.
   */
  pool(options: NonNullable<ConstructorParameters<typeof Piscina>[0]>): Piscina {
    const pool = new Piscina({ ...options, atomics: 'disabled' });
    pool.on('message', (message: unknown) => {
      if (isIdleRequest(message)) this.setter?.idle(message);
    });
    return pool;
  }

  /** Ends the setter: threads started after keep only their nice value. */
  stop(): void {
    this.setter?.stop();
    this.setter = undefined;
  }
}
