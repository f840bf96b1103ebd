/**
 * One measured phase of the engine bench, in a process of its own (so its peak memory is its own):
 *
 *   engine-child.ts load <data file> <snapshot dir>     the engine reads the data file (and writes the snapshot)
 *   engine-child.ts hunt <data dir> <snapshot dir> <runs>  a new backend opens the table (from the snapshot), runs the hunts
 *   engine-child.ts duck <data file> <threads> <runs>   DuckDB loads the same file, runs the same hunts on `threads` threads
 *
 * Prints one JSON line with the figures.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { createLocalBackend } from '../src/backends/local';
import { LocalEngine } from '../src/backends/local-engine';
import { snapshotFile } from '../src/backends/local-snapshot';
import { loadCatalog } from '../src/hunt/catalog';
import { DEFENDER_SCHEMAS } from '../src/kql';
import { DuckBench, type HuntRow } from './engine-duckdb';
import { allToolsKql, allToolsSql, BENCH_WINDOW, kaseyaKql, kaseyaSql, TABLE } from './engine-hunts';
import { median } from './load-stats';

/** What a `hunt` or `duck` phase reports per hunt. */
export interface HuntFigures {
  readonly name: string;
  readonly medianMs: number;
  readonly rows: HuntRow[];
}

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
  await engine.close();
  return { ms, rows: answer.table.rowCount, from: answer.from, threads: engine.loadThreads, peakMb: peakMb() };
}

async function hunt(dataDir: string, snapshots: string, runs: number): Promise<object> {
  const anchor = new Date((JSON.parse((await import('node:fs')).readFileSync(path.join(dataDir, 'dataset.json'), 'utf8')) as { anchor: string }).anchor);
  const engine = new LocalEngine({ nice: 0 });
  const loads: Array<Record<string, unknown>> = [];
  const log = { info: (fields: object, message: string) => message === 'loaded a local table' && loads.push(fields as Record<string, unknown>), warn: () => undefined };
  const backend = createLocalBackend({ dataDir, now: () => anchor, maxWindow: BENCH_WINDOW, engine, snapshotDir: snapshots, log });
  const results: HuntFigures[] = [];
  let firstMs = 0;
  for (const h of hunts()) {
    const started = performance.now();
    const first = await backend.run({ kql: h.kql, window: BENCH_WINDOW });
    if (firstMs === 0) firstMs = performance.now() - started;
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const at = performance.now();
      await backend.run({ kql: h.kql, window: BENCH_WINDOW });
      times.push(performance.now() - at);
    }
    results.push({ name: h.name, medianMs: median(times), rows: engineRows(first.rows) });
  }
  await engine.close();
  return { firstMs, opened: loads[0], hunts: results, threads: engine.threads, peakMb: peakMb() };
}

async function duck(file: string, threads: number, runs: number): Promise<object> {
  const anchor = new Date((JSON.parse((await import('node:fs')).readFileSync(path.join(path.dirname(file), 'dataset.json'), 'utf8')) as { anchor: string }).anchor);
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
  else throw new Error('usage: engine-child.ts load FILE SNAPSHOTS | hunt DIR SNAPSHOTS RUNS | duck FILE THREADS RUNS');
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
