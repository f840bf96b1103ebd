/**
 * The local engine's threads: queries and data loading run in worker threads, never on the bot's
 * event loop, which answers Teams.
 *
 * Threads come from piscina (the Node.js project's worker pool: it starts threads, replaces one
 * that dies or that it terminates, queues tasks and passes an `AbortSignal` on by terminating the
 * thread running the task). Two pools: `threads` for queries (one query per thread at a time; the
 * backend's concurrency cap sits in front, see `create-backend.ts`) and `loadThreads` for loading
 * (a large file is read in parts at once, then merged), so a long load never holds up a query.
 * Tables live in shared memory (`local-shared-table.ts`): a query posts only their handles.
 *
 * A query that runs longer than `queryTimeoutMs` is stopped (its thread terminated and replaced)
 * and fails as a `timeout`; a query whose caller gives up (`signal`) is stopped the same way; a
 * query that needs more heap than `workerMemoryMb` kills its thread (replaced) and fails as
 * `unavailable`. The thread running a query that crashes is replaced too, and the error thrown as
 * it is (an internal error). Threads run `nice` steps below the process's own priority (Linux keeps
 * one per thread) and, when that is below it at all, under Linux's SCHED_IDLE policy where `chrt`
 * can set it (`threads/thread-priority.ts`: a shell the engine starts with itself, while the process
 * is small, sets it for the threads that ask), so the event loop wins the CPU whenever it wants it, and a
 * process run at a higher or lower priority takes its engine with it. Threads below the event loop
 * also give way to it: their long scans and loads run a slice at a time and pause while the event
 * loop works (`threads/give-way.ts`), since a busy core beside it slows it too. Idle threads do not
 * keep the process alive.
 *
 * The threads' entries are `local-query-worker` and `local-load-worker` beside this file (started
 * as `threads/worker-entry.ts` says).
 */
import { open, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { KqlError } from '../kql';
import { BackendError, type QueryResult } from './backend';
import { cancelledError } from './cancellation';
import type { MergeTask, OpenAnswer, OpenTask, ReadPartAnswer, ReadPartTask, SnapshotAnswer, SnapshotTask } from './local-load-worker';
import type { QueryAnswer, QueryTask } from './local-query-worker';
import type { ByteRange } from './local-chunks';
import type { TableFileSource } from './local-jsonl';
import { partBuffers, type SharedTable, type TablePart } from './local-shared-table';
import type { SnapshotMiss, SourceVersion } from './local-snapshot';
import { ThreadsBelow } from '../threads/thread-priority';
import { workerEntry, workerStart } from '../threads/worker-entry';

/** How the engine runs. */
export interface LocalEngineOptions {
  /** Query threads, so queries at once. Default: one less than the cores, at least 1. */
  readonly threads?: number;
  /** A query running longer is stopped and fails as a timeout. Default 60 000 ms. */
  readonly queryTimeoutMs?: number;
  /** Heap of each engine thread (the tables are outside it, in shared memory). Default 1024 MB. */
  readonly workerMemoryMb?: number;
  /** How many nice steps below the process (the event loop) the engine threads run (Linux keeps one per thread); above 0 also SCHED_IDLE, and giving way to the event loop. Default 10. */
  readonly nice?: number;
  /** Threads reading a data file at once, each a part of it. Default: the cores. */
  readonly loadThreads?: number;
  /** The smallest part of a data file a loading thread is given. Default 16 MiB. */
  readonly minPartBytes?: number;
}

/** The defaults of {@link LocalEngineOptions}. */
export const LOCAL_ENGINE_DEFAULTS = Object.freeze({
  threads: Math.max(1, availableParallelism() - 1),
  queryTimeoutMs: 60_000,
  workerMemoryMb: 1024,
  nice: 10,
  loadThreads: availableParallelism(),
  minPartBytes: 16 * 1024 * 1024,
});

/** A table to load. */
export interface LoadRequest {
  readonly source: TableFileSource;
  readonly version: SourceVersion;
  readonly id: string;
  /** Where the table's snapshot is (or goes); none: always read the data file. */
  readonly snapshotFile?: string;
}

/** A loaded table, where it came from, and what happened to its snapshot. */
export type LoadAnswer =
  | {
      readonly ok: true;
      readonly table: SharedTable;
      readonly from: 'snapshot' | 'data file';
      /** Why the snapshot was not used, when one was asked for and not used. */
      readonly snapshotMiss?: SnapshotMiss;
      /**
       * Read from the data file with a snapshot asked for: settles when the snapshot has been
       * written (the table answers meanwhile), saying why it was not when it was not. Never rejects.
       */
      readonly snapshotWritten?: Promise<SnapshotAnswer>;
    }
  | { readonly ok: false; readonly dataError: string };

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

/** How long a loading thread waits for more loading before it exits. */
export const LOAD_THREAD_IDLE_MS = 2000;

/** The threads' entries, by pool. */
const WORKERS = {
  query: workerEntry(__filename, 'local-query-worker'),
  load: workerEntry(__filename, 'local-load-worker'),
};

/** Query and load threads. */
export class LocalEngine {
  readonly threads: number;
  readonly queryTimeoutMs: number;
  readonly workerMemoryMb: number;
  /** The threads' place below the event loop: the process's nice value plus `options.nice` (at most 19), and SCHED_IDLE. */
  private readonly below: ThreadsBelow;
  readonly loadThreads: number;
  private readonly minPartBytes: number;
  private queryPool?: Piscina;
  private loadPool?: Piscina;
  /** Snapshots being written, by file: opening one waits for its write. */
  private readonly writing = new Map<string, Promise<SnapshotAnswer>>();
  /** Query threads renewed, finishing their queries before they exit. */
  private readonly retiring = new Set<Promise<void>>();

  constructor(options: LocalEngineOptions = {}) {
    this.threads = options.threads ?? LOCAL_ENGINE_DEFAULTS.threads;
    this.queryTimeoutMs = options.queryTimeoutMs ?? LOCAL_ENGINE_DEFAULTS.queryTimeoutMs;
    this.workerMemoryMb = options.workerMemoryMb ?? LOCAL_ENGINE_DEFAULTS.workerMemoryMb;
    this.below = new ThreadsBelow(options.nice ?? LOCAL_ENGINE_DEFAULTS.nice);
    this.loadThreads = options.loadThreads ?? LOCAL_ENGINE_DEFAULTS.loadThreads;
    this.minPartBytes = options.minPartBytes ?? LOCAL_ENGINE_DEFAULTS.minPartBytes;
    if (!Number.isInteger(this.threads) || this.threads < 1) throw new RangeError(`threads must be a positive integer, not ${this.threads}`);
  }

  /**
   * The query threads, always there, or the loading threads, there only while there is loading to
   * do: a thread's heap keeps what it read reachable to its collector until it collects, which an
   * idle thread never does, so a loading thread that stayed would keep every version of every
   * table it ever read in memory. Loading threads exit after {@link LOAD_THREAD_IDLE_MS} without work.
   */
  private pool(name: 'query' | 'load'): Piscina {
    const threads = name === 'query' ? this.threads : this.loadThreads;
    const make = () =>
      this.below.pool({
        ...workerStart(WORKERS[name]),
        // The handler a thread loads at start; each task names its own.
        name: name === 'query' ? 'query' : 'open',
        minThreads: name === 'query' ? threads : 0,
        maxThreads: threads,
        ...(name === 'load' ? { idleTimeout: LOAD_THREAD_IDLE_MS } : {}),
        concurrentTasksPerWorker: 1,
        resourceLimits: { maxOldGenerationSizeMb: this.workerMemoryMb },
      });
    if (name === 'query') return (this.queryPool ??= make());
    return (this.loadPool ??= make());
  }

  /** Runs a query on a query thread. Rejects with {@link BackendError} for what the analyst should see. */
  async query(query: EngineQuery): Promise<QueryResult> {
    const timeout = AbortSignal.timeout(this.queryTimeoutMs);
    const signal = query.signal ? AbortSignal.any([query.signal, timeout]) : timeout;
    const task: QueryTask = { kql: query.kql, now: query.now.getTime(), shiftMs: query.shiftMs, tables: query.tables, nice: this.below.nice };
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
    if (!answer.ok) {
      // The engine's error, as the thread saw it (errors cross threads as plain data).
      const { kind, detail, position } = answer.kqlError;
      const error = new KqlError(kind, detail, position);
      throw new BackendError('query', error.message, { cause: error });
    }
    return answer.result;
  }

  /**
   * Loads a table on the loading threads: from its snapshot when that is valid; else its data
   * file, in as many parts as there are loading threads (each starting at a line) and merged; the
   * table is answered at once and its snapshot written after (see `snapshotWritten`). A part that
   * finds a problem has the file read whole by one thread, so errors name the right line (and CSV
   * the fast reader is not sure of goes the general way).
   */
  async load(request: LoadRequest, onProgress?: (progress: LoadProgressReport) => void): Promise<LoadAnswer> {
    const pool = this.pool('load');
    let snapshotMiss: SnapshotMiss | undefined;
    if (request.snapshotFile) await this.writing.get(request.snapshotFile);
    if (request.snapshotFile && !(await missing(request.snapshotFile))) {
      const task: OpenTask = { snapshotFile: request.snapshotFile, source: request.source, version: request.version, id: request.id, nice: this.below.nice };
      const opened = (await pool.run(task, { name: 'open' })) as OpenAnswer;
      if (opened.ok) return { ok: true, table: opened.table, from: 'snapshot' };
      snapshotMiss = opened.miss;
    }
    const ranges = await partsOf(request.source.file, request.version.size, Math.max(1, Math.min(this.loadThreads, Math.floor(request.version.size / this.minPartBytes))));
    const sharedRows = ranges.length > 1 ? await rowsAtMost(request.source.file, request.version.size) : undefined;
    const reports = ranges.map((): LoadProgressReport => ({ bytes: 0, totalBytes: 0, rows: 0 }));
    const report = () => onProgress?.(reports.reduce((sum, r) => ({ bytes: sum.bytes + r.bytes, totalBytes: request.version.size, rows: sum.rows + r.rows }), { bytes: 0, totalBytes: 0, rows: 0 }));
    const read = (range: ByteRange | undefined, part: number) =>
      this.readPart(pool, { source: request.source, nice: this.below.nice, ...(range ? { range } : {}), ...(part === 0 && range && sharedRows ? { sharedRows } : {}) }, (progress) => {
        reports[part] = progress;
        report();
      });
    let parts = await Promise.all(ranges.map((range, part) => read(ranges.length > 1 ? range : undefined, part)));
    if (parts.some((p) => !p.ok) && ranges.length > 1) parts = [await read(undefined, 0)];
    const failed = parts.find((p) => !p.ok);
    if (failed && !failed.ok) return { ok: false, dataError: failed.dataError ?? 'cannot be read' };
    const partTables = parts.map((p) => (p.ok ? p.part : undefined!));
    parts = [];
    const table = await this.merge(pool, request, partTables);
    return {
      ok: true,
      table,
      from: 'data file',
      ...(snapshotMiss && snapshotMiss.reason !== 'missing' ? { snapshotMiss } : {}),
      ...(request.snapshotFile ? { snapshotWritten: this.writeSnapshot({ table, source: request.source, version: request.version, snapshotFile: request.snapshotFile, nice: this.below.nice }) } : {}),
    };
  }

  /**
   * Starts new query threads for the queries from now on; the current ones finish what they were
   * given and exit. For when a table's new version replaces the previous one: a query thread keeps
   * the tables it last read (decoded, see `local-query-worker.ts`), and what it let go stays
   * reachable to its collector until it collects, which an idle thread never does; a thread's exit
   * lets the previous version's memory go.
   */
  renewQueryThreads(): void {
    const pool = this.queryPool;
    this.queryPool = undefined;
    if (!pool) return;
    const closed = pool.close().finally(() => this.retiring.delete(closed));
    this.retiring.add(closed);
  }

  /** Writes a snapshot on a loading thread; opening the same file meanwhile waits for it. */
  private writeSnapshot(task: SnapshotTask): Promise<SnapshotAnswer> {
    const written = (this.pool('load').run(task, { name: 'snapshot' }) as Promise<SnapshotAnswer>)
      .catch((error: unknown): SnapshotAnswer => ({ notWritten: (error as Error).message }))
      .finally(() => {
        if (this.writing.get(task.snapshotFile) === written) this.writing.delete(task.snapshotFile);
      });
    this.writing.set(task.snapshotFile, written);
    return written;
  }

  /** The parts as one table, merged on a loading thread. */
  private async merge(pool: Piscina, request: LoadRequest, parts: readonly TablePart[]): Promise<SharedTable> {
    const task: MergeTask = { parts, id: request.id, nice: this.below.nice };
    return (await pool.run(task, { name: 'merge', transferList: parts.flatMap(partBuffers) })) as SharedTable;
  }

  private async readPart(pool: Piscina, task: Omit<ReadPartTask, 'progress'>, onProgress: (progress: LoadProgressReport) => void): Promise<ReadPartAnswer> {
    const channel = new MessageChannel();
    channel.port1.on('message', onProgress);
    channel.port1.unref();
    try {
      return (await pool.run({ ...task, progress: channel.port2 } satisfies ReadPartTask, { name: 'readPart', transferList: [channel.port2] })) as ReadPartAnswer;
    } finally {
      channel.port1.close();
    }
  }

  /**
   * Stops the threads once the snapshots being written are (running queries and loads are
   * abandoned). Threads started after keep only their nice value.
   */
  async close(): Promise<void> {
    await Promise.all(this.writing.values());
    await Promise.all([this.queryPool?.destroy(), this.loadPool?.destroy(), ...this.retiring]);
    this.queryPool = undefined;
    this.loadPool = undefined;
    this.below.stop();
  }
}

let shared: LocalEngine | undefined;

/** The process's engine with the default options, started on first use (for local backends not given their own). */
export function defaultLocalEngine(): LocalEngine {
  return (shared ??= new LocalEngine());
}

/**
 * Whether `file` is not there (any other answer is the loading thread's to find out): a missing
 * snapshot is known without a loading thread, so the data file's parts start on threads started
 * together, rather than one of them after a thread started only to find nothing.
 */
async function missing(file: string): Promise<boolean> {
  try {
    await stat(file);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

/**
 * About twice as many rows as `file` (`size` bytes) has, judged by its first lines; `undefined`
 * when they say nothing. The first part of a load in parts reserves this many rows of shared
 * memory, so the merge can grow its columns into the table's in place; a file with more rows
 * than that is merged by copying, as when there is no estimate.
 */
async function rowsAtMost(file: string, size: number): Promise<number | undefined> {
  const handle = await open(file, 'r');
  try {
    const block = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(block, 0, block.length, 0);
    let lines = 0;
    for (let at = block.indexOf(0x0a); at >= 0 && at < bytesRead; at = block.indexOf(0x0a, at + 1)) lines++;
    return lines > 0 ? 2 * Math.ceil((size * lines) / bytesRead) : undefined;
  } finally {
    await handle.close();
  }
}

/** About `count` byte ranges of `file` (`size` bytes), each starting at a line. */
async function partsOf(file: string, size: number, count: number): Promise<ByteRange[]> {
  if (count === 1) return [{ start: 0, end: size }];
  const handle = await open(file, 'r');
  try {
    const starts = [0];
    const block = Buffer.alloc(64 * 1024);
    for (let k = 1; k < count; k++) {
      let at = Math.max(starts[starts.length - 1]!, Math.floor((size * k) / count));
      for (;;) {
        const { bytesRead } = await handle.read(block, 0, block.length, at);
        if (bytesRead === 0) {
          at = size;
          break;
        }
        const newline = block.subarray(0, bytesRead).indexOf(0x0a);
        if (newline >= 0) {
          at += newline + 1;
          break;
        }
        at += bytesRead;
      }
      if (at < size && at > starts[starts.length - 1]!) starts.push(at);
    }
    return starts.map((start, i) => ({ start, end: starts[i + 1] ?? size }));
  } finally {
    await handle.close();
  }
}
