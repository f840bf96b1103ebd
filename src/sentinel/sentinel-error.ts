/**
 * What can go wrong talking to Microsoft Sentinel, typed so that a card can say what to do and an
 * outbox can decide whether to try again: {@link SentinelError}.
 */

/** Which part of Sentinel a call touched; each needs its own role. */
export type SentinelArea = 'incidents' | 'watchlists';

/** The built-in role each area needs (least privilege). */
export const SENTINEL_ROLES: Readonly<Record<SentinelArea, string>> = Object.freeze({
  incidents: 'Microsoft Sentinel Responder',
  watchlists: 'Microsoft Sentinel Contributor',
});

/**
 * How a call failed:
 * - `forbidden`: 403, the identity lacks the area's role ({@link SentinelError.role});
 * - `auth`: no token, or 401;
 * - `throttled`: 429 beyond the retry budget ({@link SentinelError.retryAfterMs});
 * - `unavailable`: 5xx or the network, after the bounded retries;
 * - `timeout`: the call's deadline passed;
 * - `cancelled`: the caller aborted;
 * - `not-found`: the workspace (or Sentinel on it), or the resource the call needed, does not exist;
 * - `conflict`: the resource kept changing under the update (etag conflicts beyond the re-reads);
 * - `invalid`: the service refused the request itself (400 and the like): sending it again cannot help.
 */
export type SentinelFailure = 'forbidden' | 'auth' | 'throttled' | 'unavailable' | 'timeout' | 'cancelled' | 'not-found' | 'conflict' | 'invalid';

/** Failures that may pass without anyone changing anything. */
const TRANSIENT: ReadonlySet<SentinelFailure> = new Set(['throttled', 'unavailable', 'timeout', 'conflict']);

/** Details of a {@link SentinelError}. */
export interface SentinelErrorDetails {
  readonly area: SentinelArea;
  /** The HTTP status of the service's answer, when there was one. */
  readonly status?: number;
  /** The service's error code (`AuthorizationFailed`, `Conflict`, ...). */
  readonly code?: string;
  /** How long the service asked to wait (429). */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** A failed Sentinel call; `message` is written for the analyst and says what to do. */
export class SentinelError extends Error {
  constructor(
    readonly failure: SentinelFailure,
    message: string,
    readonly details: SentinelErrorDetails,
  ) {
    super(message, { cause: details.cause });
    this.name = 'SentinelError';
  }

  /** True when trying again later may succeed without anyone changing anything (an outbox retries these). */
  get retryable(): boolean {
    return TRANSIENT.has(this.failure);
  }

  /** The role the bot's identity needs in the area of the call (what a `forbidden` or `auth` card names). */
  get role(): string {
    return SENTINEL_ROLES[this.details.area];
  }

  /** How long to wait before trying again, when the service said. */
  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}
