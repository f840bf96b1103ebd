/**
 * Why a query did not answer, as the analyst may read it: the backend's own words (throttled,
 * timed out, refused the query) or, for anything unexpected, a generic message with a reference
 * the team finds in the log. Hunts and device checks share this one path.
 */
import { randomUUID } from 'node:crypto';
import { BackendError, type BackendFailure } from '../backends/backend';
import type { Log } from './log';
import { UserError } from './user-error';

/** A failed run. */
export interface RunFailure {
  readonly failure: BackendFailure | 'internal';
  readonly message: string;
  /** Names the log entry of an unexpected failure. */
  readonly reference?: string;
}

/** The failure `error` stands for; logged (a warning for the backend's, an error for anything else). */
export function runFailureOf(error: unknown, log: Log, fields: Record<string, unknown>): RunFailure {
  if (error instanceof BackendError) {
    log.warn({ ...fields, failure: error.failure, err: error }, 'query failed');
    return { failure: error.failure, message: error.message };
  }
  if (error instanceof UserError) return { failure: 'query', message: error.message };
  const reference = randomUUID().slice(0, 8);
  log.error({ ...fields, reference, err: error }, 'query failed unexpectedly');
  return { failure: 'internal', message: `Something went wrong on our side (reference ${reference}). The team has the details in the log.`, reference };
}
