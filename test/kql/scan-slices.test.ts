/** Long scans in slices: the calls between them, and answers the same as in one go. */
import { executeKql, SLICE_ROWS, TableBuilder, tablesFrom, type TableSchema } from '../../src/kql';
import { allRowsInSlices, forEachSlice } from '../../src/kql/scan-slices';

describe('scan slices', () => {
  test('cover [0, count) in order, with a call before each slice', () => {
    const seen: string[] = [];
    forEachSlice(10, { rows: 4, between: () => seen.push('between') }, (from, to) => seen.push(`${from}-${to}`));
    expect(seen).toEqual(['between', '0-4', 'between', '4-8', 'between', '8-10']);
    const none: string[] = [];
    forEachSlice(0, { rows: 4, between: () => none.push('between') }, () => none.push('slice'));
    expect(none).toEqual([]);
  });

  test('refuse a slice that is not a positive whole number of rows', () => {
    for (const rows of [0, -1, 1.5, Number.NaN]) expect(() => forEachSlice(3, { rows, between: () => undefined }, () => undefined)).toThrow(RangeError);
  });

  test('fill the row numbers as in one go', () => {
    let calls = 0;
    expect(Array.from(allRowsInSlices(7, { rows: 3, between: () => void calls++ }))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(calls).toBe(3);
  });

  test('a where over more rows than a slice answers as in one go, a call between each default slice', () => {
    const rowCount = 2 * SLICE_ROWS + 1234;
    const schema: TableSchema = [
      { name: 'n', type: 'long' },
      { name: 's', type: 'string' },
    ];
    const rows = Array.from({ length: rowCount }, (_, i) => ({ n: i, s: i % 7 === 0 ? 'Kaseya Holdings' : `vendor ${i % 13}` }));
    const builder = new TableBuilder('T', schema);
    for (const row of rows) builder.append(row);
    const tables = tablesFrom([builder.build()]);
    const query = "T | where s has 'kaseya' and n % 2 == 1 | summarize c = count(), lo = min(n), hi = max(n)";
    const whole = executeKql(query, { tables, now: new Date() }).rows;
    let between = 0;
    const sliced = executeKql(query, { tables, now: new Date(), slices: { between: () => void between++ } }).rows;
    expect(sliced).toEqual(whole);
    const expected = rows.filter((r) => r.n % 7 === 0 && r.n % 2 === 1);
    expect(whole).toEqual([{ c: expected.length, lo: expected[0]!.n, hi: expected.at(-1)!.n }]);
    // The table's row numbers, then the where: three slices each.
    expect(between).toBe(6);
  });
});
