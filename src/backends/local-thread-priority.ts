/**
 * The engine threads' place below the event loop: each task of a query or loading thread first
 * calls {@link lowerPriority}, so the bot gets a core first whenever it has work.
 */
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import path from 'node:path';
import { getPriority, setPriority } from 'node:os';

/** Whether this thread's priority has been lowered. */
let lowered = false;

/**
 * Lowers this thread's scheduling priority below the event loop's, once (Linux keeps a priority
 * per thread; a thread starts with its creator's). First Linux's SCHED_IDLE policy: a core that
 * runs only such threads counts as idle to the kernel, so whatever wakes up (the bot's event loop,
 * a process it talks to) is given that core at once instead of queueing beside the bot. Node has no
 * call for it, so util-linux's `chrt` sets it on this thread (`/proc/thread-self`). Then the nice
 * value, which is what remains where `chrt` is missing or not allowed.
 */
export function lowerPriority(nice: number): void {
  if (lowered) return;
  lowered = true;
  try {
    if (getPriority() >= nice) return;
    setPriority(Math.min(19, nice));
  } catch {
    // Not allowed here (some containers): the thread keeps its priority.
    return;
  }
  try {
    execFileSync('chrt', ['--idle', '--pid', '0', path.basename(readlinkSync('/proc/thread-self'))], { stdio: 'ignore', timeout: 5000 });
  } catch {
    // No chrt, or not allowed: the nice value stands.
  }
}
