/**
 * The DuckDB side of the engine bench: the same JSONL or CSV file loaded into an in-memory DuckDB
 * table (`read_json` / `read_csv` with the schema's column types, on DuckDB's default threads,
 * one per core), the same hunts as SQL (on as many threads as the engine gives a query).
 * `@duckdb/node-api` is a devDependency used by this bench only.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { TableSchema } from '../src/kql';

const DUCK_TYPES: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  datetime: 'TIMESTAMPTZ',
  long: 'BIGINT',
  int: 'INTEGER',
  real: 'DOUBLE',
  bool: 'BOOLEAN',
  dynamic: 'JSON',
};

/** A row of a hunt's result as the bench compares it: device, tool, count, reports, first and last seen (ms). */
export interface HuntRow {
  readonly key: string;
  readonly count: number;
  readonly report: readonly number[];
  readonly firstSeen: number;
  readonly lastSeen: number;
}

/** DuckDB with the bench's table loaded. */
export class DuckBench {
  private constructor(
    private readonly connection: DuckDBConnection,
    readonly loadMs: number,
    readonly threads: string,
    readonly version: string,
  ) {}

  /** Loads `file` (JSONL or CSV of `schema`) into the table `cert`. */
  static async open(file: string, schema: TableSchema): Promise<DuckBench> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const columns = schema.map((c) => `${c.name}: '${DUCK_TYPES[c.type]}'`).join(', ');
    const quoted = `'${file.replace(/'/g, "''")}'`;
    const reader = file.endsWith('.csv') ? `read_csv(${quoted}, header = true, columns = {${columns}})` : `read_json(${quoted}, format = 'newline_delimited', columns = {${columns}})`;
    const started = performance.now();
    await connection.run(`CREATE TABLE cert AS SELECT * FROM ${reader}`);
    const loadMs = performance.now() - started;
    const settings = (await connection.runAndReadAll("SELECT current_setting('threads') AS threads, version() AS version")).getRowObjectsJson()[0]!;
    return new DuckBench(connection, loadMs, String(settings['threads']), String(settings['version']));
  }

  /** Runs the hunts on this many threads from now on. */
  async setThreads(threads: number): Promise<void> {
    await this.connection.run(`SET threads = ${Number(threads)}`);
  }

  /** Runs `sql` with the window bound; the rows as {@link HuntRow}s, and the time it took. */
  async run(sql: string, window: { start: Date; end: Date }): Promise<{ ms: number; rows: HuntRow[] }> {
    const started = performance.now();
    const reader = await this.connection.runAndReadAll(sql.replace('$start', `TIMESTAMPTZ '${window.start.toISOString()}'`).replace('$end', `TIMESTAMPTZ '${window.end.toISOString()}'`));
    const ms = performance.now() - started;
    const rows = reader.getRowObjectsJson().map((r) => ({
      key: [r['Tool'] ?? '', r['DeviceId'], r['DeviceName']].join('|'),
      count: Number(r['Count']),
      report: (r['Report'] as string[] | null ?? []).map(Number),
      firstSeen: Date.parse(String(r['FirstSeen']).replace(' ', 'T').replace(/\+00$/, 'Z')),
      lastSeen: Date.parse(String(r['LastSeen']).replace(' ', 'T').replace(/\+00$/, 'Z')),
    }));
    return { ms, rows };
  }
}
