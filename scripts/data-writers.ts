/**
 * Streaming writers for generated tables: JSON Lines (one object per line, keys in schema order)
 * or CSV as Defender's advanced hunting exports it (header row, ISO 8601 datetimes, JSON text for
 * JSON columns, empty fields for nulls, `true`/`false`, CRLF line ends). Both honour back-pressure,
 * so a table of millions of rows is written in bounded memory.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { stringify, type Stringifier } from 'csv-stringify';
import type { Row } from './data-rows';

/** The file formats the generator writes. */
export type DataFormat = 'jsonl' | 'csv';

/** Writes rows of one table to one file. */
export interface RowWriter {
  write(row: Row): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

async function drained(stream: WriteStream | Stringifier, wrote: boolean): Promise<void> {
  if (!wrote) await once(stream, 'drain');
}

class JsonLinesWriter implements RowWriter {
  private readonly file: WriteStream;

  constructor(path: string) {
    this.file = createWriteStream(path, { encoding: 'utf8' });
  }

  async write(row: Row): Promise<void> {
    await drained(this.file, this.file.write(`${JSON.stringify(row)}\n`));
  }

  async close(): Promise<void> {
    this.file.end();
    await once(this.file, 'finish');
  }
}

class CsvWriter implements RowWriter {
  private readonly file: WriteStream;
  private readonly csv: Stringifier;

  constructor(path: string, columns: readonly string[]) {
    this.file = createWriteStream(path, { encoding: 'utf8' });
    this.csv = stringify({ header: true, columns: [...columns], record_delimiter: 'windows', cast: { boolean: (value) => (value ? 'true' : 'false') } });
    this.csv.pipe(this.file);
  }

  async write(row: Row): Promise<void> {
    await drained(this.csv, this.csv.write(row));
  }

  async close(): Promise<void> {
    this.csv.end();
    await once(this.file, 'finish');
  }
}

/** Opens a writer for a table with these columns. */
export function openRowWriter(path: string, format: DataFormat, columns: readonly string[]): RowWriter {
  return format === 'csv' ? new CsvWriter(path, columns) : new JsonLinesWriter(path);
}
