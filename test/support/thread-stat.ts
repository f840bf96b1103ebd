/** What Linux says of one of this process's threads, from `/proc/self/task/<thread>/stat`. */
import { readFileSync } from 'node:fs';

/** A thread's `stat` fields after its name (field 3 on), or none once it has exited. */
function threadStat(thread: string): string[] | undefined {
  try {
    return readFileSync(`/proc/self/task/${thread}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  } catch {
    return undefined;
  }
}

/** A thread's nice value (field 19 of `stat`); NaN once it has exited. */
export const niceOf = (thread: string): number => Number(threadStat(thread)?.[16]);

/** A thread's scheduling policy (field 41 of `stat`): 0 SCHED_OTHER, 5 SCHED_IDLE; NaN once it has exited. */
export const policyOf = (thread: string): number => Number(threadStat(thread)?.[38]);

/** Where a sleeping thread waits in the kernel (`/proc/self/task/<thread>/wchan`: e.g. `do_epoll_wait` for an idle event loop, `futex_…` for `Atomics.wait`). */
export const waitChannelOf = (thread: string): string => {
  try {
    return readFileSync(`/proc/self/task/${thread}/wchan`, 'utf8');
  } catch {
    return '';
  }
};
