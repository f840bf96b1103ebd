/**
 * The outbox retry policy: defaults, and the backoff after a failed attempt.
 */
import { DEFAULT_OUTBOX_POLICY, type OutboxPolicy } from './store';
import { StoreError } from './store-error';

/** The full policy from partial options, checked. */
export function resolveOutboxPolicy(options: Partial<OutboxPolicy> = {}): OutboxPolicy {
  const policy = { ...DEFAULT_OUTBOX_POLICY, ...options };
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw new StoreError('invalid', `outbox ${name} must be a positive integer`);
  }
  return Object.freeze(policy);
}

/** Delay before the next attempt after `attempts` attempts: exponential, capped, at least `retryAfterMs`. */
export function backoffMs(policy: OutboxPolicy, attempts: number, retryAfterMs = 0): number {
  const exponent = Math.min(30, Math.max(0, attempts - 1));
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return Math.max(delay, Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? Math.ceil(retryAfterMs) : 0);
}
