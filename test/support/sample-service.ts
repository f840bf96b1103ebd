/**
 * The sample data (`data/sample/`) as a cloud service would hold it, for the HTTPS fakes of Log
 * Analytics and Graph: the fakes answer every query the bot sends by running it with the project's
 * KQL engine on the sample tables (Log Analytics' shape has `TimeGenerated` for `Timestamp`), with
 * `now()` at the data set's anchor, and send the result in the service's own wire format. So the
 * queries a whole turn sends are really answered — the stories of `data/sample/README.md` included.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Dialect } from '../../src/backends/backend';
import { SAMPLE_DATA_DIR } from '../../src/config';
import { DEFENDER_SCHEMAS, executeKql, Table, tablesFrom, type DefenderTableName, type KqlResult, type TableProvider } from '../../src/kql';
import { dialectSchema } from './evidence-tables';
import type { HuntingResult } from './fake-graph';
import type { LogAnalyticsTable } from './fake-log-analytics';

/** `now()` of the sample data: its anchor. */
export const SAMPLE_ANCHOR = new Date(JSON.parse(readFileSync(path.join(SAMPLE_DATA_DIR, 'dataset.json'), 'utf8')).anchor);

const cache = new Map<Dialect, TableProvider>();

/** The sample tables in a dialect. */
export function sampleTables(dialect: Dialect): TableProvider {
  let tables = cache.get(dialect);
  if (!tables) {
    tables = tablesFrom(
      (Object.keys(DEFENDER_SCHEMAS) as DefenderTableName[]).map((table) => {
        const lines = readFileSync(path.join(SAMPLE_DATA_DIR, `${table}.jsonl`), 'utf8').split('\n').filter(Boolean);
        const rows = lines.map((line) => {
          const { Timestamp, ...rest } = JSON.parse(line) as Record<string, unknown>;
          return dialect === 'defender' ? { Timestamp, ...rest } : { TimeGenerated: Timestamp, ...rest };
        });
        return Table.fromRecords(table, dialectSchema(table, dialect), rows);
      }),
    );
    cache.set(dialect, tables);
  }
  return tables;
}

function run(query: string, dialect: Dialect): KqlResult {
  return executeKql(query, { tables: sampleTables(dialect), now: SAMPLE_ANCHOR });
}

/** How the Log Analytics API sends a result: datetimes as ISO text, dynamic values as JSON text. */
export function logAnalyticsAnswer(query: string): LogAnalyticsTable {
  const result = run(query, 'loganalytics');
  return {
    name: 'PrimaryResult',
    columns: result.columns.map((c) => ({ name: c.name, type: c.type })),
    rows: result.rows.map((row) => result.columns.map((c) => (c.type === 'dynamic' && row[c.name] !== null ? JSON.stringify(row[c.name]) : row[c.name]))),
  };
}

const GRAPH_TYPES: Readonly<Record<string, string>> = { string: 'String', datetime: 'DateTime', long: 'Int64', int: 'Int32', real: 'Double', bool: 'Boolean', dynamic: 'Object' };

/** How Graph's runHuntingQuery sends a result: a schema of .NET type names and one object per row. */
export function graphAnswer(query: string): HuntingResult {
  const result = run(query, 'defender');
  return {
    schema: result.columns.map((c) => ({ name: c.name, type: GRAPH_TYPES[c.type] ?? 'String' })),
    results: result.rows.map((row) => ({ ...row })),
  };
}
