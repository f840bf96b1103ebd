/**
 * A table read in parts (byte ranges of its file, on several threads) put back together in file
 * order, in shared memory: numbers and bools are concatenated; each string column gets one
 * dictionary, the parts' codes mapped into it (codes stay unique per string). The parts were moved
 * here, so this thread alone holds them, and each part's buffers are let go as soon as its column
 * is merged: the peak stays near one copy of the table plus a column.
 */
import { decodeDictionary, encodeDictionary, sharedMemory, type ColumnBuffers, type SharedColumn, type SharedTable, type TablePart } from './local-shared-table';

type PartColumn = ColumnBuffers<ArrayBuffer>;

function mergeStrings(columns: Array<PartColumn | undefined>, rowCount: number): SharedColumn {
  const dict: string[] = [];
  const index = new Map<string, number>();
  const codes = new Int32Array(new SharedArrayBuffer(rowCount * 4));
  let at = 0;
  columns.forEach((column, part) => {
    const own = decodeDictionary(column!.dictBytes!, column!.dictOffsets!);
    const from = new Int32Array(column!.codes!);
    if (part === 0) {
      // The first part's strings are unique, so they keep their codes: copied as they are.
      own.forEach((text, code) => (dict.push(text), index.set(text, code)));
      codes.set(from, 0);
    } else {
      const remap = Int32Array.from(own, (text) => {
        let code = index.get(text);
        if (code === undefined) {
          code = dict.push(text) - 1;
          index.set(text, code);
        }
        return code;
      });
      for (let r = 0; r < from.length; r++) codes[at + r] = remap[from[r]!]!;
    }
    at += from.length;
    columns[part] = undefined;
  });
  return { type: 'string', codes: codes.buffer as SharedArrayBuffer, ...encodeDictionary(dict, sharedMemory) };
}

function concatValues(columns: Array<PartColumn | undefined>, bytes: number): SharedArrayBuffer {
  const out = new Uint8Array(new SharedArrayBuffer(bytes));
  let at = 0;
  columns.forEach((column, part) => {
    const values = new Uint8Array(column!.values!);
    out.set(values, at);
    at += values.length;
    columns[part] = undefined;
  });
  return out.buffer as SharedArrayBuffer;
}

/** The parts, in order, as one table in shared memory with this `id`. */
export function mergeParts(parts: readonly TablePart[], id: string): SharedTable {
  const [first] = parts;
  if (!first) throw new Error('nothing to merge');
  const rowCount = parts.reduce((sum, p) => sum + p.rowCount, 0);
  const columns = first.schema.map((c, i): SharedColumn => {
    const ofParts: Array<PartColumn | undefined> = parts.map((p) => p.columns[i]);
    (parts as unknown as ReadonlyArray<{ columns: Array<PartColumn | undefined> }>).forEach((p) => (p.columns[i] = undefined));
    if (c.type === 'string' || c.type === 'dynamic') return { ...mergeStrings(ofParts, rowCount), type: c.type };
    return { type: c.type, values: concatValues(ofParts, rowCount * (c.type === 'bool' ? 1 : 8)) };
  });
  return { id, name: first.name, schema: first.schema, rowCount, columns };
}
