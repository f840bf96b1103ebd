/**
 * Reads one table of the local backend from a JSONL file (`<Table>.jsonl`): one event per line as
 * a JSON object with Defender column names, datetimes as ISO 8601 strings, dynamic columns as
 * JSON values. The file is read in large chunks (see `local-lines.ts`), so a large one never sits
 * in memory as text; blank lines, CRLF line endings and a byte-order mark are fine. A value that
 * does not fit its column is an error naming the file, the line and the column (see
 * `TableBuilder`).
 */
import { ColumnValueError, TableBuilder, type Table, type TableSchema } from '../kql';
import { LocalDataError } from './local-data-error';
import { forEachLine } from './local-lines';

/** What to load. */
export interface TableFileSource {
  readonly file: string;
  readonly table: string;
  readonly schema: TableSchema;
}

/** Loads the events of `source.file` into a table. Rejects with {@link LocalDataError} on bad content. */
export async function loadJsonlTable(source: TableFileSource): Promise<Table> {
  const builder = new TableBuilder(source.table, source.schema);
  await forEachLine(source.file, (line, lineNumber) => {
    if (line.trim() === '') return;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (e) {
      throw new LocalDataError(source.file, lineNumber, `not valid JSON (${(e as Error).message})`);
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      throw new LocalDataError(source.file, lineNumber, 'expected a JSON object (one event per line)');
    }
    try {
      builder.append(record as Record<string, unknown>);
    } catch (e) {
      if (e instanceof ColumnValueError) throw new LocalDataError(source.file, lineNumber, `column ${e.column}: ${e.detail}`);
      throw e;
    }
  });
  return builder.build();
}
