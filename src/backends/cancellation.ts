/**
 * A hunt's caller can give up on it (its own deadline, shutdown) through `QueryRequest.signal`.
 * Whoever is waiting on its behalf (a queue, a shared query) stops waiting at once and says so the
 * same way.
 */
import { BackendError } from './backend';

/** The error for a hunt its caller cancelled before `source` answered. */
export function cancelledError(source: string, cause?: unknown): BackendError {
  return new BackendError('timeout', `The hunt was cancelled before ${source} answered.`, { cause });
}

/**
 * Settles as `work` does, or rejects with {@link cancelledError} as soon as `signal` aborts
 * (`work` itself goes on; its owner decides what to do with it).
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined, source: string): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(cancelledError(source, signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelledError(source, signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
