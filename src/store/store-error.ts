/**
 * Errors the store reports for conditions its callers can act on. Anything else (a broken disk, a
 * network failure) propagates as the underlying error, or as `unavailable` where the store knows.
 */

/** Why a store call failed. */
export type StoreErrorCode =
  /** Bad input: malformed key, row key, pattern, or a spec that cannot be parsed. */
  | 'invalid'
  /** The hunt, finding, incident or item named does not exist. */
  | 'not-found'
  /** The state forbids it (a closed incident), or contention did not settle. */
  | 'conflict'
  /** The storage cannot be reached or refused the credentials. */
  | 'unavailable';

/** A store failure with a message fit for logs; it never contains a secret. */
export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}
