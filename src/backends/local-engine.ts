/**
 * The local engine's threads: queries and data loading run in worker threads, never on the bot's
 * event loop, which answers Teams.
 *
 * Threads come from piscina (the Node.js project's worker pool: it starts threads, replaces one
 * that dies or that it terminates, queues tasks and passes an `AbortSignal` on by terminating the
 * thread running the task). Two pools: `threads` for queries (one query per thread at a time; the
 * backend's concurrency cap sits in front, see `create-backend.ts`) and one thread for loading, so
 * a long load never holds up a query. Tables live in shared memory (`local-shared-table.ts`): a
 * query posts only their handles.
 *
 * A query that runs longer than `queryTimeoutMs` is stopped (its thread terminated and replaced)
 * and fails as a `timeout`; a query whose caller gives up (`signal`) is stopped the same way; a
 * query that needs more heap than `workerMemoryMb` kills its thread (replaced) and fails as
 * `unavailable`. The thread running a query that crashes is replaced too, and the error thrown as
 * it is (an internal error). Threads are niced (`nice`, Linux: per thread), so the event loop wins
 * the CPU whenever it wants it; idle threads do not keep the process alive.
 *
 * The thread entry is `local-engine-worker` beside this file: compiled JavaScript in production,
 * TypeScript under ts-jest or tsx, loaded through tsx's require hook when the process does not
 * already have a TypeScript loader.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { BackendError, type QueryResult } from './backend';
import { cancelledError } from './cancellation';
import type { LoadAnswer, LoadTask, QueryAnswer, QueryTask } from './local-engine-worker';
import type { SharedTable } from './local-shared-table';

/** How the engine runs. */
export interface LocalEngineOptions {
  /** Query threads, so queries at once. Default: one less than the cores, at least 1. */
  readonly threads?: number;
  /** A query running longer is stopped and fails as a timeout. Default 60 000 ms. */
  readonly queryTimeoutMs?: number;
  /** Heap of each engine thread (the tables are outside it, in shared memory). Default 1024 MB. */
  readonly workerMemoryMb?: number;
  /** Added to the engine threads' nice value (lower priority than the event loop). Default 10. */
  readonly nice?: number;
}

/** The defaults of {@link LocalEngineOptions}. */
export const LOCAL_ENGINE_DEFAULTS = Object.freeze({
  threads: Math.max(1, availableParallelism() - 1),
  queryTimeoutMs: 60_000,
  workerMemoryMb: 1024,
  nice: 10,
});

/** A query for {@link LocalEngine.query}. */
export interface EngineQuery {
  readonly kql: string;
  readonly now: Date;
  readonly shiftMs: number;
  readonly tables: readonly SharedTable[];
  /** The caller gives up. */
  readonly signal?: AbortSignal;
  /** Names the source in a cancellation message. */
  readonly source: string;
}

/** How far a load is. */
export interface LoadProgressReport {
  readonly bytes: number;
  readonly totalBytes: number;
  readonly rows: number;
}

const WORKER = path.join(__dirname, `local-engine-worker${path.extname(__filename)}`);

/** Node options for the threads: the process's own, plus tsx's require hook when the entry is TypeScript and no loader is there. */
function workerExecArgv(): string[] | undefined {
  if (!WORKER.endsWith('.ts') || process.execArgv.some((arg) => arg.includes('tsx'))) return undefined;
  return [...process.execArgv, '--require', require.resolve('tsx/cjs')];
}

/** Query and load threads. */
export class LocalEngine {
  readonly threads: number;
  readonly queryTimeoutMs: number;
  readonly workerMemoryMb: number;
  private readonly nice: number;
  private queryPool?: Piscina;
  private loadPool?: Piscina;

  constructor(options: LocalEngineOptions = {}) {
    this.threads = options.threads ?? LOCAL_ENGINE_DEFAULTS.threads;
    this.queryTimeoutMs = options.queryTimeoutMs ?? LOCAL_ENGINE_DEFAULTS.queryTimeoutMs;
    this.workerMemoryMb = options.workerMemoryMb ?? LOCAL_ENGINE_DEFAULTS.workerMemoryMb;
    this.nice = options.nice ?? LOCAL_ENGINE_DEFAULTS.nice;
    if (!Number.isInteger(this.threads) || this.threads < 1) throw new RangeError(`threads must be a positive integer, not ${this.threads}`);
  }

  private pool(name: 'query' | 'load'): Piscina {
    const threads = name === 'query' ? this.threads : 1;
    const make = () =>
      new Piscina({
        filename: WORKER,
        name,
        minThreads: threads,
        maxThreads: threads,
        concurrentTasksPerWorker: 1,
        resourceLimits: { maxOldGenerationSizeMb: this.workerMemoryMb },
        ...(workerExecArgv() ? { execArgv: workerExecArgv()! } : {}),
      });
    if (name === 'query') return (this.queryPool ??= make());
    return (this.loadPool ??= make());
  }

  /** Runs a query on a query thread. Rejects with {@link BackendError} for what the analyst should see. */
  async query(query: EngineQuery): Promise<QueryResult> {
    const timeout = AbortSignal.timeout(this.queryTimeoutMs);
    const signal = query.signal ? AbortSignal.any([query.signal, timeout]) : timeout;
    const task: QueryTask = { kql: query.kql, now: query.now.getTime(), shiftMs: query.shiftMs, tables: query.tables, nice: this.nice };
    let answer: QueryAnswer;
    try {
      answer = (await this.pool('query').run(task, { name: 'query', signal })) as QueryAnswer;
    } catch (error) {
      if (query.signal?.aborted) throw cancelledError(query.source, query.signal.reason);
      if (timeout.aborted) {
        throw new BackendError('timeout', `The query ran longer than ${this.queryTimeoutMs / 1000} s on the local engine and was stopped.`, { cause: error });
      }
      if ((error as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        throw new BackendError('unavailable', `The query needed more memory than the local engine allows a query (${this.workerMemoryMb} MB); try a shorter window.`, {
          cause: error,
        });
      }
      throw error;
    }
    if (!answer.ok) throw new BackendError('query', answer.kqlError);
    return answer.result;
  }

  /** Loads a table on the loading thread, reporting progress. */
  async load(task: Omit<LoadTask, 'progress' | 'nice'>, onProgress?: (progress: LoadProgressReport) => void): Promise<LoadAnswer> {
    const channel = new MessageChannel();
    channel.port1.on('message', (progress: LoadProgressReport) => onProgress?.(progress));
    channel.port1.unref();
    try {
      return (await this.pool('load').run({ ...task, progress: channel.port2, nice: this.nice } satisfies LoadTask, {
        name: 'load',
        transferList: [channel.port2],
      })) as LoadAnswer;
    } finally {
      channel.port1.close();
    }
  }

  /** Stops the threads (running tasks are abandoned). */
  async close(): Promise<void> {
    await Promise.all([this.queryPool?.destroy(), this.loadPool?.destroy()]);
    this.queryPool = undefined;
    this.loadPool = undefined;
  }
}

let shared: LocalEngine | undefined;

/** The process's engine with the default options, started on first use (for local backends not given their own). */
export function defaultLocalEngine(): LocalEngine {
  return (shared ??= new LocalEngine());
}
