/** Long scans in slices: the calls between them, and answers the same as in one go. */
import { executeKql, SLICE_ROWS, TableBuilder, tablesFrom, type TableSchema } from '../../src/kql';
import { allRowsInSlices, forEachSlice } from '../../src/kql/scan-slices';
import { FALSE, selectTrue, TRUE } from '../../src/kql/vectors';

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
    const build = () => {
      const builder = new TableBuilder('T', schema);
      for (const row of rows) builder.append(row);
      return tablesFrom([builder.build()]);
    };
    const query = "T | where s has 'kaseya' and n % 2 == 1 | summarize c = count(), lo = min(n), hi = max(n)";
    const whole = executeKql(query, { tables: build(), now: new Date() }).rows;
    const tables = build();
    let between = 0;
    const sliced = executeKql(query, { tables, now: new Date(), slices: { between: () => void between++ } }).rows;
    expect(sliced).toEqual(whole);
    const expected = rows.filter((r) => r.n % 7 === 0 && r.n % 2 === 1);
    expect(whole).toEqual([{ c: expected.length, lo: expected[0]!.n, hi: expected.at(-1)!.n }]);
    // The table's row numbers (made at its first scan), then the where: three slices each.
    expect(between).toBe(6);
    // A later scan of the same table shares its row numbers: only the where's slices.
    between = 0;
    expect(executeKql(query, { tables, now: new Date(), slices: { between: () => void between++ } }).rows).toEqual(whole);
    expect(between).toBe(3);
  });

  test('a selection every row of which is kept is shared, not copied', () => {
    const sel = Uint32Array.of(4, 9, 2);
    expect(selectTrue(Uint8Array.of(TRUE, TRUE, TRUE), sel)).toBe(sel);
    const kept = selectTrue(Uint8Array.of(TRUE, FALSE, TRUE), sel);
    expect(kept).not.toBe(sel);
    expect(Array.from(kept)).toEqual([4, 2]);
    expect(Array.from(sel)).toEqual([4, 9, 2]);
  });

  test("a table's row numbers are made once, and no query writes to them", () => {
    const schema: TableSchema = [
      { name: 'n', type: 'long' },
      { name: 's', type: 'string' },
    ];
    const builder = new TableBuilder('T', schema);
    for (let i = 0; i < 50; i++) builder.append({ n: (i * 37) % 50, s: `v${i % 6}` });
    const table = builder.build();
    const tables = tablesFrom([table]);
    const first = table.rowNumbers();
    expect(Array.from(first)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(table.rowNumbers({ between: () => undefined })).toBe(first);
    // Steps that narrow, keep whole, reorder or regroup the table's selection.
    const queries = [
      'T | where n >= 0',
      'T | sort by n asc',
      'T | top 5 by n desc',
      'T | where n > 10 | take 3',
      'T | order by s asc, n desc | where n % 2 == 0',
      'T | summarize c = count() by s | sort by s',
      'T | join kind=inner (T | where n < 5) on n | project n, s',
      'union T, (T | where n > 45) | summarize count()',
      'T | extend m = n * 2 | where m > 60 | project n',
    ];
    const answers = queries.map((q) => executeKql(q, { tables, now: new Date() }).rows);
    expect(table.rowNumbers()).toBe(first);
    expect(Array.from(first)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(queries.map((q) => executeKql(q, { tables, now: new Date(), slices: { rows: 7, between: () => undefined } }).rows)).toEqual(answers);
    expect(answers[0]).toHaveLength(50);
    expect(answers[1]!.map((r) => r['n'])).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
