/**
 * The engine bench: loading `DeviceFileCertificateInfo` from JSONL and CSV, opening it again from
 * its columnar snapshot, and the Kaseya and all-tools hunts on it, on the local engine beside
 * DuckDB on the same files, in the same run.
 *
 *   npm run bench:engine [-- --preset large|xlarge] [--runs N] [--load-runs N] [--data DIR]
 *
 * Presets (the generator's, `scripts/generate-data.ts`): `large`, 1,000,000 rows of noise plus the
 * planted devices, as JSONL and as CSV (written once into `DIR`, default
 * `<tmp>/huntops-bench-engine`, and reused while its `dataset.json` says it is that data);
 * `xlarge`, 10,000,000 rows (a real organisation's month), JSONL only (default
 * `<tmp>/huntops-bench-engine-xlarge`; the preset's other tables are not needed by these hunts).
 *
 * Each phase runs in a process of its own (`engine-child.ts`, compiled to JavaScript and run on
 * plain `node` as production runs `dist/`, see `load-build.ts`), so its peak memory (`maxRSS`,
 * worker threads included) is its own:
 * 1. **load**: the engine reads the data file on its loading threads (one per core) until the
 *    table answers, then writes the snapshot (timed apart: hunts do not wait for it); DuckDB's
 *    `read_json`/`read_csv` into an in-memory table (its default threads, one per core) on the same
 *    file. The file is read through once first, so both start with it in the page cache (whoever
 *    went first used to pay for reading it from disk), and the two take turns `--load-runs` times
 *    (default 5 for `large`, 1 for `xlarge`; medians: a shared machine's speed moves by a third
 *    from one minute to the next).
 * 2. **open + hunts**: a new backend (as after a restart) opens the table from the snapshot and
 *    runs each hunt once, then `--runs` times (median): `Backend.run` from KQL text to result rows
 *    on a query thread. DuckDB runs the same hunts as SQL on as many threads as the engine gives
 *    a query (one). Both must return the same devices, tools, counts and reports. The engine runs
 *    them again with its clock 200 days past the data's anchor, as the bot runs a recorded sample
 *    (every datetime seen moved), which must give the same rows, moved.
 * 3. **shift**: in one process, the hunts with that shift on the data's own clock (the engine's
 *    way, `src/kql/data-clock.ts`) and over a copy of the table with its datetimes moved, the copy
 *    made per query as the engine did before (included in the time); same rows both ways.
 *
 * Targets (issue 15): loads within 1.5× DuckDB's; hunts within 1.0× DuckDB's; peak memory of the
 * open + hunts process at most 2 GB at 10M rows (1 GB at 1M).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forEachChunk } from '../src/backends/local-chunks';
import { snapshotFile } from '../src/backends/local-snapshot';
import { generateDataset, type DatasetInfo, type Preset } from '../scripts/generate-data';
import type { HuntRow } from './engine-duckdb';
import { buildForBench } from './load-build';
import type { HuntFigures, ShiftFigures } from './engine-child';
import { TABLE } from './engine-hunts';
import { median } from './load-stats';

const TARGETS = { loadRatio: 1.5, huntRatio: 1.0, peakMb: { large: 1024, xlarge: 2048 } } as const;
const ROWS = { large: 1_000_000, xlarge: 10_000_000 } as const;

interface Options {
  readonly preset: 'large' | 'xlarge';
  readonly runs: number;
  readonly loadRuns: number;
  readonly dataDir: string;
}

function parseOptions(argv: readonly string[]): Options {
  let runs = 7;
  let loadRuns: number | undefined;
  let preset: Options['preset'] = 'large';
  let dataDir: string | undefined;
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (argv[i] === '--runs' && value && /^\d+$/.test(value) && Number(value) > 0) runs = Number(value);
    else if (argv[i] === '--load-runs' && value && /^\d+$/.test(value) && Number(value) > 0) loadRuns = Number(value);
    else if (argv[i] === '--data' && value) dataDir = path.resolve(value);
    else if (argv[i] === '--preset' && (value === 'large' || value === 'xlarge')) preset = value;
    else throw new Error('usage: npm run bench:engine [-- --preset large|xlarge] [--runs N] [--load-runs N] [--data DIR]');
  }
  return { runs, preset, loadRuns: loadRuns ?? (preset === 'large' ? 5 : 1), dataDir: dataDir ?? path.join(os.tmpdir(), preset === 'large' ? 'huntops-bench-engine' : 'huntops-bench-engine-xlarge') };
}

async function ensureData(dir: string, preset: Preset, format: 'jsonl' | 'csv'): Promise<DatasetInfo> {
  const infoFile = path.join(dir, 'dataset.json');
  if (existsSync(infoFile) && existsSync(path.join(dir, `${TABLE}.${format}`))) {
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as DatasetInfo;
    if (info.preset === preset && info.seed === 1 && (info.rows[TABLE] ?? 0) >= ROWS[preset as 'large' | 'xlarge']) return info;
  }
  console.log(`generating the ${preset} preset's ${TABLE} (${format}) in ${dir} (once) ...`);
  return generateDataset({ out: dir, preset, tables: [TABLE], seed: 1, format });
}

let childScript = '';

/** Reads `file` through once (the readers' own chunked reading), so that the loads measured after find it in the page cache. */
function readThrough(file: string): void {
  forEachChunk(file, { start: 0, end: statSync(file).size }, (bytes) => bytes.length);
}

/** Runs a phase in its own process (plain `node` on the compiled build, as production runs); its figures. */
function child<T>(...args: string[]): T {
  const out = execFileSync(process.execPath, [childScript, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

function sameRows(a: readonly HuntRow[], b: readonly HuntRow[]): boolean {
  const text = (rows: readonly HuntRow[]): string => JSON.stringify([...rows].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)));
  return text(a) === text(b);
}

const ms = (value: number): string => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value.toFixed(value < 10 ? 2 : 0)} ms`);

interface LoadFigures {
  readonly ms: number;
  readonly snapshotMs: number;
  readonly rows: number;
  readonly threads: number;
  readonly peakMb: number;
}
interface HuntPhase {
  readonly firstMs: number;
  readonly opened: { readonly seconds: number; readonly from: string };
  readonly hunts: HuntFigures[];
  readonly threads: number;
  readonly peakMb: number;
}
interface ShiftPhase {
  readonly hunts: ShiftFigures[];
}
interface DuckPhase {
  readonly loadMs: number;
  readonly loadThreads: string;
  readonly version: string;
  readonly hunts: HuntFigures[];
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  childScript = buildForBench().engineChild;
  const files: Array<{ format: 'JSONL' | 'CSV'; file: string; dir: string }> = [];
  const info = await ensureData(options.dataDir, options.preset, 'jsonl');
  files.push({ format: 'JSONL', file: path.join(options.dataDir, `${TABLE}.jsonl`), dir: options.dataDir });
  if (options.preset === 'large') {
    const csvDir = path.join(options.dataDir, 'csv');
    await ensureData(csvDir, options.preset, 'csv');
    files.push({ format: 'CSV', file: path.join(csvDir, `${TABLE}.csv`), dir: csvDir });
  }
  const [load1, load5] = os.loadavg();
  console.log(
    `${(info.rows[TABLE] ?? 0).toLocaleString('en')} ${TABLE} rows (${options.preset}), ${options.runs} runs per hunt, Node ${process.version}, ` +
      `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${load1!.toFixed(1)} / ${load5!.toFixed(1)} (1 / 5 min) at the start`,
  );
  const snapshots = mkdtempSync(path.join(os.tmpdir(), 'huntops-bench-snapshots-'));
  let ok = true;
  try {
    console.log('');
    console.log(`| load (median of ${options.loadRuns}, in turns) | engine: until it answers | engine: snapshot written after | DuckDB | engine / DuckDB | engine peak RSS |`);
    console.log('|---|---|---|---|---|---|');
    let duckJsonl: DuckPhase | undefined;
    for (const { format, file } of files) {
      readThrough(file);
      const engines: LoadFigures[] = [];
      const ducks: DuckPhase[] = [];
      for (let i = 0; i < options.loadRuns; i++) {
        const engineLoad = () => {
          rmSync(snapshotFile(snapshots, TABLE, file), { force: true });
          engines.push(child<LoadFigures>('load', file, snapshots));
        };
        const duckLoad = () => ducks.push(child<DuckPhase>('duck', file, '1', String(options.runs)));
        for (const load of i % 2 === 0 ? [engineLoad, duckLoad] : [duckLoad, engineLoad]) load();
      }
      const duck = ducks.at(-1)!;
      if (format === 'JSONL') duckJsonl = duck;
      const engineMs = median(engines.map((e) => e.ms));
      const duckMs = median(ducks.map((d) => d.loadMs));
      const ratio = engineMs / duckMs;
      ok &&= ratio <= TARGETS.loadRatio;
      const range = (values: number[]) => (values.length > 1 ? ` (${ms(Math.min(...values))}–${ms(Math.max(...values))})` : '');
      console.log(
        `| ${format}, ${engines[0]!.rows.toLocaleString('en')} rows | ${ms(engineMs)}${range(engines.map((e) => e.ms))}, ${engines[0]!.threads} threads | ` +
          `${ms(median(engines.map((e) => e.snapshotMs)))} | ${ms(duckMs)}${range(ducks.map((d) => d.loadMs))}, ${duck.loadThreads} threads | ${ratio.toFixed(2)}x | ${Math.max(...engines.map((e) => e.peakMb)).toFixed(0)} MB |`,
      );
    }
    const hunt = child<HuntPhase>('hunt', options.dataDir, snapshots, String(options.runs));
    console.log('');
    console.log(`open from the snapshot (a restart, a second process): ${ms(hunt.opened.seconds * 1000)} (${hunt.opened.from}); first hunt ${ms(hunt.firstMs)} including it`);
    console.log('');
    console.log(
      `| hunt (median of ${options.runs}) | engine (${hunt.threads} query thread${hunt.threads === 1 ? '' : 's'}, a query on one) | DuckDB (1 thread) | engine / DuckDB | rows | same rows as DuckDB | engine, clock 200 days on (a recorded sample) | same rows, moved |`,
    );
    console.log('|---|---|---|---|---|---|---|---|');
    hunt.hunts.forEach((e, i) => {
      const d = duckJsonl!.hunts[i]!;
      const ratio = e.medianMs / d.medianMs;
      const same = sameRows(e.rows, d.rows);
      ok &&= same && ratio <= TARGETS.huntRatio && e.shifted!.sameRows;
      console.log(
        `| ${e.name} | ${ms(e.medianMs)} | ${ms(d.medianMs)} | ${ratio.toFixed(2)}x | ${e.rows.length} | ${same ? 'yes' : 'NO'} | ${ms(e.shifted!.medianMs)} | ${e.shifted!.sameRows ? 'yes' : 'NO'} |`,
      );
    });
    const moved = child<ShiftPhase>('shift', files[0]!.file, snapshots, String(options.runs));
    console.log('');
    console.log(`| hunt with a recorded sample's shift, in-process (median of ${options.runs}) | on the data's clock | datetimes moved per query (before) | data clock / moved | same rows |`);
    console.log('|---|---|---|---|---|');
    for (const h of moved.hunts) {
      ok &&= h.sameRows;
      console.log(`| ${h.name} | ${ms(h.dataClockMs)} | ${ms(h.movedMs)} | ${(h.dataClockMs / h.movedMs).toFixed(2)}x | ${h.sameRows ? 'yes' : 'NO'} |`);
    }
    const peakTarget = TARGETS.peakMb[options.preset];
    ok &&= hunt.peakMb <= peakTarget && hunt.opened.from === 'snapshot';
    console.log('');
    console.log(`engine peak memory (maxRSS of the open + hunts process, threads included): ${hunt.peakMb.toFixed(0)} MB`);
    console.log(`DuckDB ${duckJsonl!.version}`);
    console.log(
      `targets (loads <= ${TARGETS.loadRatio}x DuckDB, hunts <= ${TARGETS.huntRatio}x DuckDB on the same threads, same rows (also shifted), peak <= ${peakTarget} MB, opened from the snapshot): ${ok ? 'met' : 'NOT met'}`,
    );
  } finally {
    rmSync(snapshots, { recursive: true, force: true });
  }
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
