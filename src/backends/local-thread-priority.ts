/**
 * The engine threads' place below the event loop: each task of a query or loading thread first
 * calls {@link lowerPriority}, so the bot gets a core first whenever it has work.
 *
 * Linux's SCHED_IDLE policy is what puts a thread furthest below: a core that runs only such
 * threads counts as idle to the kernel, so whatever wakes up (the bot's event loop, a process it
 * talks to) is given that core at once instead of queueing beside the bot. Node has no call for it;
 * util-linux's `chrt` sets it. But starting `chrt` from the bot forks the bot, and a fork copies the
 * page tables with the memory map locked: 1 ms at 40 MB, 60–70 ms at 1–2 GB, and meanwhile every
 * thread that maps memory waits, the event loop's collector included. A loading thread starts with
 * every load, when the bot is at its largest. So the engine starts one small {@link IdleSetter} at
 * its own start, while the bot is small; a thread posts its id to the engine, which passes it on,
 * and the setter's shell runs `chrt` (a fork of a shell, not of the bot).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { lowerThreadNice } from '../threads/thread-nice';

/** The message a thread posts to ask for SCHED_IDLE: its kernel thread id. */
export interface IdleRequest {
  readonly idleThread: string;
}

/**
 * Lowers this thread's scheduling priority below the event loop's, once (Linux keeps a priority
 * per thread; a thread starts with its creator's): its nice value at once, then SCHED_IDLE, asked
 * of the engine's {@link IdleSetter} through the pool (piscina hands a thread's own messages to the
 * pool's `message` event). Where the nice value cannot be set (some containers), neither is asked.
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
export function isIdleRequest(message: unknown): message is IdleRequest {
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
