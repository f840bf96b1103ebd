/**
 * A worker thread's place below the event loop. Linux keeps a nice value per thread (a thread starts
 * with its creator's), so a thread can lower its own without touching the event loop's.
 */
import { getPriority, setPriority } from 'node:os';

/** Whether this thread has had its turn at lowering its nice value. */
let tried = false;

/**
 * Lowers this thread's nice value to `nice` (at most 19), once per thread; a thread already at or
 * below it keeps its own. Returns whether it was lowered now: not where the nice value cannot be set
 * (some containers), and not on later calls.
 */
export function lowerThreadNice(nice: number): boolean {
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
