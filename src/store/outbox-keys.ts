/**
 * The idempotency keys of the outbox items the store enqueues itself, the same in both
 * implementations: an escalation's Sentinel call, and the messages an incident's close enqueues.
 */

/** The key of the Sentinel item of the escalation with key `escalationKey`. */
export function sentinelKey(escalationKey: string): string {
  return `sentinel:${escalationKey}`;
}

/** The key of the `index`-th message enqueued when incident `number` was closed. */
export function closeKey(number: number, index: number): string {
  return `close:${number}:${index}`;
}
