/**
 * The local backend's tables, one version of each data file at a time, loaded on the engine's
 * loading thread (from the snapshot when a valid one is there, else from the data file).
 *
 * - A file is loaded on first use (or at start-up, {@link LocalTables.preload}); a hunt that needs
 *   it waits up to `loadWaitMs`, then fails as `loading` with how far the load is ("still
 *   loading"), rather than stall; the load goes on.
 * - A file that changed (modification time, size or inode) is loaded again in the background: a
 *   hunt waits up to `reloadWaitMs` for the new version (the bot: not at all), then answers from
 *   the previous one, which keeps answering until the new one is there. When the new one takes
 *   over, the engine's query threads are renewed, so none keeps the previous version in memory.
 * - A version that failed to load is not tried again until the file changes; while a previous
 *   version exists, it keeps answering (the failure is logged).
 * - Progress of a long load is logged every `progressEveryMs`, and its end with where it came from
 *   and, when the snapshot was not used, why.
 */
import { stat } from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { defenderSchema } from '../kql';
import { BackendError } from './backend';
import { LocalDataError } from './local-data-error';
import type { LocalEngine, LoadProgressReport } from './local-engine';
import type { SharedTable } from './local-shared-table';
import { snapshotFile, type SourceVersion } from './local-snapshot';

/** The logging the local tables need (pino's shape). */
export interface LocalLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Options of {@link LocalTables}. */
export interface LocalTablesOptions {
  readonly dataDir: string;
  readonly engine: LocalEngine;
  /** Where snapshots go; none: always load from the data files. */
  readonly snapshotDir?: string;
  /** How long a hunt waits for a table's first load before answering that the data is loading. Default: as long as it takes. */
  readonly loadWaitMs?: number;
  /** How long a hunt waits for a changed file's new version before the previous one answers. Default: as long as it takes. */
  readonly reloadWaitMs?: number;
  readonly log?: LocalLog;
  /** How often a long load logs its progress. Default 5 000 ms. */
  readonly progressEveryMs?: number;
}

interface Loading {
  readonly version: SourceVersion;
  readonly done: Promise<SharedTable>;
  readonly startedAt: number;
  progress?: LoadProgressReport;
}

interface TableState {
  current?: { readonly version: SourceVersion; readonly table: SharedTable };
  loading?: Loading;
  failed?: { readonly version: SourceVersion; readonly error: BackendError };
}

const sameVersion = (a: SourceVersion | undefined, b: SourceVersion): boolean =>
  a !== undefined && a.file === b.file && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

let loads = 0;

/** The loaded tables of one data folder. */
export class LocalTables {
  private readonly states = new Map<string, TableState>();

  constructor(private readonly options: LocalTablesOptions) {}

  /** The data file of table `name`, or `undefined` when there is none. */
  private async fileOf(name: string): Promise<string | undefined> {
    const jsonl = path.join(this.options.dataDir, `${name}.jsonl`);
    const csv = path.join(this.options.dataDir, `${name}.csv`);
    const [fromJsonl, fromCsv] = await Promise.all([exists(jsonl), exists(csv)]);
    if (fromJsonl && fromCsv) {
      throw new LocalDataError(this.options.dataDir, undefined, `both ${name}.jsonl and ${name}.csv exist; keep one of them, so it is clear which events the table holds`);
    }
    return fromJsonl ? jsonl : fromCsv ? csv : undefined;
  }

  /** Starts loading every table file of the folder whose table the engine knows. */
  async preload(): Promise<void> {
    const names = new Set<string>();
    for (const entry of await readdir(this.options.dataDir)) {
      const match = /^(\w+)\.(jsonl|csv)$/.exec(entry);
      if (match && defenderSchema(match[1]!)) names.add(match[1]!);
    }
    for (const name of names) {
      this.table(name, 0).catch((error: unknown) => {
        if (!(error instanceof BackendError && error.failure === 'loading')) this.options.log?.warn({ table: name, err: error }, 'could not load a local table');
      });
    }
  }

  /**
   * The table `name` to query now (see the file comment); `undefined` when it has no data file.
   * Rejects with {@link BackendError} `loading` or `unavailable`, or {@link LocalDataError}.
   */
  async table(name: string, firstLoadWaitMs = this.options.loadWaitMs ?? Infinity): Promise<SharedTable | undefined> {
    const file = await this.fileOf(name);
    if (!file) return undefined;
    let info;
    try {
      info = await stat(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const version: SourceVersion = { file, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
    let state = this.states.get(name);
    if (!state) this.states.set(name, (state = {}));
    if (sameVersion(state.current?.version, version)) return state.current!.table;
    if (sameVersion(state.failed?.version, version)) {
      if (state.current) return state.current.table;
      throw state.failed!.error;
    }
    const loading = sameVersion(state.loading?.version, version) ? state.loading! : this.startLoad(name, state, version);
    const waitMs = state.current ? (this.options.reloadWaitMs ?? Infinity) : firstLoadWaitMs;
    const loaded = await within(loading.done, waitMs).catch((error: unknown) => {
      if (state.current) return undefined;
      throw error;
    });
    if (loaded) return loaded;
    if (state.current) return state.current.table;
    throw new BackendError('loading', stillLoading(name, loading), { retryAfterMs: 30_000 });
  }

  private startLoad(name: string, state: TableState, version: SourceVersion): Loading {
    const { engine, snapshotDir, log } = this.options;
    const schema = defenderSchema(name)!;
    const id = `${name}#${++loads}`;
    const startedAt = performance.now();
    const everyMs = this.options.progressEveryMs ?? 5000;
    let loggedAt = startedAt;
    log?.info({ table: name, file: version.file, bytes: version.size }, 'loading a local table');
    const onProgress = (progress: LoadProgressReport): void => {
      loading.progress = progress;
      const now = performance.now();
      if (now - loggedAt < everyMs) return;
      loggedAt = now;
      log?.info({ table: name, percent: percent(progress), rows: progress.rows, seconds: Math.round((now - startedAt) / 1000) }, 'still loading a local table');
    };
    const done = engine
      .load(
        {
          source: { file: version.file, table: name, schema },
          version,
          id,
          ...(snapshotDir ? { snapshotFile: snapshotFile(snapshotDir, name, version.file) } : {}),
        },
        onProgress,
      )
      .then((answer) => {
        if (!answer.ok) throw new BackendError('unavailable', `Cannot read the local data: ${answer.dataError}`);
        const seconds = Math.round(performance.now() - startedAt) / 1000;
        log?.info(
          {
            table: name,
            rows: answer.table.rowCount,
            seconds,
            from: answer.from,
            ...(answer.snapshotMiss && answer.snapshotMiss.reason !== 'missing' ? { snapshot: `${answer.snapshotMiss.reason}: ${answer.snapshotMiss.detail}` } : {}),
          },
          'loaded a local table',
        );
        void answer.snapshotWritten?.then(({ notWritten }) => {
          if (notWritten) log?.warn({ table: name, file: version.file, reason: notWritten }, 'could not write the snapshot of a local table; the next start reads the data file again');
          else log?.info({ table: name, seconds: Math.round(performance.now() - startedAt) / 1000 }, 'wrote the snapshot of a local table');
        });
        if (state.loading === loading) state.loading = undefined;
        if (!state.current || loadOrder(state.current.table) < loadOrder(answer.table)) {
          if (state.current) engine.renewQueryThreads();
          state.current = { version, table: answer.table };
        }
        return answer.table;
      })
      .catch((error: unknown) => {
        if (state.loading === loading) state.loading = undefined;
        const failure = error instanceof BackendError ? error : new BackendError('unavailable', `Cannot load the local table ${name}.`, { cause: error });
        state.failed = { version, error: failure };
        log?.warn({ table: name, file: version.file, err: error }, state.current ? 'could not load the new version of a local table; the previous one keeps answering' : 'could not load a local table');
        throw failure;
      });
    const loading: Loading = { version, done, startedAt };
    done.catch(() => undefined);
    state.loading = loading;
    return loading;
  }
}

function loadOrder(table: SharedTable): number {
  return Number(table.id.slice(table.id.lastIndexOf('#') + 1));
}

function percent(progress: LoadProgressReport): number {
  return progress.totalBytes > 0 ? Math.floor((progress.bytes / progress.totalBytes) * 100) : 0;
}

function stillLoading(name: string, loading: Loading): string {
  const seconds = Math.round((performance.now() - loading.startedAt) / 1000);
  const soFar = loading.progress ? `, ${percent(loading.progress)} % read (${loading.progress.rows.toLocaleString('en')} events)` : '';
  return `The local data is still loading (${name}${soFar}, for ${seconds} s); hunt again in a minute.`;
}

/** `promise`'s value if it settles within `ms`, else `undefined` (its rejection is passed on). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  if (ms === Infinity) return promise;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(resolve, ms, undefined);
    timer.unref();
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
