/**
 * A table read in parts (byte ranges of its file, on several threads) put back together in file
 * order: numbers and bools are concatenated; each string column gets one dictionary, the parts'
 * codes mapped into it (codes stay unique per string). Each part's buffers are let go as soon as
 * its column is merged, so the peak stays near one copy of the table plus one column.
 */
import { decodeDictionary, encodeDictionary, type SharedColumn, type SharedTable } from './local-shared-table';

function mergeStrings(columns: Array<SharedColumn | undefined>, rowCount: number): SharedColumn {
  const dict: string[] = [];
  const index = new Map<string, number>();
  const codes = new Int32Array(new SharedArrayBuffer(rowCount * 4));
  let at = 0;
  columns.forEach((column, part) => {
    const own = decodeDictionary(column!.dictBytes!, column!.dictOffsets!);
    const remap = Int32Array.from(own, (text) => {
      let code = index.get(text);
      if (code === undefined) {
        code = dict.push(text) - 1;
        index.set(text, code);
      }
      return code;
    });
    const from = new Int32Array(column!.codes!);
    for (let r = 0; r < from.length; r++) codes[at + r] = remap[from[r]!]!;
    at += from.length;
    columns[part] = undefined;
  });
  return { type: 'string', codes: codes.buffer as SharedArrayBuffer, ...encodeDictionary(dict) };
}

function concatValues(columns: Array<SharedColumn | undefined>, bytes: number): SharedArrayBuffer {
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

/** The parts, in order, as one table with this `id`. */
export function mergeSharedTables(parts: readonly SharedTable[], id: string): SharedTable {
  const [first] = parts;
  if (!first) throw new Error('nothing to merge');
  if (parts.length === 1) return { ...first, id };
  const rowCount = parts.reduce((sum, p) => sum + p.rowCount, 0);
  const columns = first.schema.map((c, i): SharedColumn => {
    const ofParts: Array<SharedColumn | undefined> = parts.map((p) => p.columns[i]);
    (parts as unknown as ReadonlyArray<{ columns: Array<SharedColumn | undefined> }>).forEach((p) => (p.columns[i] = undefined));
    if (c.type === 'string' || c.type === 'dynamic') return { ...mergeStrings(ofParts, rowCount), type: c.type };
    return { type: c.type, values: concatValues(ofParts, rowCount * (c.type === 'bool' ? 1 : 8)) };
  });
  return { id, name: first.name, schema: first.schema, rowCount, columns };
}
