/**
 * The `local` backend, HuntOps' embedded default: the hunt's KQL runs on the project's own KQL
 * engine over event files in a folder, one JSONL file per table (`DeviceFileCertificateInfo.jsonl`),
 * loaded on first use and reloaded when they change. A folder with a `dataset.json` holds a
 * recorded sample whose datetimes are moved to look recent (see `local-dataset.ts`).
 *
 * Failures the analyst sees: a KQL error or a table without a file is a `query` failure; a data
 * file that cannot be read as events is `unavailable`; a cancelled request rejects at once as
 * `timeout` (see `cancellation.ts`).
 */
import path from 'node:path';
import { defenderSchema, executeKql, KqlError, parseKql, referencedTables, tablesFrom, type Table } from '../kql';
import type { HuntWindow } from '../hunt/window';
import { BackendError, type Backend, type QueryRequest, type QueryResult } from './backend';
import { cancelledError, untilAborted } from './cancellation';
import { LocalDataError } from './local-data-error';
import { readDatasetAnchor } from './local-dataset';
import { loadJsonlTable } from './local-jsonl';
import { FileTableCache } from './local-table-cache';

/** Options of {@link createLocalBackend}. */
export interface LocalBackendOptions {
  /** The folder of `<Table>.jsonl` files (and optionally `dataset.json`). */
  readonly dataDir: string;
  /** The clock; `now()` of each query. Defaults to the system clock. */
  readonly now?: () => Date;
  /** The longest window this backend answers. */
  readonly maxWindow: HuntWindow;
  /** How cards name the source, e.g. "sample data". Defaults to the folder. */
  readonly label?: string;
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
      cache = new FileTableCache((file) => loadJsonlTable({ file, table: name, schema }));
      caches.set(name, cache);
    }
    return cache;
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
      const file = path.join(options.dataDir, `${name}.jsonl`);
      const table = await cacheFor(name).get(file);
      if (!table) throw new BackendError('query', `There is no local data for the table ${name}: ${file} does not exist.`);
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
