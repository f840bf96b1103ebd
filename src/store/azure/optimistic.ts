/**
 * Optimistic concurrency against Azure Table Storage: ETag-conditional writes that lose a race
 * answer 412 (precondition failed) or 409 (already exists); the loser re-reads and tries again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../store-error';

/** The HTTP status of an Azure SDK error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** True for the answers of a lost race: 409 Conflict and 412 Precondition Failed. */
export function isContention(error: unknown): boolean {
  const status = statusOf(error);
  return status === 409 || status === 412;
}

/** True for 404 Not Found. */
export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/**
 * Runs `attempt` until it returns, retrying (after a short random pause that spreads the
 * contenders) when the service answers 409 or 412: the attempt starts over from its reads.
 */
export async function withRetries<T>(what: string, attempt: () => Promise<T>, maxAttempts = 200): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isContention(error)) throw error;
      if (tries >= maxAttempts) throw new StoreError('conflict', `${what}: contention did not settle after ${maxAttempts} attempts`);
      await sleep(Math.floor(Math.random() * Math.min(50, 2 * tries)));
    }
  }
}
