/**
 * The messages an incident's close enqueues, as both store implementations enqueue them: when the
 * incident has no thread root and no opening post on its way (it died), the first reply opens the
 * thread instead of waiting for a root that will never come (re-rooting, `store.ts`).
 */
import type { IncidentFollowUp, OutboxKind, OutboxMessage } from './store';

/** A close's message with the kind it is enqueued as. */
export interface EnqueuedFollowUp extends OutboxMessage {
  readonly kind: OutboxKind;
}

/** The follow-ups as enqueued, `rootless` telling whether the incident's thread has to be opened. */
export function enqueuedFollowUps(messages: readonly IncidentFollowUp[], rootless: boolean): EnqueuedFollowUp[] {
  const opening = rootless ? messages.findIndex((message) => message.kind === 'reply') : -1;
  return messages.map((message, index) => (index === opening ? { ...message, kind: 'new-thread' } : message));
}
