/**
 * A cap on the queries a backend runs at once, with a bounded first-come-first-served queue
 * behind it (Log Analytics runs at most 5 queries per identity at once). A hunt that has to wait is
 * told through `QueryRequest.onQueued`, so its card can say "queued"; a caller that gives up while
 * queued stops waiting at once (its turn, when it comes, is passed on); a full queue refuses with
 * 'throttled' rather than letting hunts pile up. The semaphore is `async-mutex`'s.
 */
import { Semaphore } from 'async-mutex';
import { BackendError, type Backend, type QueryRequest, type QueryResult } from './backend';
import { untilAborted } from './cancellation';

/** How many queries run at once and how many may wait. */
export interface ConcurrencyLimitOptions {
  /** Queries running at once. Default 5 (Log Analytics' limit per identity). */
  readonly maxConcurrent?: number;
  /** Queries waiting at most; beyond, hunts are refused as throttled. Default 50. */
  readonly maxQueued?: number;
}

/** The defaults of {@link ConcurrencyLimitOptions}. */
export const CONCURRENCY_DEFAULTS = Object.freeze({ maxConcurrent: 5, maxQueued: 50 });

/** What a refused hunt is told to wait before trying again. */
const FULL_QUEUE_RETRY_MS = 60_000;

/**
 * One cap shared by every backend it wraps: Log Analytics' limit is per identity, so the backends of
 * several workspaces queried with the same identity share one limiter.
 */
export class ConcurrencyLimiter {
  private readonly semaphore: Semaphore;
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;
  private waiting = 0;

  constructor(options: ConcurrencyLimitOptions = {}) {
    this.maxConcurrent = options.maxConcurrent ?? CONCURRENCY_DEFAULTS.maxConcurrent;
    this.maxQueued = options.maxQueued ?? CONCURRENCY_DEFAULTS.maxQueued;
    if (!Number.isInteger(this.maxConcurrent) || this.maxConcurrent < 1) {
      throw new RangeError(`maxConcurrent must be a positive integer, not ${this.maxConcurrent}`);
    }
    if (!Number.isInteger(this.maxQueued) || this.maxQueued < 0) throw new RangeError(`maxQueued must be a whole number, not ${this.maxQueued}`);
    this.semaphore = new Semaphore(this.maxConcurrent);
  }

  /** `backend`, running its queries under this limiter's cap. */
  wrap(backend: Backend): Backend {
    return {
      kind: backend.kind,
      source: backend.source,
      dialect: backend.dialect,
      maxWindow: backend.maxWindow,
      run: (request: QueryRequest): Promise<QueryResult> => this.run(request, backend.source, () => backend.run(request)),
    };
  }

  /**
   * Runs `work` for `request` under the cap: at once when a slot is free, else queued (told to
   * `request.onQueued`), refused when the queue is full. For a backend that does part of its work
   * (waiting for data) outside the cap.
   */
  async run<T>(request: QueryRequest, source: string, work: () => Promise<T>): Promise<T> {
    const release = await this.acquire(request, source);
    try {
      return await work();
    } finally {
      release();
    }
  }

  private async acquire(request: QueryRequest, source: string): Promise<() => void> {
    const mustWait = this.semaphore.isLocked() || this.waiting > 0;
    if (!mustWait) {
      const [, release] = await this.semaphore.acquire();
      return release;
    }
    if (this.waiting >= this.maxQueued) {
      throw new BackendError('throttled', `${this.maxQueued} hunts are already waiting for ${source}; retry in 60 s.`, {
        retryAfterMs: FULL_QUEUE_RETRY_MS,
      });
    }
    const ahead = this.waiting;
    this.waiting += 1;
    const slot = this.semaphore.acquire();
    request.onQueued?.({ ahead, limit: this.maxConcurrent });
    try {
      const [, release] = await untilAborted(slot, request.signal, source);
      return release;
    } catch (error) {
      void slot.then(([, release]) => release());
      throw error;
    } finally {
      this.waiting -= 1;
    }
  }
}

/** Wraps `backend` so that at most `maxConcurrent` of its queries run at once (a limiter of its own). */
export function limitConcurrency(backend: Backend, options: ConcurrencyLimitOptions = {}): Backend {
  return new ConcurrencyLimiter(options).wrap(backend);
}
