/**
 * A cap on the queries a backend runs at once, with bounded first-come-first-served queues behind
 * it (Log Analytics runs at most 5 queries per identity at once). A hunt that has to wait is told
 * through `QueryRequest.onQueued`, so its card can say "queued"; a caller that gives up while queued
 * stops waiting at once (its turn, when it comes, is passed on); a full queue refuses with
 * 'throttled' rather than letting hunts pile up.
 *
 * Two priorities share the cap. `interactive` queries (an analyst's hunt) go first: a free slot goes
 * to the longest-waiting interactive query before any background one, and background queries never
 * make an interactive one queue. `background` queries (watches) run at most `maxBackground` at once
 * (default half the slots), so they never hold every slot: an analyst's hunt finds one free unless
 * other analysts' hunts hold them. A backend is wrapped once per priority with the same limiter.
 * The semaphores are `async-mutex`'s (its queue orders by priority, then arrival).
 */
import { Semaphore } from 'async-mutex';
import { BackendError, type Backend, type QueryPriority, type QueryRequest, type QueryResult } from './backend';
import { untilAborted } from './cancellation';

export type { QueryPriority } from './backend';

/** How many queries run at once and how many may wait. */
export interface ConcurrencyLimitOptions {
  /** Queries running at once. Default 5 (Log Analytics' limit per identity). */
  readonly maxConcurrent?: number;
  /** Queries waiting at most, per priority; beyond, queries are refused as throttled. Default 50. */
  readonly maxQueued?: number;
  /**
   * Background queries running at once, 1 to `maxConcurrent`. Default half the slots (at least 1):
   * with a single slot, a running background query does hold it.
   */
  readonly maxBackground?: number;
}

/** The defaults of {@link ConcurrencyLimitOptions}. */
export const CONCURRENCY_DEFAULTS = Object.freeze({ maxConcurrent: 5, maxQueued: 50 });

/** What a refused hunt is told to wait before trying again. */
const FULL_QUEUE_RETRY_MS = 60_000;

/** `async-mutex` serves higher numbers first. */
const RANK: Record<QueryPriority, number> = { interactive: 1, background: 0 };

type Acquired = [number, () => void];

/**
 * One cap shared by every backend it wraps: Log Analytics' limit is per identity, so the backends of
 * several workspaces queried with the same identity share one limiter.
 */
export class ConcurrencyLimiter {
  private readonly slots: Semaphore;
  private readonly backgroundSlots: Semaphore;
  private readonly maxConcurrent: number;
  private readonly maxQueued: number;
  private readonly waiting: Record<QueryPriority, number> = { interactive: 0, background: 0 };

  constructor(options: ConcurrencyLimitOptions = {}) {
    this.maxConcurrent = options.maxConcurrent ?? CONCURRENCY_DEFAULTS.maxConcurrent;
    this.maxQueued = options.maxQueued ?? CONCURRENCY_DEFAULTS.maxQueued;
    if (!Number.isInteger(this.maxConcurrent) || this.maxConcurrent < 1) {
      throw new RangeError(`maxConcurrent must be a positive integer, not ${this.maxConcurrent}`);
    }
    if (!Number.isInteger(this.maxQueued) || this.maxQueued < 0) throw new RangeError(`maxQueued must be a whole number, not ${this.maxQueued}`);
    const maxBackground = options.maxBackground ?? Math.max(1, Math.floor(this.maxConcurrent / 2));
    if (!Number.isInteger(maxBackground) || maxBackground < 1 || maxBackground > this.maxConcurrent) {
      throw new RangeError(`maxBackground must be a whole number from 1 to maxConcurrent (${this.maxConcurrent}), not ${maxBackground}`);
    }
    this.slots = new Semaphore(this.maxConcurrent);
    this.backgroundSlots = new Semaphore(maxBackground);
  }

  /** `backend`, running its queries under this limiter's cap at `priority` (default `interactive`). */
  wrap(backend: Backend, options: { readonly priority?: QueryPriority } = {}): Backend {
    const priority = options.priority ?? 'interactive';
    return {
      kind: backend.kind,
      source: backend.source,
      dialect: backend.dialect,
      maxWindow: backend.maxWindow,
      run: (request: QueryRequest): Promise<QueryResult> => this.run({ ...request, priority }, backend.source, () => backend.run(request)),
    };
  }

  /**
   * Runs `work` for `request` under the cap at the request's priority (default `interactive`): at
   * once when a slot is free, else queued (told to `request.onQueued`), refused when the queue is
   * full. For a backend that does part of its work (waiting for data) outside the cap.
   */
  async run<T>(request: QueryRequest, source: string, work: () => Promise<T>): Promise<T> {
    const release = await this.acquire(request, source, request.priority ?? 'interactive');
    try {
      return await work();
    } finally {
      release();
    }
  }

  /**
   * A slot (for background: a background slot, then a slot). When both are free they are taken at
   * once; a waiting background query queues for a slot only once it holds a background slot, so it
   * never sits on a slot it cannot use.
   */
  private take(priority: QueryPriority, free: boolean): Promise<() => void> {
    if (priority === 'interactive') return this.slots.acquire(1, RANK.interactive).then(([, release]) => release);
    const both = (background: Promise<Acquired>, slot: () => Promise<Acquired>): Promise<() => void> =>
      background.then(async ([, releaseBackground]) => {
        try {
          const [, release] = await slot();
          return () => {
            release();
            releaseBackground();
          };
        } catch (error) {
          releaseBackground();
          throw error;
        }
      });
    if (!free) return both(this.backgroundSlots.acquire(), () => this.slots.acquire(1, RANK.background));
    const background = this.backgroundSlots.acquire();
    const slot = this.slots.acquire(1, RANK.background);
    return both(background, () => slot);
  }

  private mustWait(priority: QueryPriority): boolean {
    if (this.slots.isLocked() || this.waiting.interactive > 0) return true;
    return priority === 'background' && (this.backgroundSlots.isLocked() || this.waiting.background > 0);
  }

  private async acquire(request: QueryRequest, source: string, priority: QueryPriority): Promise<() => void> {
    if (!this.mustWait(priority)) return this.take(priority, true);
    if (this.waiting[priority] >= this.maxQueued) {
      const what = priority === 'interactive' ? 'hunts' : 'background queries';
      throw new BackendError('throttled', `${this.maxQueued} ${what} are already waiting for ${source}; retry in 60 s.`, {
        retryAfterMs: FULL_QUEUE_RETRY_MS,
      });
    }
    const ahead = priority === 'interactive' ? this.waiting.interactive : this.waiting.interactive + this.waiting.background;
    this.waiting[priority] += 1;
    const slot = this.take(priority, false);
    request.onQueued?.({ ahead, limit: this.maxConcurrent });
    try {
      return await untilAborted(slot, request.signal, source);
    } catch (error) {
      void slot.then((release) => release());
      throw error;
    } finally {
      this.waiting[priority] -= 1;
    }
  }
}

/** Wraps `backend` so that at most `maxConcurrent` of its queries run at once (a limiter of its own). */
export function limitConcurrency(backend: Backend, options: ConcurrencyLimitOptions = {}): Backend {
  return new ConcurrencyLimiter(options).wrap(backend);
}
