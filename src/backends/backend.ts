/**
 * The one interface every telemetry backend implements: run a KQL query over a time window and
 * return its rows as plain values. What a backend does with the window (a `timespan` for Log
 * Analytics, nothing for a local engine whose query filters on time itself) is its own business.
 */
import type { HuntWindow } from '../hunt/window';
import type { KqlResult, ResultColumn, ResultValue } from '../kql';

export type { ResultColumn, ResultValue };

/** The time column a query must use: Defender-shaped data (`Timestamp`) or Log Analytics (`TimeGenerated`). */
export type Dialect = 'defender' | 'loganalytics';

/** A query's result: named columns and rows as objects keyed by column name. */
export interface QueryResult extends KqlResult {
  /** Set when the service answered with only part of the result (Log Analytics `PartialFailure`). */
  readonly partial?: { readonly message: string };
}

/** What a backend is asked to run. */
export interface QueryRequest {
  /** The KQL text, built by the hunt builder (or a vetted rule). */
  readonly kql: string;
  /** The hunt window; the query filters on it too. */
  readonly window: HuntWindow;
  /** Aborts the query (deadline, shutdown). */
  readonly signal?: AbortSignal;
  /**
   * Called at most once, synchronously or soon after `run`, when the query has to wait for a free
   * slot under the backend's concurrency cap, so the hunt's card can say it is queued.
   */
  readonly onQueued?: (queue: QueuedInfo) => void;
  /** Who waits for it, under a concurrency cap: an analyst (`interactive`, the default) or a watch (`background`). */
  readonly priority?: QueryPriority;
}

/** Who is waiting for a query: an analyst (`interactive`) or a watch (`background`). */
export type QueryPriority = 'interactive' | 'background';

/** Where a waiting query stands when it is queued. */
export interface QueuedInfo {
  /** Queries waiting ahead of this one. */
  readonly ahead: number;
  /** How many queries the backend runs at once. */
  readonly limit: number;
}

/** A telemetry backend. */
export interface Backend {
  /** Configuration name: `local`, `loganalytics`, `defender`. */
  readonly kind: string;
  /** Human description of the source for cards: "local sample data", "Log Analytics workspace 1234…". */
  readonly source: string;
  /** Time column dialect of its tables. */
  readonly dialect: Dialect;
  /** The longest window it can answer. */
  readonly maxWindow: HuntWindow;
  /** Runs a query. Rejects with {@link BackendError} for failures the analyst should see. */
  run(request: QueryRequest): Promise<QueryResult>;
}

/**
 * Why a backend failed, as far as the analyst is concerned. `loading`: the data is still being
 * loaded (the local backend's first load of a large file); the same hunt will work later.
 */
export type BackendFailure = 'query' | 'auth' | 'throttled' | 'timeout' | 'unavailable' | 'loading';

/** A backend failure with a message fit for the analyst (no secrets, no stack). */
export class BackendError extends Error {
  constructor(
    readonly failure: BackendFailure,
    message: string,
    readonly options: { readonly retryAfterMs?: number; readonly cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'BackendError';
  }
}
