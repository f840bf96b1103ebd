/**
 * Reads one table of the local backend from a JSONL file (`<Table>.jsonl`): one event per line as
 * a JSON object with Defender column names, datetimes as ISO 8601 strings, dynamic columns as
 * JSON values. The file is streamed, so a large one neither sits in memory as text nor blocks the
 * event loop; blank lines, CRLF line endings and a byte-order mark are fine. A value that does not
 * fit its column is an error naming the file, the line and the column (see `TableBuilder`).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ColumnValueError, TableBuilder, type Table, type TableSchema } from '../kql';
import { LocalDataError } from './local-data-error';

/** What to load. */
export interface JsonlTableSource {
  readonly file: string;
  readonly table: string;
  readonly schema: TableSchema;
}

/** Loads the events of `source.file` into a table. Rejects with {@link LocalDataError} on bad content. */
export async function loadJsonlTable(source: JsonlTableSource): Promise<Table> {
  const builder = new TableBuilder(source.table, source.schema);
  const stream = createReadStream(source.file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const raw of lines) {
      lineNumber++;
      const line = lineNumber === 1 ? raw.replace(/^\ufeff/, '') : raw;
      if (line.trim() === '') continue;
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
    }
  } finally {
    lines.close();
    stream.destroy();
  }
  return builder.build();
}
