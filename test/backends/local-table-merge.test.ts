/**
 * Merging the parts of a table read on several threads: each part's columns come in the chunks
 * they were read into (every chunk full but the last, which may be longer than its rows); the
 * merged table has every row in part order, string codes unique per string across the parts.
 */
import { encodeDictionary, ownMemory, tableFromShared, type PartColumn, type SharedTable, type TablePart } from '../../src/backends/local-shared-table';
import { mergeParts } from '../../src/backends/local-table-merge';
import { TableSink } from '../../src/backends/local-table-sink';
import type { TableSchema } from '../../src/kql';

const SCHEMA: TableSchema = [
  { name: 'DeviceName', type: 'string' },
  { name: 'Count', type: 'long' },
  { name: 'IsSigned', type: 'bool' },
];

/** Numbers in chunks of `size` elements: the last chunk padded with `pad` past the rows. */
function chunked<T extends Int32Array | Float64Array | Uint8Array>(make: new (n: number) => T, values: readonly number[], size: number, pad: number): ArrayBuffer[] {
  const chunks: ArrayBuffer[] = [];
  for (let at = 0; at < values.length || chunks.length === 0; at += size) {
    const chunk = new make(size).fill(pad);
    chunk.set(values.slice(at, at + size));
    chunks.push(chunk.buffer as ArrayBuffer);
  }
  return chunks;
}

/** A part of `rows` ([name, count, signed]), its strings coded in first-seen order, in chunks of `size` rows. */
function part(rows: ReadonlyArray<readonly [string, number, number]>, size: number): TablePart {
  const dict: string[] = [];
  const codes = rows.map(([name]) => (dict.includes(name) ? dict.indexOf(name) : dict.push(name) - 1));
  const columns: PartColumn[] = [
    { type: 'string', chunks: chunked(Int32Array, codes, size, 99), ...encodeDictionary(dict, ownMemory) },
    { type: 'long', chunks: chunked(Float64Array, rows.map((r) => r[1]), size, -1) },
    { type: 'bool', chunks: chunked(Uint8Array, rows.map((r) => r[2]), size, 7) },
  ];
  return { name: 'T', schema: SCHEMA, rowCount: rows.length, columns };
}

test('parts in chunks merge into one table, in order, each string coded once', () => {
  const first: Array<[string, number, number]> = [['ws-1', 1, 1], ['ws-2', 2, 0], ['ws-1', 3, 2], ['ws-3', 4, 1], ['ws-2', 5, 1]];
  const second: Array<[string, number, number]> = [['ws-3', 6, 0], ['ws-4', 7, 1], ['ws-1', 8, 1]];
  const third: Array<[string, number, number]> = [['ws-5', 9, 0]];
  const merged = mergeParts([part(first, 2), part(second, 4), part(third, 3)], 'merged');

  expect(merged.rowCount).toBe(9);
  expect(merged.columns.every((c) => Object.values(c).every((b) => typeof b === 'string' || b instanceof SharedArrayBuffer))).toBe(true);
  const table = tableFromShared(merged);
  const rows = Array.from({ length: table.rowCount }, (_, r) => table.columns.map((c) => (c.type === 'string' ? c.dict[c.codes[r]!] : (c.values as ArrayLike<number>)[r])));
  expect(rows).toEqual([...first, ...second, ...third]);
  const names = table.columns[0]!;
  if (names.type !== 'string') throw new Error('DeviceName is not a string column');
  expect(names.dict).toEqual(['ws-1', 'ws-2', 'ws-3', 'ws-4', 'ws-5']);
  expect(new Set(names.codes).size).toBe(5);
});

test('merging calls `between` before each column', () => {
  let calls = 0;
  const merged = mergeParts([part([['ws-1', 1, 1]], 2), part([['ws-2', 2, 0]], 2)], 'merged', () => void calls++);
  expect(merged.rowCount).toBe(2);
  expect(calls).toBe(SCHEMA.length);
});

test('a part with no rows merges to nothing of its own', () => {
  const merged = mergeParts([part([], 4), part([['ws-1', 1, 1]], 4)], 'merged');
  expect(merged.rowCount).toBe(1);
  expect(new Float64Array(merged.columns[1]!.values!)).toEqual(new Float64Array([1]));
});

/** A part read into a sink (in growable shared memory for `sharedRows` rows, when given). */
function sinkPart(rows: ReadonlyArray<readonly [string, number, number]>, sharedRows?: number): TablePart {
  const sink = new TableSink('T', SCHEMA, sharedRows);
  for (const [name, count, signed] of rows) sink.appendRecord({ DeviceName: name, Count: count, IsSigned: signed === 2 ? null : signed === 1 });
  return sink.toPart();
}

describe('a first part in growable shared memory', () => {
  // The first part's columns grow by steps of 16,384 rows, so the table must have that many more rows.
  const first = Array.from({ length: 40_000 }, (_, i): [string, number, number] => [`ws-${i % 7}`, i, i % 3]);
  const second = Array.from({ length: 20_000 }, (_, i): [string, number, number] => [`ws-${(i % 5) + 4}`, -i, (i + 1) % 3]);
  const rowsOf = (merged: SharedTable) => {
    const table = tableFromShared(merged);
    return Array.from({ length: table.rowCount }, (_, r) => table.columns.map((c) => (c.type === 'string' ? c.dict[c.codes[r]!] : (c.values as ArrayLike<number>)[r])));
  };

  test('is grown in place into the table: its rows stay where they are, the others follow', () => {
    const part = sinkPart(first, 100_000);
    const [names, counts] = part.columns;
    const merged = mergeParts([part, sinkPart(second)], 'merged');

    expect(merged.columns[0]!.codes).toBe(names!.chunks[0]);
    expect(merged.columns[1]!.values).toBe(counts!.chunks[0]);
    expect(merged.columns[1]!.values!.byteLength).toBe(60_000 * 8);
    expect(rowsOf(merged)).toEqual([...first, ...second]);
  });

  test('too small for the table, outgrown while read, or grown past the table, is copied like any part', () => {
    for (const [sharedRows, tail] of [[59_000, second], [20_000, second], [100_000, second.slice(0, 2)]] as const) {
      const part = sinkPart(first, sharedRows);
      const counts = part.columns[1]!.chunks;
      const merged = mergeParts([part, sinkPart(tail)], 'merged');
      expect(merged.columns[1]!.values).not.toBe(counts[0]);
      expect(merged.columns[1]!.values!.byteLength).toBe((40_000 + tail.length) * 8);
      expect(rowsOf(merged)).toEqual([...first, ...tail]);
    }
  });
});
