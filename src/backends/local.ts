/**
 * The `local` backend, HuntOps' embedded default: the hunt's KQL runs on the project's own KQL
 * engine over event files in a folder, one file per table, JSONL (`DeviceFileCertificateInfo.jsonl`)
 * or CSV as Defender's advanced hunting exports it (`DeviceFileCertificateInfo.csv`; both for one
 * table is an error: which one is meant?), loaded on first use and kept in memory, reloaded when
 * the file changes. A folder with a `dataset.json` holds a recorded sample whose datetimes are
 * moved to look recent (see `local-dataset.ts`).
 *
 * Failures the analyst sees: a KQL error or a table without a file is a `query` failure; a data
 * file that cannot be read as events is `unavailable`; a cancelled request rejects at once as
 * `timeout` (see `cancellation.ts`).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { defenderSchema, executeKql, KqlError, parseKql, referencedTables, tablesFrom, type Table } from '../kql';
import type { HuntWindow } from '../hunt/window';
import { BackendError, type Backend, type QueryRequest, type QueryResult } from './backend';
import { cancelledError, untilAborted } from './cancellation';
import { LocalDataError } from './local-data-error';
import { readDatasetAnchor } from './local-dataset';
import { loadCsvTable } from './local-csv';
import { loadJsonlTable } from './local-jsonl';
import { FileTableCache } from './local-table-cache';

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
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

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
  const caches = new Map<string, FileTableCache>();
  const shifted = new Map<string, { readonly base: Table; readonly delta: number; readonly table: Table }>();

  const cacheFor = (name: string): FileTableCache => {
    let cache = caches.get(name);
    if (!cache) {
      const schema = defenderSchema(name)!;
      cache = new FileTableCache((file) => (file.endsWith('.csv') ? loadCsvTable : loadJsonlTable)({ file, table: name, schema }));
      caches.set(name, cache);
    }
    return cache;
  };

  /** The table `name` from whichever of its files exists, or `undefined` when neither does. */
  const loadTable = async (name: string): Promise<Table | undefined> => {
    const jsonl = path.join(options.dataDir, `${name}.jsonl`);
    const csv = path.join(options.dataDir, `${name}.csv`);
    const [fromJsonl, fromCsv] = await Promise.all([exists(jsonl), exists(csv)]);
    if (fromJsonl && fromCsv) {
      throw new LocalDataError(options.dataDir, undefined, `both ${name}.jsonl and ${name}.csv exist; keep one of them, so it is clear which events the table holds`);
    }
    if (!fromJsonl && !fromCsv) return undefined;
    return cacheFor(name).get(fromCsv ? csv : jsonl);
  };

  /** The table moved by `delta` ms, reusing the previous result while neither changes. */
  const shift = (base: Table, delta: number): Table => {
    const previous = shifted.get(base.name);
    if (previous && previous.base === base && previous.delta === delta) return previous.table;
    const table = base.withShiftedDatetimes(delta);
    shifted.set(base.name, { base, delta, table });
    return table;
  };

  const runQuery = async (request: QueryRequest): Promise<QueryResult> => {
    const names = referencedTables(parseKql(request.kql));
    const now = clock();
    const anchor = await readDatasetAnchor(datasetFile);
    const delta = anchor === undefined ? 0 : now.getTime() - anchor;
    const tables: Table[] = [];
    for (const name of names) {
      if (!defenderSchema(name)) continue;
      const table = await loadTable(name);
      if (!table) {
        throw new BackendError('query', `There is no local data for the table ${name}: neither ${path.join(options.dataDir, `${name}.jsonl`)} nor ${name}.csv exists.`);
      }
      tables.push(shift(table, delta));
    }
    if (request.signal?.aborted) throw request.signal.reason;
    return executeKql(request.kql, { tables: tablesFrom(tables), now });
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
