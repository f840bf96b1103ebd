/**
 * The fast readers of data files against the general way (JSONL: `JSON.parse` + `TableBuilder`;
 * CSV: csv-parse + the same conversions): on generated files full of what real exports hold
 * (escapes, non-ASCII text, quotes, commas and line breaks in fields, nulls, any key order) both
 * give the same table, and the general way's error for a bad file.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { loadCsvTable } from '../../src/backends/local-csv';
import { readCsvFast } from '../../src/backends/local-csv-reader';
import { LocalEngine } from '../../src/backends/local-engine';
import { readJsonlTable, LINES_PER_SLICE } from '../../src/backends/local-jsonl';
import { readTableFile } from '../../src/backends/local-table-file';
import { mergeParts } from '../../src/backends/local-table-merge';
import { tableFromShared } from '../../src/backends/local-shared-table';
import { Table, type TableSchema } from '../../src/kql';

const SCHEMA: TableSchema = [
  { name: 'Timestamp', type: 'datetime' },
  { name: 'DeviceName', type: 'string' },
  { name: 'Count', type: 'long' },
  { name: 'Port', type: 'int' },
  { name: 'Score', type: 'real' },
  { name: 'IsSigned', type: 'bool' },
  { name: 'Extra', type: 'dynamic' },
  { name: 'Took', type: 'timespan' },
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'huntops-readers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every row's values, decoded (codes and dictionaries differ between readers; values must not). */
function values(table: Table): unknown[][] {
  return Array.from({ length: table.rowCount }, (_, row) =>
    table.columns.map((c) => {
      if (c.type === 'string') return c.dict[c.codes[row]!];
      const v = c.values[row];
      return typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v;
    }),
  );
}

const text = fc.oneof(
  fc.constantFrom('ws-fin-014.corp.contoso.com', 'Krämer IT Solutions GmbH', 'DWSNET OÜ', 'C:\\Program Files\\Kaseya\\agent.exe', 'say "hi", then\nleave', '', ' ', '日本語'),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const row = fc.record(
  {
    Timestamp: fc.oneof(fc.constant(null), fc.constantFrom('2024-06-01T10:00:00Z', '2024-06-01T10:00:00.1234567Z', '2024-02-29T23:59:59.5Z', '2024-06-01 10:00', '')),
    DeviceName: fc.oneof(fc.constant(null), text),
    Count: fc.oneof(fc.constant(null), fc.integer({ min: -1e12, max: 1e12 }), fc.constant(9007199254740991)),
    Port: fc.oneof(fc.constant(null), fc.integer({ min: -2147483648, max: 2147483647 })),
    Score: fc.oneof(fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true })),
    IsSigned: fc.oneof(fc.constant(null), fc.boolean()),
    Extra: fc.oneof(fc.constant(null), fc.jsonValue({ maxDepth: 2 })),
    Took: fc.oneof(fc.constant(null), fc.constantFrom('1.02:03:04', '00:00:01.5')),
  },
  { requiredKeys: [] },
);

/** A JSON line written in one of the ways JSON allows: any key order, spaces, `\u` escapes. */
function jsonLine(record: Record<string, unknown>, shuffle: number, spaced: boolean, escaped: boolean): string {
  const keys = Object.keys(record);
  const ordered = keys.map((_, i) => keys[(i + shuffle) % keys.length]!);
  let line = JSON.stringify(Object.fromEntries(ordered.map((k) => [k, record[k]])), null, spaced ? 1 : undefined).replace(/\n/g, spaced ? ' ' : '');
  if (escaped) line = line.replace(/[é]/g, '\\u00e9').replace(/ws-/g, 'w\\u0073-');
  return line;
}

let case_ = 0;

describe('fast readers', () => {
  test('JSONL: the same table as JSON.parse + TableBuilder', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(row, fc.nat(7), fc.boolean(), fc.boolean()), { maxLength: 40 }), fc.boolean(), async (rows, crlf) => {
        const file = path.join(dir, `t${case_++}.jsonl`);
        const lines = rows.map(([r, shuffle, spaced, escaped]) => jsonLine(r, shuffle, spaced, escaped));
        writeFileSync(file, `\ufeff${lines.join(crlf ? '\r\n' : '\n')}\n\n`);
        const fast = tableFromShared(await readTableFile({ file, table: 'T', schema: SCHEMA }, 'x'));
        const general = Table.fromRecords('T', SCHEMA, lines.map((l) => JSON.parse(l) as Record<string, unknown>));
        expect(values(fast)).toEqual(values(general));
      }),
      { numRuns: 60 },
    );
  });

  test('CSV: the same table as csv-parse + the same conversions, fast or not', async () => {
    const columns = SCHEMA.map((c) => c.name);
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 40 }), fc.boolean(), fc.boolean(), async (rows, crlf, upper) => {
        const file = path.join(dir, `t${case_++}.csv`);
        const records = rows.map((r) =>
          columns.map((name) => {
            const v = (r as Record<string, unknown>)[name];
            if (v === null || v === undefined) return '';
            if (name === 'IsSigned') return upper ? (v ? 'True' : 'False') : String(v);
            if (name === 'Extra') return JSON.stringify(v);
            return String(v);
          }),
        );
        writeFileSync(file, stringify([columns, ...records], { record_delimiter: crlf ? 'windows' : 'unix' }));
        const fast = tableFromShared(await readTableFile({ file, table: 'T', schema: SCHEMA }, 'x'));
        const general = await loadCsvTable({ file, table: 'T', schema: SCHEMA });
        expect(values(fast)).toEqual(values(general));
        // Every one of these files is a plain export: the fast reader took it itself.
        expect(readCsvFast({ file, table: 'T', schema: SCHEMA })).toBeDefined();
      }),
      { numRuns: 60 },
    );
  });

  test('JSONL: strings that go together (checked against the one expected after the column before) read as JSON.parse + TableBuilder read them', async () => {
    // Few values, some the beginning of others, some a last byte apart, some with escapes, so that
    // the value expected after the column before is often right, and often wrong by a byte, a
    // quote or its length.
    const schema: TableSchema = ['A', 'B', 'C'].map((name) => ({ name, type: 'string' as const }));
    const pool = fc.constantFrom('ab', 'abc', 'a', 'abcd', 'abce', 'ab"c', 'ab\\', 'ab\\"', 'é', 'è', 'aé', '', 'abcdefgh', 'abcdefgi', 'abcdefg');
    const record = fc.record({ A: fc.oneof(fc.constant(null), fc.constantFrom('x', 'y', 'abc')), B: pool, C: pool }, { requiredKeys: ['B'] });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(record, fc.nat(2), fc.boolean()), { minLength: 20, maxLength: 80 }), async (rows) => {
        const file = path.join(dir, `t${case_++}.jsonl`);
        const lines = rows.map(([r, shuffle, escaped]) => jsonLine(r, shuffle, false, escaped));
        writeFileSync(file, `${lines.join('\n')}\n`);
        const fast = tableFromShared(await readTableFile({ file, table: 'T', schema }, 'x'));
        const general = Table.fromRecords('T', schema, lines.map((l) => JSON.parse(l) as Record<string, unknown>));
        expect(values(fast)).toEqual(values(general));
        for (const column of fast.columns) if (column.type === 'string') expect(new Set(column.dict).size).toBe(column.dict.length);
      }),
      { numRuns: 200 },
    );
  });

  test('JSONL: a raw control character in a string is not JSON, whether or not a valid string shares its beginning', async () => {
    const file = path.join(dir, 'control.jsonl');
    for (const bad of ['\u0001', '\t', '\r']) {
      writeFileSync(file, `{"DeviceName":"ws-fin-014.corp.contoso.com"}\n{"DeviceName":"ws-fin-014.corp${bad}contoso.com"}\n`);
      await expect(readTableFile({ file, table: 'T', schema: SCHEMA }, 'x')).rejects.toThrow(new RegExp(`^${file}, line 2: not valid JSON \\(Bad control character in string literal`));
    }
    writeFileSync(file, `{"DeviceName":"ws\\tfin"}\n{"DeviceName":"ws\\tfin"}\n`);
    expect(values(tableFromShared(await readTableFile({ file, table: 'T', schema: SCHEMA }, 'x'))).map((r) => r[1])).toEqual(['ws\tfin', 'ws\tfin']);
  });

  test('JSONL: lines cut by the ends of read chunks, and a line longer than a chunk, read as JSON.parse + TableBuilder read them', async () => {
    const records = Array.from({ length: 15_000 }, (_, i) => ({
      Timestamp: '2024-06-01T10:00:00Z',
      DeviceName: i === 7_345 ? `ws-${'x'.repeat(9_000_000)}` : `ws-${i}-${'é'.repeat(i % 17)}`,
      Count: i,
      Extra: i % 3 === 0 ? { path: `C:\\Temp\\${i}` } : null,
    }));
    const jsonl = path.join(dir, 'long.jsonl');
    const lines = records.map((r) => JSON.stringify(r));
    writeFileSync(jsonl, `${lines.join('\n')}\n`);
    const general = values(Table.fromRecords('T', SCHEMA, lines.map((l) => JSON.parse(l) as Record<string, unknown>)));
    expect(statSync(jsonl).size).toBeGreaterThan(8 * 1024 * 1024);
    expect(values(tableFromShared(await readTableFile({ file: jsonl, table: 'T', schema: SCHEMA }, 'x')))).toEqual(general);
  });

  test('CSV the fast reader is not sure of goes the general way, which reads it or words its error', async () => {
    const file = path.join(dir, 'odd.csv');
    writeFileSync(file, 'DeviceName,Count\r\n"a, b",1\nc,2\r\n');
    expect(readCsvFast({ file, table: 'T', schema: SCHEMA })).toBeUndefined();
    writeFileSync(file, 'DeviceName,Count\nws-1,seven\n');
    expect(readCsvFast({ file, table: 'T', schema: SCHEMA })).toBeUndefined();
    await expect(readTableFile({ file, table: 'T', schema: SCHEMA }, 'x')).rejects.toThrow(`${file}, line 2: column Count: expected a whole number, got "seven"`);
    writeFileSync(file, 'DeviceName,Count\nws-1,7\nws-2,8,9\n');
    await expect(readTableFile({ file, table: 'T', schema: SCHEMA }, 'x')).rejects.toThrow(/line 3: not valid CSV/);
    writeFileSync(file, 'DeviceName,Count\nws-1,7\n');
    expect(readCsvFast({ file, table: 'T', schema: SCHEMA })?.rowCount).toBe(1);
  });
});

describe('giving way while reading', () => {
  test('JSONL and CSV: the readers call `between` every slice of lines and read the same table', () => {
    const rowCount = 3 * LINES_PER_SLICE + 10;
    const records = Array.from({ length: rowCount }, (_, i) => ({ Timestamp: '2024-06-01T10:00:00Z', DeviceName: `ws-${i % 17}`, Count: i, IsSigned: i % 2 === 0 }));
    const jsonl = path.join(dir, 'slices.jsonl');
    writeFileSync(jsonl, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const csv = path.join(dir, 'slices.csv');
    const columns = SCHEMA.map((c) => c.name);
    writeFileSync(csv, stringify([columns, ...records.map((r) => columns.map((name) => String((r as Record<string, unknown>)[name] ?? '')))]));
    const general = values(Table.fromRecords('T', SCHEMA, records));
    for (const file of [jsonl, csv]) {
      let calls = 0;
      const source = { file, table: 'T', schema: SCHEMA };
      const sink = file.endsWith('.csv') ? readCsvFast(source, { between: () => void calls++ }) : readJsonlTable(source, { between: () => void calls++ });
      expect(sink).toBeDefined();
      expect(values(tableFromShared(mergeParts([sink!.toPart()], 'x')))).toEqual(general);
      expect(calls).toBe(3);
    }
  });
});

describe('reading a file in parts', () => {
  const engine = new LocalEngine({ threads: 1, loadThreads: 3, minPartBytes: 1, nice: 0 });
  afterAll(() => engine.close());

  async function loaded(file: string): Promise<Table | string> {
    const info = statSync(file);
    const answer = await engine.load({ source: { file, table: 'T', schema: SCHEMA }, version: { file, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino }, id: 'p' });
    return answer.ok ? tableFromShared(answer.table) : answer.dataError;
  }

  test('JSONL and CSV read in parts on several threads give the table read whole', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 30 }), async (rows) => {
        const jsonl = path.join(dir, `p${case_++}.jsonl`);
        const lines = rows.map((r) => JSON.stringify(r));
        writeFileSync(jsonl, `${lines.join('\n')}\n`);
        const general = Table.fromRecords('T', SCHEMA, lines.map((l) => JSON.parse(l) as Record<string, unknown>));
        expect(values((await loaded(jsonl)) as Table)).toEqual(values(general));
        const csv = path.join(dir, `p${case_++}.csv`);
        const columns = SCHEMA.map((c) => c.name);
        const cell = (r: Record<string, unknown>, name: string): string => (r[name] === null || r[name] === undefined ? '' : name === 'Extra' ? JSON.stringify(r[name]) : String(r[name]));
        writeFileSync(csv, stringify([columns, ...rows.map((r) => columns.map((n) => cell(r as Record<string, unknown>, n)))]));
        expect(values((await loaded(csv)) as Table)).toEqual(values(await loadCsvTable({ file: csv, table: 'T', schema: SCHEMA })));
      }),
      { numRuns: 25 },
    );
  });

  test('a problem in a later part names the line of the whole file', async () => {
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, `${Array.from({ length: 40 }, (_, i) => (i === 33 ? '{"Count": "x"}' : `{"Count": ${i}}`)).join('\n')}\n`);
    expect(await loaded(file)).toBe(`${file}, line 34: column Count: expected an integer (long), got "x"`);
  });
});
