/**
 * Identical hunts share one backend query: while a query for the same KQL over the same window is
 * running, later askers wait for its answer instead of sending another; a complete answer is then
 * kept for a short while (`shareWindowMs`) for whoever asks the same again. Everyone who asked gets
 * the answer (or the same failure). Failures and partial answers are not kept. A caller that gives
 * up stops waiting at once; the shared query is cancelled only when nobody waits for it any more.
 * Put it outside `limitConcurrency` so that shared hunts take one slot.
 *
 * The askers of a shared query get its answer one per turn of the event loop. Each goes on to store
 * its result and render its card; handed the answer all at once, dozens of them would do that in
 * one stretch and hold up everything else the process does meanwhile (acknowledging new requests
 * above all), where one per turn lets that work in between.
 */
import { LRUCache } from 'lru-cache';
import type { Backend, QueryRequest, QueryResult, QueuedInfo } from './backend';
import { cancelledError, untilAborted } from './cancellation';

/** How long and how many answers are kept for sharing. */
export interface SharedHuntsOptions {
  /** How long a complete answer is handed to identical hunts. Default 60 000 ms. */
  readonly shareWindowMs?: number;
  /** Most answers kept at once (least recently used go first). Default 200. */
  readonly maxEntries?: number;
  /** The clock, in milliseconds (tests); default `performance.now`. */
  readonly now?: () => number;
}

/** The defaults of {@link SharedHuntsOptions}. */
export const SHARED_HUNTS_DEFAULTS = Object.freeze({ shareWindowMs: 60_000, maxEntries: 200 });

/** Lets waiters go one per turn of the event loop (each in its own `setImmediate`, so I/O is polled between two). */
class OnePerTurn {
  private readonly waiting: Array<() => void> = [];
  private scheduled = false;

  /** Resolves in a turn of the event loop of its own, after those asked for before. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    // An immediate set from an immediate runs in the next turn, after that turn's I/O.
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()!();
      this.schedule();
    });
  }
}

/** One backend query and everyone waiting for it. */
class SharedQuery {
  readonly answer: Promise<QueryResult>;
  private readonly controller = new AbortController();
  private readonly queuedListeners = new Set<(queue: QueuedInfo) => void>();
  private queued: QueuedInfo | undefined;
  private waiters = 0;
  private settled = false;

  constructor(
    private readonly backend: Backend,
    request: QueryRequest,
    private readonly onAbandoned: () => void,
    private readonly turns: OnePerTurn,
  ) {
    this.answer = backend.run({
      kql: request.kql,
      window: request.window,
      signal: this.controller.signal,
      onQueued: (queue) => {
        this.queued = queue;
        for (const listener of this.queuedListeners) listener(queue);
      },
    });
    this.answer.then(
      () => this.settle(),
      () => this.settle(),
    );
  }

  /** Waits for the answer on behalf of one more asker, and for this asker's turn to have it. */
  async join(request: QueryRequest): Promise<QueryResult> {
    const outcome = await this.wait(request).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    // A caller that gave up stops waiting at once; everyone else waits for their turn.
    if (!request.signal?.aborted) await this.turns.next();
    if ('error' in outcome) throw outcome.error;
    return outcome.result;
  }

  private async wait(request: QueryRequest): Promise<QueryResult> {
    this.waiters += 1;
    const onQueued = request.onQueued;
    if (onQueued) {
      this.queuedListeners.add(onQueued);
      if (this.queued) onQueued(this.queued);
    }
    try {
      return await untilAborted(this.answer, request.signal, this.backend.source);
    } finally {
      this.waiters -= 1;
      if (onQueued) this.queuedListeners.delete(onQueued);
      if (this.waiters === 0 && !this.settled) {
        this.onAbandoned();
        this.controller.abort(cancelledError(this.backend.source));
      }
    }
  }

  private settle(): void {
    this.settled = true;
    this.queuedListeners.clear();
  }
}

/** Wraps `backend` so that identical hunts share one query. */
export function shareIdenticalHunts(backend: Backend, options: SharedHuntsOptions = {}): Backend {
  const shareWindowMs = options.shareWindowMs ?? SHARED_HUNTS_DEFAULTS.shareWindowMs;
  const running = new Map<string, SharedQuery>();
  const turns = new OnePerTurn();
  const recent = new LRUCache<string, QueryResult>({
    max: options.maxEntries ?? SHARED_HUNTS_DEFAULTS.maxEntries,
    ttl: shareWindowMs,
    ttlResolution: 0,
    ...(options.now ? { perf: { now: options.now } } : {}),
  });

  function start(key: string, request: QueryRequest): SharedQuery {
    const shared: SharedQuery = new SharedQuery(
      backend,
      request,
      () => {
        if (running.get(key) === shared) running.delete(key);
      },
      turns,
    );
    running.set(key, shared);
    shared.answer.then(
      (result) => {
        if (running.get(key) === shared) running.delete(key);
        if (!result.partial && shareWindowMs > 0) recent.set(key, result);
      },
      () => {
        if (running.get(key) === shared) running.delete(key);
      },
    );
    return shared;
  }

  return {
    kind: backend.kind,
    source: backend.source,
    dialect: backend.dialect,
    maxWindow: backend.maxWindow,
    async run(request: QueryRequest): Promise<QueryResult> {
      if (request.signal?.aborted) throw cancelledError(backend.source, request.signal.reason);
      const key = `${request.window.ms}\u0000${request.kql}`;
      const kept = recent.get(key);
      if (kept) return kept;
      const shared = running.get(key) ?? start(key, request);
      return shared.join(request);
    },
  };
}
