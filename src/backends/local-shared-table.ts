/**
 * A loaded table of the local backend in shared memory: every column in `SharedArrayBuffer`s, so
 * that the loading thread, the query threads and a snapshot file hold the same bytes without a
 * copy (posting a `SharedArrayBuffer` to a worker shares it). Plain data: it crosses threads as
 * it is.
 *
 * | type | buffers |
 * |---|---|
 * | `string` | `codes` (Int32, one per row) into a dictionary: `dictBytes` (UTF-8 of every entry, one after the other) and `dictOffsets` (Float64, entry `i` is bytes `[offsets[i], offsets[i+1])`) |
 * | `dynamic` | the same, the dictionary holding each distinct value's JSON text |
 * | `datetime`, `timespan`, `long`, `int`, `real` | `values` (Float64, `NaN` = null) |
 * | `bool` | `values` (Uint8: `FALSE`, `TRUE`, `NULL`) |
 *
 * A query thread turns it into an engine {@link Table} with {@link tableFromShared}: numbers and
 * codes are read in place; only dictionaries are decoded, once per thread.
 */
import { Table, type Column, type KustoType, type TableSchema } from '../kql';

/** One column's buffers (see the file comment for which a type has). */
export interface SharedColumn {
  readonly type: KustoType;
  readonly values?: SharedArrayBuffer;
  readonly codes?: SharedArrayBuffer;
  readonly dictBytes?: SharedArrayBuffer;
  readonly dictOffsets?: SharedArrayBuffer;
}

/** A table in shared memory. */
export interface SharedTable {
  /** Unique per loaded version: query threads cache decoded tables by it. */
  readonly id: string;
  readonly name: string;
  readonly schema: TableSchema;
  readonly rowCount: number;
  readonly columns: readonly SharedColumn[];
}

/** The buffers of a column, in the order snapshots store them. */
export const BUFFER_KINDS = ['values', 'codes', 'dictBytes', 'dictOffsets'] as const;

/** Bytes a shared table holds. */
export function sharedTableBytes(table: SharedTable): number {
  let bytes = 0;
  for (const column of table.columns) for (const kind of BUFFER_KINDS) bytes += column[kind]?.byteLength ?? 0;
  return bytes;
}

/** The entries of a shared dictionary as strings. */
export function decodeDictionary(bytes: SharedArrayBuffer, offsets: SharedArrayBuffer): string[] {
  const text = Buffer.from(bytes);
  const at = new Float64Array(offsets);
  const dict = new Array<string>(at.length - 1);
  for (let i = 0; i < dict.length; i++) dict[i] = text.toString('utf8', at[i]!, at[i + 1]!);
  return dict;
}

/** Encodes strings as a shared dictionary. */
export function encodeDictionary(dict: readonly string[]): { dictBytes: SharedArrayBuffer; dictOffsets: SharedArrayBuffer } {
  let total = 0;
  for (const entry of dict) total += Buffer.byteLength(entry, 'utf8');
  const dictBytes = new SharedArrayBuffer(total);
  const dictOffsets = new SharedArrayBuffer((dict.length + 1) * 8);
  const text = Buffer.from(dictBytes);
  const at = new Float64Array(dictOffsets);
  let offset = 0;
  dict.forEach((entry, i) => {
    at[i] = offset;
    offset += text.write(entry, offset, 'utf8');
  });
  at[dict.length] = offset;
  return { dictBytes, dictOffsets };
}

function columnFromShared(shared: SharedColumn, rowCount: number): Column {
  switch (shared.type) {
    case 'string':
      return { type: 'string', layout: 'rows', codes: new Int32Array(shared.codes!), dict: decodeDictionary(shared.dictBytes!, shared.dictOffsets!) };
    case 'dynamic': {
      const parsed = decodeDictionary(shared.dictBytes!, shared.dictOffsets!).map((text) => JSON.parse(text) as unknown);
      const codes = new Int32Array(shared.codes!);
      const values = new Array<unknown>(rowCount);
      for (let i = 0; i < rowCount; i++) values[i] = parsed[codes[i]!];
      return { type: 'dynamic', layout: 'rows', values };
    }
    case 'bool':
      return { type: 'bool', layout: 'rows', values: new Uint8Array(shared.values!) };
    default:
      return { type: shared.type, layout: 'rows', values: new Float64Array(shared.values!) };
  }
}

/** The engine table over a shared table: numbers and codes in place, dictionaries decoded. */
export function tableFromShared(shared: SharedTable): Table {
  return new Table(
    shared.name,
    shared.schema,
    shared.columns.map((c) => columnFromShared(c, shared.rowCount)),
    shared.rowCount,
  );
}

function sharedCopy(bytes: ArrayBufferView): SharedArrayBuffer {
  const copy = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return copy;
}

/** A shared copy of an engine table (for tables read by the general CSV reader). */
export function sharedFromTable(table: Table, id: string): SharedTable {
  const columns = table.columns.map((column): SharedColumn => {
    switch (column.type) {
      case 'string':
        return { type: 'string', codes: sharedCopy(column.codes), ...encodeDictionary(column.dict) };
      case 'dynamic': {
        const dict: string[] = [];
        const index = new Map<string, number>();
        const codes = new Int32Array(new SharedArrayBuffer(column.values.length * 4));
        column.values.forEach((value, i) => {
          const text = JSON.stringify(value ?? null);
          let code = index.get(text);
          if (code === undefined) {
            code = dict.push(text) - 1;
            index.set(text, code);
          }
          codes[i] = code;
        });
        return { type: 'dynamic', codes: codes.buffer as SharedArrayBuffer, ...encodeDictionary(dict) };
      }
      default:
        return { type: column.type, values: sharedCopy(column.values) };
    }
  });
  return { id, name: table.name, schema: table.schema, rowCount: table.rowCount, columns };
}
