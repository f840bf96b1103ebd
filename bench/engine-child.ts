/**
 * One measured phase of the engine bench, in a process of its own (so its peak memory is its own):
 *
 *   engine-child.ts load <data file> <snapshot dir>     the engine reads the data file (then writes the snapshot, timed apart)
 *   engine-child.ts hunt <data dir> <snapshot dir> <runs>  a new backend opens the table (from the snapshot), runs the hunts
 *   engine-child.ts duck <data file> <threads> <runs>   DuckDB loads the same file, runs the same hunts on `threads` threads
 *   engine-child.ts shift <data file> <snapshot dir> <runs>  the hunts with a recorded sample's shift, in this process: on the
 *                                                         data's own clock, and over tables with the datetimes moved (a copy per query, as before)
 *
 * Prints one JSON line with the figures.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createLocalBackend } from '../src/backends/local';
import { LocalEngine } from '../src/backends/local-engine';
import { readSnapshot, snapshotFile } from '../src/backends/local-snapshot';
import { tableFromShared } from '../src/backends/local-shared-table';
import { loadCatalog } from '../src/hunt/catalog';
import { DEFENDER_SCHEMAS, executeKql, tablesFrom } from '../src/kql';
import { DuckBench, type HuntRow } from './engine-duckdb';
import { allToolsKql, allToolsSql, BENCH_WINDOW, kaseyaKql, kaseyaSql, TABLE } from './engine-hunts';
import { median } from './load-stats';

/** What a `hunt` or `duck` phase reports per hunt. */
export interface HuntFigures {
  readonly name: string;
  readonly medianMs: number;
  readonly rows: HuntRow[];
  /** `hunt`: the same through the backend with the clock {@link SHIFT_MS} past the data's anchor (a recorded sample, as the bot runs it). */
  readonly shifted?: { readonly medianMs: number; readonly sameRows: boolean };
}

/** What the `shift` phase reports per hunt. */
export interface ShiftFigures {
  readonly name: string;
  readonly dataClockMs: number;
  readonly movedMs: number;
  readonly sameRows: boolean;
}

/** How far past the data's anchor the clock is for the shifted runs: days, hours, minutes, seconds and milliseconds. */
export const SHIFT_MS = ((200 * 24 + 3) * 60 + 17) * 60_000 + 12_345;

const peakMb = (): number => process.resourceUsage().maxRSS / 1024;

function hunts() {
  const catalog = loadCatalog();
  const kaseya = catalog.get('kaseya')!;
  return [
    { name: 'Kaseya', kql: kaseyaKql(kaseya), sql: kaseyaSql(kaseya) },
    { name: 'all tools', kql: allToolsKql(catalog.tools), sql: allToolsSql(catalog.tools) },
  ];
}

/** The engine's result rows in the shape DuckDB's are compared in. */
function engineRows(rows: ReadonlyArray<Readonly<Record<string, unknown>>>): HuntRow[] {
  return rows.map((r) => ({
    key: [r['Tool'] ?? '', r['DeviceId'], r['DeviceName']].join('|'),
    count: r['Count'] as number,
    report: [...(r['Report'] as number[])].sort((a, b) => a - b),
    firstSeen: Date.parse(r['FirstSeen'] as string),
    lastSeen: Date.parse(r['LastSeen'] as string),
  }));
}

async function load(file: string, snapshots: string): Promise<object> {
  const engine = new LocalEngine({ nice: 0 });
  const info = statSync(file);
  const started = performance.now();
  const answer = await engine.load({
    source: { file, table: TABLE, schema: DEFENDER_SCHEMAS[TABLE] },
    version: { file, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino },
    id: 'bench',
    snapshotFile: snapshotFile(snapshots, TABLE, file),
  });
  const ms = performance.now() - started;
  if (!answer.ok) throw new Error(answer.dataError);
  const snapshot = await answer.snapshotWritten;
  if (!snapshot || snapshot.notWritten) throw new Error(`no snapshot written: ${snapshot?.notWritten ?? 'none asked for'}`);
  const snapshotMs = performance.now() - started - ms;
  await engine.close();
  return { ms, snapshotMs, rows: answer.table.rowCount, from: answer.from, threads: engine.loadThreads, peakMb: peakMb() };
}

function anchorOf(dataDir: string): Date {
  return new Date((JSON.parse(readFileSync(path.join(dataDir, 'dataset.json'), 'utf8')) as { anchor: string }).anchor);
}

/** The rows with their datetimes moved back by `ms`. */
function movedBack(rows: readonly HuntRow[], ms: number): HuntRow[] {
  return rows.map((r) => ({ ...r, firstSeen: r.firstSeen - ms, lastSeen: r.lastSeen - ms }));
}

async function timed(runs: number, run: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const at = performance.now();
    await run();
    times.push(performance.now() - at);
  }
  return median(times);
}

async function hunt(dataDir: string, snapshots: string, runs: number): Promise<object> {
  const anchor = anchorOf(dataDir);
  let clock = anchor;
  const engine = new LocalEngine({ nice: 0 });
  const loads: Array<Record<string, unknown>> = [];
  const log = { info: (fields: object, message: string) => message === 'loaded a local table' && loads.push(fields as Record<string, unknown>), warn: () => undefined };
  const backend = createLocalBackend({ dataDir, now: () => clock, maxWindow: BENCH_WINDOW, engine, snapshotDir: snapshots, log });
  const results: HuntFigures[] = [];
  let firstMs = 0;
  for (const h of hunts()) {
    clock = anchor;
    const started = performance.now();
    const first = await backend.run({ kql: h.kql, window: BENCH_WINDOW });
    if (firstMs === 0) firstMs = performance.now() - started;
    const medianMs = await timed(runs, () => backend.run({ kql: h.kql, window: BENCH_WINDOW }));
    clock = new Date(anchor.getTime() + SHIFT_MS);
    const shiftedRows = engineRows((await backend.run({ kql: h.kql, window: BENCH_WINDOW })).rows);
    const shiftedMs = await timed(runs, () => backend.run({ kql: h.kql, window: BENCH_WINDOW }));
    const rows = engineRows(first.rows);
    results.push({ name: h.name, medianMs, rows, shifted: { medianMs: shiftedMs, sameRows: JSON.stringify(movedBack(shiftedRows, SHIFT_MS)) === JSON.stringify(rows) } });
  }
  await engine.close();
  return { firstMs, opened: loads[0], hunts: results, threads: engine.threads, peakMb: peakMb() };
}

/**
 * The hunts with a recorded sample's shift, in this process: on the data's own clock (what the
 * engine does now) and over a copy of the table with its datetimes moved (what it did before, per
 * query, the copy included in the time).
 */
async function shift(file: string, snapshots: string, runs: number): Promise<object> {
  const info = statSync(file);
  const shared = readSnapshot(snapshotFile(snapshots, TABLE, file), DEFENDER_SCHEMAS[TABLE], { file, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino }, 'shift');
  if ('reason' in shared) throw new Error(`no snapshot to read: ${shared.reason}`);
  const table = tableFromShared(shared);
  const now = new Date(anchorOf(path.dirname(file)).getTime() + SHIFT_MS);
  const results: ShiftFigures[] = [];
  for (const h of hunts()) {
    const onDataClock = () => executeKql(h.kql, { tables: tablesFrom([table]), now, datetimeShiftMs: SHIFT_MS });
    const overMoved = () => executeKql(h.kql, { tables: tablesFrom([table.withShiftedDatetimes(SHIFT_MS)]), now });
    const same = JSON.stringify(onDataClock().rows) === JSON.stringify(overMoved().rows);
    // Warmed up alike, then timed in turns, so neither has the other's JIT or GC on its account.
    const times = { dataClock: [] as number[], moved: [] as number[] };
    for (let i = 0; i < 2 * runs; i++) {
      const dataClockMs = await timed(1, onDataClock);
      const movedMs = await timed(1, overMoved);
      if (i >= runs) times.dataClock.push(dataClockMs), times.moved.push(movedMs);
    }
    results.push({ name: h.name, dataClockMs: median(times.dataClock), movedMs: median(times.moved), sameRows: same });
  }
  return { hunts: results, peakMb: peakMb() };
}

async function duck(file: string, threads: number, runs: number): Promise<object> {
  const anchor = anchorOf(path.dirname(file));
  const db = await DuckBench.open(file, DEFENDER_SCHEMAS[TABLE]);
  await db.setThreads(threads);
  const window = { start: new Date(anchor.getTime() - 5 * 86_400_000), end: anchor };
  const results: HuntFigures[] = [];
  for (const h of hunts()) {
    const first = await db.run(h.sql, window);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push((await db.run(h.sql, window)).ms);
    results.push({ name: h.name, medianMs: median(times), rows: first.rows });
  }
  return { loadMs: db.loadMs, loadThreads: db.threads, version: db.version, hunts: results, huntThreads: threads };
}

async function main(): Promise<void> {
  const [phase, a, b, c] = process.argv.slice(2);
  let figures: object;
  if (phase === 'load' && a && b) figures = await load(a, b);
  else if (phase === 'hunt' && a && b && c) figures = await hunt(a, b, Number(c));
  else if (phase === 'duck' && a && b && c) figures = await duck(a, Number(b), Number(c));
  else if (phase === 'shift' && a && b && c) figures = await shift(a, b, Number(c));
  else throw new Error('usage: engine-child.ts load FILE SNAPSHOTS | hunt DIR SNAPSHOTS RUNS | duck FILE THREADS RUNS | shift FILE SNAPSHOTS RUNS');
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
