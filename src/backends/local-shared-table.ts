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
import { isSharedArrayBuffer } from 'node:util/types';
import { Table, type Column, type KustoType, type TableSchema } from '../kql/tables';

/** One column's buffers (see the file comment for which a type has). */
export interface ColumnBuffers<B extends ArrayBufferLike> {
  readonly type: KustoType;
  readonly values?: B;
  readonly codes?: B;
  readonly dictBytes?: B;
  readonly dictOffsets?: B;
}

/** A table's columns in buffers. */
export interface TableBuffers<B extends ArrayBufferLike> {
  /** Unique per loaded version: query threads cache decoded tables by it. */
  readonly id: string;
  readonly name: string;
  readonly schema: TableSchema;
  readonly rowCount: number;
  readonly columns: ReadonlyArray<ColumnBuffers<B>>;
}

/** A column in shared memory. */
export type SharedColumn = ColumnBuffers<SharedArrayBuffer>;

/** A table in shared memory: what query threads read. */
export type SharedTable = TableBuffers<SharedArrayBuffer>;

/**
 * A column of a {@link TablePart}: its numbers (values, or a string column's codes) in the chunks
 * they were read into, in order (every chunk full but the last, which may be longer than its
 * rows; the first may be a growable shared buffer, see `TableSink`), and a string column's
 * dictionary.
 */
export interface PartColumn {
  readonly type: KustoType;
  readonly chunks: ReadonlyArray<ArrayBuffer | SharedArrayBuffer>;
  readonly dictBytes?: ArrayBuffer;
  readonly dictOffsets?: ArrayBuffer;
}

/**
 * A part of a table read by one loading thread, in buffers of its own and not copied into one
 * buffer per column: moved (not copied) to the threads that merge the parts into a
 * {@link SharedTable}, which copy each value once, so no thread keeps a part alive after.
 */
export interface TablePart {
  readonly name: string;
  readonly schema: TableSchema;
  readonly rowCount: number;
  readonly columns: readonly PartColumn[];
}

/** Makes buffers: shared ones, or a thread's own. */
export type Allocate<B extends ArrayBufferLike> = (bytes: number) => B;

/** Shared buffers. */
export const sharedMemory: Allocate<SharedArrayBuffer> = (bytes) => new SharedArrayBuffer(bytes);

/** A thread's own buffers. */
export const ownMemory: Allocate<ArrayBuffer> = (bytes) => new ArrayBuffer(bytes);

/** Every buffer of a table (what to move with it). */
export function buffersOf<B extends ArrayBufferLike>(table: TableBuffers<B>): B[] {
  return table.columns.flatMap((c) => BUFFER_KINDS.map((k) => c[k]).filter((b): b is B => b !== undefined));
}

/** Every buffer a part has of its own (what to move with it; shared ones are shared). */
export function partBuffers(part: TablePart): ArrayBuffer[] {
  const own = (buffer: ArrayBuffer | SharedArrayBuffer): buffer is ArrayBuffer => !isSharedArrayBuffer(buffer);
  return part.columns.flatMap((c) => [...c.chunks.filter(own), ...(c.dictBytes ? [c.dictBytes] : []), ...(c.dictOffsets ? [c.dictOffsets] : [])]);
}

/** A table in buffers of its own as a part of one chunk per column. */
export function partOf(table: TableBuffers<ArrayBuffer>): TablePart {
  const columns = table.columns.map(({ values, codes, ...rest }): PartColumn => ({ ...rest, chunks: [(values ?? codes)!] }));
  return { name: table.name, schema: table.schema, rowCount: table.rowCount, columns };
}

/** The buffers of a column, in the order snapshots store them. */
export const BUFFER_KINDS = ['values', 'codes', 'dictBytes', 'dictOffsets'] as const;

/** The entries of a shared dictionary as strings. */
export function decodeDictionary(bytes: ArrayBufferLike, offsets: ArrayBufferLike): string[] {
  const text = Buffer.from(bytes);
  const at = new Float64Array(offsets);
  const dict = new Array<string>(at.length - 1);
  for (let i = 0; i < dict.length; i++) dict[i] = text.toString('utf8', at[i]!, at[i + 1]!);
  return dict;
}

/** Encodes strings as a dictionary in buffers from `allocate`. */
export function encodeDictionary<B extends ArrayBufferLike>(dict: readonly string[], allocate: Allocate<B>): { dictBytes: B; dictOffsets: B } {
  let total = 0;
  for (const entry of dict) total += Buffer.byteLength(entry, 'utf8');
  const dictBytes = allocate(total);
  const dictOffsets = allocate((dict.length + 1) * 8);
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

function columnFromShared(shared: ColumnBuffers<ArrayBufferLike>, rowCount: number): Column {
  switch (shared.type) {
    case 'string':
      return { type: 'string', layout: 'rows', codes: new Int32Array(shared.codes!, 0, rowCount), dict: decodeDictionary(shared.dictBytes!, shared.dictOffsets!) };
    case 'dynamic': {
      const parsed = decodeDictionary(shared.dictBytes!, shared.dictOffsets!).map((text) => JSON.parse(text) as unknown);
      const codes = new Int32Array(shared.codes!, 0, rowCount);
      const values = new Array<unknown>(rowCount);
      for (let i = 0; i < rowCount; i++) values[i] = parsed[codes[i]!];
      return { type: 'dynamic', layout: 'rows', values };
    }
    case 'bool':
      return { type: 'bool', layout: 'rows', values: new Uint8Array(shared.values!, 0, rowCount) };
    default:
      return { type: shared.type, layout: 'rows', values: new Float64Array(shared.values!, 0, rowCount) };
  }
}

/**
 * The engine table over a shared table: numbers and codes in place, dictionaries decoded. Views
 * have the table's length, never the buffer's (a view that follows a growable buffer's length is
 * many times slower to read).
 */
export function tableFromShared(shared: TableBuffers<ArrayBufferLike>): Table {
  return new Table(
    shared.name,
    shared.schema,
    shared.columns.map((c) => columnFromShared(c, shared.rowCount)),
    shared.rowCount,
  );
}

function copyInto<B extends ArrayBufferLike>(bytes: ArrayBufferView, allocate: Allocate<B>): B {
  const copy = allocate(bytes.byteLength);
  new Uint8Array(copy).set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return copy;
}

/** A copy of an engine table in buffers from `allocate` (for tables read by the general CSV reader). */
export function buffersFromTable<B extends ArrayBufferLike>(table: Table, id: string, allocate: Allocate<B>): TableBuffers<B> {
  const columns = table.columns.map((column): ColumnBuffers<B> => {
    switch (column.type) {
      case 'string':
        return { type: 'string', codes: copyInto(column.codes, allocate), ...encodeDictionary(column.dict, allocate) };
      case 'dynamic': {
        const dict: string[] = [];
        const index = new Map<string, number>();
        const codes = new Int32Array(allocate(column.values.length * 4));
        column.values.forEach((value, i) => {
          const text = JSON.stringify(value ?? null);
          let code = index.get(text);
          if (code === undefined) {
            code = dict.push(text) - 1;
            index.set(text, code);
          }
          codes[i] = code;
        });
        return { type: 'dynamic', codes: codes.buffer as B, ...encodeDictionary(dict, allocate) };
      }
      default:
        return { type: column.type, values: copyInto(column.values, allocate) };
    }
  });
  return { id, name: table.name, schema: table.schema, rowCount: table.rowCount, columns };
}
