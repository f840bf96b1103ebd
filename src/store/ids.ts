/**
 * Identifiers the store makes: random ones (hunt ids, lease tokens, audit ids) and ones derived from
 * idempotency keys, so that both implementations (and every bot instance) derive the same id from the
 * same key and a second insert collides instead of duplicating.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A new hunt id: 9 random bytes, 12 URL-safe characters (72 bits: not guessable online). */
export function newHuntId(): string {
  return randomBytes(9).toString('base64url');
}

/** A new random token (lease tokens, audit ids): 16 bytes, 22 URL-safe characters. */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The id for an idempotency key within a namespace (`exclusion`, `escalation`, `outbox`, …):
 * 22 URL-safe characters of its SHA-256, safe as an Azure Table row key.
 */
export function idFromKey(namespace: string, key: string): string {
  return createHash('sha256').update(namespace).update('\0').update(key).digest('base64url').slice(0, 22);
}
