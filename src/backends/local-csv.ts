/**
 * Reads one table of the local backend from a CSV file (`<Table>.csv`) as Defender's advanced
 * hunting exports it: a header row of column names, then one event per record; datetimes as ISO
 * 8601 text, dynamic columns as JSON text, an empty field for null (for a string column: the empty
 * string). Booleans may be written `true`/`false` in any case (the generator writes `true`,
 * .NET-based exports `True`). Quoted fields may hold commas, doubled quotes and line breaks; CRLF
 * or LF line endings and a byte-order mark are fine. Parsing is csv-parse's; values are converted
 * as JSONL values are (see `TableBuilder`), and a problem names the file, the line and the column.
 */
import { createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import { ColumnValueError, TableBuilder, type KustoType, type Table } from '../kql/tables';
import { LocalDataError } from './local-data-error';
import type { TableFileSource } from './local-jsonl';

const WHOLE = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The JSON-like value of one CSV field for a column of `type` (what a JSONL file would hold). */
export function fieldValue(column: string, type: KustoType, text: string): unknown {
  if (type === 'string') return text;
  if (text === '') return null;
  switch (type) {
    case 'bool': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === 'false') return lower === 'true';
      throw new ColumnValueError(column, `expected true or false, got ${JSON.stringify(text)}`);
    }
    case 'long':
    case 'int':
      if (WHOLE.test(text)) return Number(text);
      throw new ColumnValueError(column, `expected a whole number, got ${JSON.stringify(text)}`);
    case 'real':
      if (NUMBER.test(text)) return Number(text);
      throw new ColumnValueError(column, `expected a number, got ${JSON.stringify(text)}`);
    case 'dynamic':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ColumnValueError(column, `expected JSON text, got ${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)}`);
      }
    default:
      return text;
  }
}

/** Loads the events of a CSV file into a table. Rejects with {@link LocalDataError} on bad content. */
export async function loadCsvTable(source: TableFileSource): Promise<Table> {
  const builder = new TableBuilder(source.table, source.schema);
  const types = new Map(source.schema.map((c) => [c.name, c.type]));
  let header: string[] | undefined;
  let columnTypes: KustoType[] = [];
  /** Each record is converted as csv-parse reads it; nothing is passed down the stream. */
  const onRecord = (record: string[], context: { lines: number }): null => {
    if (!header) {
      header = record.map((name) => name.trim());
      const seen = new Set<string>();
      for (const name of header) {
        if (!types.has(name)) throw new LocalDataError(source.file, context.lines, `the header names '${name}', which is not a column of ${source.table}`);
        if (seen.has(name)) throw new LocalDataError(source.file, context.lines, `the header names '${name}' twice`);
        seen.add(name);
      }
      columnTypes = header.map((name) => types.get(name)!);
      return null;
    }
    const event: Record<string, unknown> = {};
    try {
      for (let i = 0; i < header.length; i++) event[header[i]!] = fieldValue(header[i]!, columnTypes[i]!, record[i]!);
      builder.append(event);
    } catch (e) {
      if (e instanceof ColumnValueError) throw new LocalDataError(source.file, context.lines, `column ${e.column}: ${e.detail}`);
      throw e;
    }
    return null;
  };
  const input = createReadStream(source.file, { highWaterMark: 1 << 20 });
  const parser = parse({ bom: true, skip_empty_lines: true, on_record: onRecord });
  try {
    await new Promise<void>((resolve, reject) => {
      input.on('error', reject);
      parser.on('error', reject);
      parser.on('data', () => undefined);
      parser.on('end', resolve);
      input.pipe(parser);
    });
  } catch (e) {
    const cause = e instanceof CsvError && e.cause instanceof Error ? e.cause : e;
    if (cause instanceof LocalDataError) throw cause;
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      throw new LocalDataError(source.file, line, `not valid CSV (${e.message.replace(/^Invalid [^:]*: /, '')})`);
    }
    throw e;
  } finally {
    input.destroy();
    parser.destroy();
  }
  if (!header) throw new LocalDataError(source.file, undefined, 'the file is empty: a CSV export starts with a header row of column names');
  return builder.build();
}
