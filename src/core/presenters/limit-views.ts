/**
 * The card a request refused by a limit gets: which limit, its setting, and when to try again.
 */
import type { LimitRefusal } from '../hunt-limits';
import { notice, type NoticeView } from '../views';

/** "42 seconds", "1 minute". */
function inTime(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/** The refusal as a notice. */
export function limitView(refusal: LimitRefusal): NoticeView {
  switch (refusal.kind) {
    case 'user-rate':
      return notice(
        'Too many hunts for now',
        `You have asked for ${refusal.limit} hunts, checks, details or new watches in the last minute, the most one person may (HUNT_USER_RATE). Try again in ${inTime(refusal.retryAfterMs)}.`,
        { tone: 'warning' },
      );
    case 'conversation':
      return notice(
        'Too many hunts running here',
        `${refusal.limit} hunts, checks or details are already running in this conversation, the most HuntOps runs at once in one (HUNT_PENDING_PER_CONVERSATION). Try again when one of them has finished, usually within a minute.`,
        { tone: 'warning' },
      );
    case 'total':
      return notice(
        'HuntOps is busy',
        `${refusal.limit} hunts, checks or details are already running, the most HuntOps runs at once (HUNT_PENDING_MAX). Try again in a minute.`,
        { tone: 'warning' },
      );
  }
}
