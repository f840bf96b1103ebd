/**
 * The engine bench: the Kaseya hunt and the all-tools hunt over 1,000,000
 * `DeviceFileCertificateInfo` rows on the local backend, beside the same hunts in DuckDB.
 *
 *   npm run bench:engine [-- --runs N] [--data DIR]
 *
 * Data: the generator's large preset, that table only (1,000,000 rows of noise plus the planted
 * devices), written once into `DIR` (default `<tmp>/huntops-bench-engine`) and reused while its
 * `dataset.json` says it is that data.
 *
 * What is measured. The bot loads a table once and keeps it (see `src/backends/local.ts`), so a
 * hunt is a query on a warm cache: `Backend.run` from KQL text to result rows (parse, compile,
 * run, shape), median of `--runs` runs after one warm-up. Loading is reported on its own: the
 * first hunt, on a cold cache, loads the file. DuckDB's numbers are the same: its `read_json` load, then the SQL queries on
 * its in-memory table, median of as many runs. Peak memory is the process's peak resident set
 * (`maxRSS`) after the engine's part, before DuckDB is loaded. The engine runs on one thread;
 * DuckDB on as many as it likes (its `threads` setting is printed).
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalBackend } from '../src/backends/local';
import { loadCatalog } from '../src/hunt/catalog';
import { DEFENDER_SCHEMAS } from '../src/kql';
import { generateDataset, type DatasetInfo } from '../scripts/generate-data';
import { DuckBench, type HuntRow } from './engine-duckdb';
import { allToolsKql, allToolsSql, BENCH_WINDOW, kaseyaKql, kaseyaSql } from './engine-hunts';
import { median } from './load-stats';

const TABLE = 'DeviceFileCertificateInfo';
const NOISE_ROWS = 1_000_000;
const TARGET_MS = 1000;
const TARGET_RATIO = 5;
const TARGET_RSS_MB = 1024;

interface Options {
  readonly runs: number;
  readonly dataDir: string;
}

function parseOptions(argv: readonly string[]): Options {
  let runs = 7;
  let dataDir = path.join(os.tmpdir(), 'huntops-bench-engine');
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (argv[i] === '--runs' && value && /^\d+$/.test(value) && Number(value) > 0) runs = Number(value);
    else if (argv[i] === '--data' && value) dataDir = path.resolve(value);
    else throw new Error('usage: npm run bench:engine [-- --runs N] [--data DIR]');
  }
  return { runs, dataDir };
}

async function ensureData(dir: string): Promise<DatasetInfo> {
  const infoFile = path.join(dir, 'dataset.json');
  if (existsSync(infoFile) && existsSync(path.join(dir, `${TABLE}.jsonl`))) {
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as DatasetInfo;
    if (info.preset === 'large' && info.seed === 1 && (info.rows[TABLE] ?? 0) >= NOISE_ROWS) return info;
  }
  console.log(`generating ${NOISE_ROWS.toLocaleString('en')} ${TABLE} rows in ${dir} (once) ...`);
  return generateDataset({ out: dir, preset: 'large', tables: [TABLE], rows: NOISE_ROWS, seed: 1 });
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

function sameRows(a: readonly HuntRow[], b: readonly HuntRow[]): boolean {
  const text = (rows: readonly HuntRow[]): string => JSON.stringify([...rows].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)));
  return text(a) === text(b);
}

const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 0)} ms`;

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const info = await ensureData(options.dataDir);
  const anchor = new Date(info.anchor);
  const file = path.join(options.dataDir, `${TABLE}.jsonl`);
  const catalog = loadCatalog();
  const kaseya = catalog.get('kaseya')!;
  const hunts = [
    { name: 'Kaseya', kql: kaseyaKql(kaseya), sql: kaseyaSql(kaseya) },
    { name: 'all tools', kql: allToolsKql(catalog.tools), sql: allToolsSql(catalog.tools) },
  ];
  console.log(`${(info.rows[TABLE] ?? 0).toLocaleString('en')} ${TABLE} rows (${file}), ${options.runs} runs per hunt, Node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);

  const backend = createLocalBackend({ dataDir: options.dataDir, now: () => anchor, maxWindow: BENCH_WINDOW });
  const engine: Array<{ median: number; rows: HuntRow[] }> = [];
  let coldMs = 0;
  for (const hunt of hunts) {
    const started = performance.now();
    const first = await backend.run({ kql: hunt.kql, window: BENCH_WINDOW });
    if (coldMs === 0) coldMs = performance.now() - started;
    const times: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const started = performance.now();
      await backend.run({ kql: hunt.kql, window: BENCH_WINDOW });
      times.push(performance.now() - started);
    }
    engine.push({ median: median(times), rows: engineRows(first.rows) });
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  const duck = await DuckBench.open(file, DEFENDER_SCHEMAS[TABLE]);
  const window = { start: new Date(anchor.getTime() - 5 * 86_400_000), end: anchor };
  const duckResults: Array<{ median: number; rows: HuntRow[] }> = [];
  for (const hunt of hunts) {
    const first = await duck.run(hunt.sql, window);
    const times: number[] = [];
    for (let i = 0; i < options.runs; i++) times.push((await duck.run(hunt.sql, window)).ms);
    duckResults.push({ median: median(times), rows: first.rows });
  }

  console.log('');
  console.log('| hunt | engine (median) | DuckDB (median) | engine / DuckDB | rows | same rows as DuckDB |');
  console.log('|---|---|---|---|---|---|');
  let ok = true;
  hunts.forEach((hunt, i) => {
    const e = engine[i]!;
    const d = duckResults[i]!;
    const ratio = e.median / d.median;
    const same = sameRows(e.rows, d.rows);
    ok &&= same;
    if (hunt.name === 'Kaseya') ok &&= e.median <= TARGET_MS && ratio <= TARGET_RATIO;
    console.log(`| ${hunt.name} | ${ms(e.median)} | ${ms(d.median)} | ${ratio.toFixed(2)}x | ${e.rows.length} | ${same ? 'yes' : 'NO'} |`);
  });
  console.log('');
  console.log(`load (JSONL, once): engine ${ms(coldMs)} (the first Kaseya hunt on a cold cache: load + hunt), DuckDB read_json ${ms(duck.loadMs)}`);
  console.log(`engine peak memory (maxRSS, load + hunts): ${peakRssMb.toFixed(0)} MB`);
  console.log(`DuckDB ${duck.version}, threads ${duck.threads}; the engine runs on one thread`);
  ok &&= peakRssMb <= TARGET_RSS_MB;
  console.log(`targets (Kaseya <= ${TARGET_MS} ms and <= ${TARGET_RATIO}x DuckDB, peak <= ${TARGET_RSS_MB} MB, same rows): ${ok ? 'met' : 'NOT met'}`);
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
