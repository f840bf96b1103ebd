/**
 * A table read in parts (byte ranges of its file, on several threads) put back together in file
 * order, in shared memory: numbers and bools are copied from the parts' chunks; each string column
 * gets one dictionary, the parts' codes mapped into it (codes stay unique per string). The parts
 * were moved here, so this thread alone holds them, and each part's buffers are let go as soon as
 * its column is merged: the peak stays near one copy of the table plus a column.
 *
 * Each value is copied at most once, from the chunk it was read into. The first part's columns,
 * when read into growable shared memory that can hold the whole table (`TableSink`), are grown in
 * place: its rows are not copied at all, only the other parts' rows after them.
 */
import { isSharedArrayBuffer } from 'node:util/types';
import { decodeDictionary, encodeDictionary, sharedMemory, type PartColumn, type SharedColumn, type SharedTable, type TablePart } from './local-shared-table';

type Numbers = Int32Array | Float64Array | Uint8Array;

/** A part's column and how many rows the part has. */
interface ColumnOfPart {
  readonly column: PartColumn;
  readonly rowCount: number;
}

/** Copies the part's values into `out` from row `at` (through `remap`, for codes); the row after them. */
function copyChunks(part: ColumnOfPart, out: Numbers, at: number, remap?: Int32Array): number {
  const make = out.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => Numbers;
  let left = part.rowCount;
  for (const chunk of part.column.chunks) {
    const values = new make(chunk, 0, Math.min(left, chunk.byteLength / out.BYTES_PER_ELEMENT));
    if (remap) for (let r = 0; r < values.length; r++) out[at + r] = remap[values[r]!]!;
    else out.set(values, at);
    at += values.length;
    left -= values.length;
  }
  return at;
}

/**
 * The first part's column grown in place to the table's `bytes`, when it is one growable shared
 * buffer that can (its rows stay where they are); else a new shared buffer.
 */
function tableBuffer(first: ColumnOfPart, bytes: number): { readonly buffer: SharedArrayBuffer; readonly grown: boolean } {
  const [only, ...more] = first.column.chunks;
  if (more.length === 0 && only && isSharedArrayBuffer(only) && only.growable && only.byteLength <= bytes && only.maxByteLength >= bytes) {
    only.grow(bytes);
    return { buffer: only, grown: true };
  }
  return { buffer: new SharedArrayBuffer(bytes), grown: false };
}

function mergeStrings(parts: Array<ColumnOfPart | undefined>, rowCount: number): Omit<SharedColumn, 'type'> {
  const dict: string[] = [];
  const index = new Map<string, number>();
  const { buffer, grown } = tableBuffer(parts[0]!, rowCount * 4);
  const codes = new Int32Array(buffer, 0, rowCount);
  let at = 0;
  parts.forEach((part, k) => {
    const own = decodeDictionary(part!.column.dictBytes!, part!.column.dictOffsets!);
    if (k === 0) {
      // The first part's strings are unique, so they keep their codes: copied as they are, or already there.
      own.forEach((text, code) => (dict.push(text), index.set(text, code)));
      at = grown ? part!.rowCount : copyChunks(part!, codes, at);
    } else {
      const remap = Int32Array.from(own, (text) => {
        let code = index.get(text);
        if (code === undefined) {
          code = dict.push(text) - 1;
          index.set(text, code);
        }
        return code;
      });
      at = copyChunks(part!, codes, at, remap);
    }
    parts[k] = undefined;
  });
  return { codes: buffer, ...encodeDictionary(dict, sharedMemory) };
}

function mergeNumbers(parts: Array<ColumnOfPart | undefined>, rowCount: number, bytesPerRow: 1 | 8): SharedArrayBuffer {
  const { buffer, grown } = tableBuffer(parts[0]!, rowCount * bytesPerRow);
  const out = bytesPerRow === 1 ? new Uint8Array(buffer, 0, rowCount) : new Float64Array(buffer, 0, rowCount);
  let at = 0;
  parts.forEach((part, k) => {
    at = k === 0 && grown ? part!.rowCount : copyChunks(part!, out, at);
    parts[k] = undefined;
  });
  return buffer;
}

/** The parts, in order, as one table in shared memory with this `id`; `between` is called before each column. */
export function mergeParts(parts: readonly TablePart[], id: string, between?: () => void): SharedTable {
  const [first] = parts;
  if (!first) throw new Error('nothing to merge');
  const rowCount = parts.reduce((sum, p) => sum + p.rowCount, 0);
  const columns = first.schema.map((c, i): SharedColumn => {
    between?.();
    const ofParts: Array<ColumnOfPart | undefined> = parts.map((p) => ({ column: p.columns[i]!, rowCount: p.rowCount }));
    (parts as unknown as ReadonlyArray<{ columns: Array<PartColumn | undefined> }>).forEach((p) => (p.columns[i] = undefined));
    if (c.type === 'string' || c.type === 'dynamic') return { type: c.type, ...mergeStrings(ofParts, rowCount) };
    return { type: c.type, values: mergeNumbers(ofParts, rowCount, c.type === 'bool' ? 1 : 8) };
  });
  return { id, name: first.name, schema: first.schema, rowCount, columns };
}
