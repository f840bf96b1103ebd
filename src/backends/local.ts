/**
 * The `local` backend, HuntOps' embedded default: the hunt's KQL runs on the project's own KQL
 * engine over event files in a folder, one file per table, JSONL (`DeviceFileCertificateInfo.jsonl`)
 * or CSV as Defender's advanced hunting exports it (`DeviceFileCertificateInfo.csv`; both for one
 * table is an error: which one is meant?). Queries and loading run on the engine's worker threads
 * (`local-engine.ts`), never on the caller's event loop; tables are loaded once per version of
 * their file, from a columnar snapshot when there is a valid one, and a changed file is loaded
 * again in the background while the previous version answers (`local-tables.ts`). A folder with
 * a `dataset.json` holds a recorded sample whose datetimes are moved to look recent (see
 * `local-dataset.ts`).
 *
 * Failures the analyst sees: a KQL error or a table without a file is a `query` failure; a data
 * file that cannot be read as events is `unavailable`, as is a query that needs more memory than
 * an engine thread has; a table still in its first load is `loading`; a query that runs too long
 * is stopped as a `timeout`, and a cancelled request rejects at once as `timeout` and stops its
 * query (see `cancellation.ts`).
 */
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { defenderSchema, KqlError, parseKql, referencedTables } from '../kql';
import type { HuntWindow } from '../hunt/window';
import { BackendError, type Backend, type QueryRequest, type QueryResult } from './backend';
import { cancelledError, untilAborted } from './cancellation';
import type { ConcurrencyLimiter } from './concurrency-limit-decorator';
import { LocalDataError } from './local-data-error';
import { readDatasetAnchor } from './local-dataset';
import { defaultLocalEngine, type LocalEngine } from './local-engine';
import type { SharedTable } from './local-shared-table';
import { LocalTables, type LocalLog } from './local-tables';

/** Options of {@link createLocalBackend}. */
export interface LocalBackendOptions {
  /** The folder of `<Table>.jsonl` or `<Table>.csv` files (and optionally `dataset.json`). */
  readonly dataDir: string;
  /** The clock; `now()` of each query. Defaults to the system clock. */
  readonly now?: () => Date;
  /** The longest window this backend answers. */
  readonly maxWindow: HuntWindow;
  /** How cards name the source, e.g. "sample data". Defaults to the folder. */
  readonly label?: string;
  /** The threads queries and loads run on. Default: the process's engine with default options. */
  readonly engine?: LocalEngine;
  /** Where columnar snapshots of loaded tables go (see `local-snapshot.ts`); none: no snapshots. */
  readonly snapshotDir?: string;
  /** How long a hunt waits for a table's first load before answering that the data is loading (see `local-tables.ts`). Default: as long as it takes. */
  readonly loadWaitMs?: number;
  /** How long a hunt waits for a changed file's new version before the previous version answers. Default: as long as it takes. */
  readonly reloadWaitMs?: number;
  /** Start loading every table file at once, rather than on first use. */
  readonly preload?: boolean;
  /** Where loading is logged. */
  readonly log?: LocalLog;
  /**
   * The cap on queries at once: only running a query takes a slot, waiting for a table to load
   * does not (a hunt waiting for data must not hold up hunts that could answer).
   */
  readonly limiter?: ConcurrencyLimiter;
}

/**
 * The tables of the queries seen lately, by query text: a hunt's query is parsed on the bot's thread
 * only to learn which tables to load (the engine's thread parses it again to run it), and an
 * all-tools hunt's 13 KB query takes about 0.5 ms to parse. Hunts repeat their queries.
 */
const QUERY_TABLES_KEPT = 256;

function asBackendError(error: unknown): unknown {
  if (error instanceof KqlError) return new BackendError('query', error.message, { cause: error });
  if (error instanceof LocalDataError) return new BackendError('unavailable', `Cannot read the local data: ${error.message}`, { cause: error });
  return error;
}

/** The local backend over `options.dataDir`. */
export function createLocalBackend(options: LocalBackendOptions): Backend {
  const clock = options.now ?? ((): Date => new Date());
  const source = options.label ?? `local files in ${options.dataDir}`;
  const datasetFile = path.join(options.dataDir, 'dataset.json');
  const engine = options.engine ?? defaultLocalEngine();
  const tables = new LocalTables({
    dataDir: options.dataDir,
    engine,
    ...(options.snapshotDir ? { snapshotDir: options.snapshotDir } : {}),
    ...(options.loadWaitMs !== undefined ? { loadWaitMs: options.loadWaitMs } : {}),
    ...(options.reloadWaitMs !== undefined ? { reloadWaitMs: options.reloadWaitMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  if (options.preload) {
    tables.preload().catch((error: unknown) => options.log?.warn({ dataDir: options.dataDir, err: error }, 'could not list the local data'));
  }

  const queryTables = new LRUCache<string, readonly string[]>({ max: QUERY_TABLES_KEPT });
  const tablesOf = (kql: string): readonly string[] => {
    let names = queryTables.get(kql);
    if (names === undefined) {
      names = referencedTables(parseKql(kql));
      queryTables.set(kql, names);
    }
    return names;
  };

  const runQuery = async (request: QueryRequest): Promise<QueryResult> => {
    const names = tablesOf(request.kql);
    const now = clock();
    const anchor = await readDatasetAnchor(datasetFile);
    const shiftMs = anchor === undefined ? 0 : now.getTime() - anchor;
    const shared: SharedTable[] = [];
    for (const name of names) {
      if (!defenderSchema(name)) continue;
      const table = await tables.table(name);
      if (!table) {
        throw new BackendError('query', `There is no local data for the table ${name}: neither ${path.join(options.dataDir, `${name}.jsonl`)} nor ${name}.csv exists.`);
      }
      shared.push(table);
    }
    if (request.signal?.aborted) throw request.signal.reason;
    const query = () => engine.query({ kql: request.kql, now, shiftMs, tables: shared, source, ...(request.signal ? { signal: request.signal } : {}) });
    return options.limiter ? options.limiter.run(request, source, query) : query();
  };

  return {
    kind: 'local',
    source,
    dialect: 'defender',
    maxWindow: options.maxWindow,
    run: (request) => {
      if (request.signal?.aborted) return Promise.reject(cancelledError(source, request.signal.reason));
      const work = runQuery(request).catch((e: unknown) => {
        throw asBackendError(e);
      });
      return untilAborted(work, request.signal, source);
    },
  };
}
