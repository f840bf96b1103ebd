/**
 * Generates Defender-shaped event files for the local backend: `DeviceFileCertificateInfo`,
 * `DeviceProcessEvents`, `DeviceNetworkEvents`, `DeviceFileEvents` and `DeviceInfo`, as
 * `<Table>.jsonl` or `<Table>.csv`, plus `dataset.json` (`anchor`, `seed`, `preset`, ...). The local backend shifts every time by
 * (now − anchor), so recorded data always looks recent.
 *
 *   npx tsx scripts/generate-data.ts --out <dir> [--preset sample|large|xlarge] [--rows N] [--seed S]
 *                                    [--format jsonl|csv] [--tables T1,T2] [--anchor ISO]
 *
 * Deterministic: the same arguments give byte-identical files. Each table has its own random
 * stream, so `--tables` and `--format` change nothing in the rows of a table. Rows are written as
 * they are made: the large preset (a million rows per table by default) runs in bounded memory.
 *
 * Presets. `sample` (committed as `data/sample/`, see its README): about 300 devices, the planted
 * scenario of `scripts/data-scenario.ts`, the Kaseya stories of `scripts/data-stories.ts` and a
 * little everyday noise. `large`: about 6,000 devices, the same planted scenario and stories,
 * every catalog tool planted for each of its hunts on a few devices (listed in `dataset.json`
 * under `synthetic`), and noise: a million certificate rows and 250,000 process, network and
 * file rows (`--rows N`: N rows of noise in every event table). `xlarge`, a real organisation's
 * month: about 10,000 devices, ten million certificate rows and 2,500,000 process, network and
 * file rows, planted like `large`. `DeviceInfo` has no noise: one report per device (see
 * `data-stories.ts`).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadCatalog, type RmmTool } from '../src/hunt/catalog';
import { DEFENDER_SCHEMAS, type DefenderTableName } from '../src/kql/schemas';
import { BENIGN_PROGRAMS, type BenignProgram } from './data-benign';
import { buildInventory, type Device, type InventorySize } from './data-devices';
import { SeededRandom } from './data-random';
import { SYSTEM_ACCOUNT } from './data-devices';
import { certificateRow, fakeHash, networkRow, processRow, type Program, type Row } from './data-rows';
import { lolrmmDevices, LOLRMM_PROFILES, LOLRMM_SIGHTINGS } from './data-lolrmm';
import { fileEventRow } from './data-rows-evidence';
import { PROFILES, SIGHTINGS, WORKGROUP_DEVICES, type Sighting, type VendorProfile } from './data-scenario';
import { storyEndpoints, storyRows, type Endpoints } from './data-stories';
import { satisfy } from './data-synthetic';
import { openRowWriter, type DataFormat } from './data-writers';

/** The generator's presets. */
export type Preset = 'sample' | 'large' | 'xlarge';

/** The tables the generator writes, in this order. */
export const TABLES: readonly DefenderTableName[] = ['DeviceFileCertificateInfo', 'DeviceProcessEvents', 'DeviceNetworkEvents', 'DeviceFileEvents', 'DeviceInfo'];

/** The tables with everyday noise (`DeviceInfo` holds one report per device instead). */
type NoisyTable = Exclude<DefenderTableName, 'DeviceInfo'>;

/** The anchor of every generated data set unless `--anchor` names another: its "now". */
export const DEFAULT_ANCHOR = '2025-06-02T12:00:00.000Z';
/** The seed unless `--seed` names another. */
export const DEFAULT_SEED = 1;

const DAY_MS = 86_400_000;
const HISTORY_DAYS = 30;
const FIRST_REPORT_ID = 10_000;

interface PresetSettings {
  readonly inventory: InventorySize;
  /** Rows of everyday noise per table (`--rows` replaces it for every noisy table). */
  readonly noise: Readonly<Record<NoisyTable, number>>;
  /** Devices per hunt of every catalog tool planted synthetically. */
  readonly syntheticDevices: number;
}

const PRESETS: Readonly<Record<Preset, PresetSettings>> = {
  sample: {
    inventory: { scale: 1, digits: 3 },
    noise: { DeviceFileCertificateInfo: 1500, DeviceProcessEvents: 300, DeviceNetworkEvents: 300, DeviceFileEvents: 40 },
    syntheticDevices: 0,
  },
  large: {
    inventory: { scale: 20, digits: 4 },
    noise: { DeviceFileCertificateInfo: 1_000_000, DeviceProcessEvents: 250_000, DeviceNetworkEvents: 250_000, DeviceFileEvents: 250_000 },
    syntheticDevices: 3,
  },
  xlarge: {
    inventory: { scale: 36, digits: 4 },
    noise: { DeviceFileCertificateInfo: 10_000_000, DeviceProcessEvents: 2_500_000, DeviceNetworkEvents: 2_500_000, DeviceFileEvents: 2_500_000 },
    syntheticDevices: 3,
  },
};

/** What to generate. */
export interface GenerateOptions {
  /** The folder to write into (created when missing). */
  readonly out: string;
  readonly preset?: Preset;
  /** Rows of everyday noise per table; the preset's when absent. */
  readonly rows?: number;
  readonly seed?: number;
  readonly format?: DataFormat;
  /** Tables to write; all of {@link TABLES} when absent. */
  readonly tables?: readonly DefenderTableName[];
  /** The data set's "now", ISO 8601. */
  readonly anchor?: string;
}

/** A planted hunt target of the large preset. */
export interface SyntheticPlant {
  readonly tool: string;
  readonly hunt: 'fileSignature' | 'process' | 'network';
  /** Bare host names. */
  readonly devices: readonly string[];
}

/** The content of `dataset.json`. */
export interface DatasetInfo {
  /** The data's "now": the local backend shifts every time by (now − anchor). */
  readonly anchor: string;
  readonly seed: number;
  readonly preset: Preset;
  readonly format: DataFormat;
  /** Rows written per table. */
  readonly rows: Partial<Record<DefenderTableName, number>>;
  /** Large preset only: where every catalog tool was planted for each of its hunts (within the last 5 days). */
  readonly synthetic?: readonly SyntheticPlant[];
}

/** One event to write: a row maker at a time on a device. */
interface PlannedEvent {
  readonly device: Device;
  readonly time: Date;
  readonly program: Program;
  readonly url?: string;
}

function streamSeed(seed: number, label: string): number {
  return parseInt(fakeHash(`${seed}:${label}`, 8), 16) | 0;
}

function at(anchor: number, daysAgo: number): Date {
  return new Date(anchor - Math.round(daysAgo * DAY_MS));
}

/** Times of a sighting's events: evenly from its first to its last day, a few minutes of jitter. */
function sightingTimes(anchor: number, daysAgo: readonly [number, number], count: number, random: SeededRandom): Date[] {
  const [first, last] = daysAgo;
  return Array.from({ length: count }, (_, i) => {
    const day = count === 1 ? first : first - ((first - last) * i) / (count - 1);
    return new Date(at(anchor, day).getTime() + random.int(-15, 15) * 60_000);
  });
}

/** A planted story: its sightings, their programs, and the name of its random stream. */
interface Story {
  readonly sightings: readonly Sighting[];
  readonly profiles: Readonly<Record<string, VendorProfile>>;
  readonly stream: string;
}

const SCENARIO: Story = { sightings: SIGHTINGS, profiles: PROFILES, stream: 'scenario' };
const LOLRMM_STORY: Story = { sightings: LOLRMM_SIGHTINGS, profiles: LOLRMM_PROFILES, stream: 'lolrmm' };

/** A planted story's events for one table (the same times in every table: one random stream). */
function scenarioEvents(table: DefenderTableName, anchor: number, devices: ReadonlyMap<string, Device>, seed: number, story: Story = SCENARIO): PlannedEvent[] {
  const random = new SeededRandom(streamSeed(seed, story.stream));
  const events: PlannedEvent[] = [];
  for (const sighting of story.sightings) {
    const profile = story.profiles[sighting.profile];
    const device = devices.get(sighting.device);
    if (!profile || !device) throw new Error(`scenario: unknown profile ${sighting.profile} or device ${sighting.device}`);
    const program: Program = { ...profile, signer: sighting.signer };
    const times = sightingTimes(anchor, sighting.daysAgo, Math.max(sighting.certificates, 1), random);
    if (table === 'DeviceFileCertificateInfo') {
      times.slice(0, sighting.certificates).forEach((time) => events.push({ device, time, program }));
    } else if (table === 'DeviceProcessEvents' && sighting.process) {
      times.forEach((time) => events.push({ device, time: new Date(time.getTime() - 60_000), program }));
    } else if (table === 'DeviceNetworkEvents' && sighting.network) {
      times.forEach((time, i) => events.push({ device, time: new Date(time.getTime() + 120_000), program, url: profile.urls[i % profile.urls.length]! }));
    }
  }
  return events;
}

interface SyntheticEvent extends PlannedEvent {
  readonly tables: readonly DefenderTableName[];
}

/** The large preset's synthetic plants: every hunt of every tool on a few devices, within the last 5 days. */
function syntheticPlants(tools: readonly RmmTool[], inventory: readonly Device[], perHunt: number, anchor: number, random: SeededRandom): { events: SyntheticEvent[]; plants: SyntheticPlant[] } {
  const events: SyntheticEvent[] = [];
  const plants: SyntheticPlant[] = [];
  const candidates = inventory.filter((d) => d.role !== 'server');
  for (const tool of tools) {
    const hunts = [
      ['fileSignature', tool.fileSignature],
      ['process', tool.process],
      ['network', tool.network],
    ] as const;
    for (const [hunt, spec] of hunts) {
      if (!spec) continue;
      const devices = Array.from({ length: perHunt }, () => random.pick(candidates));
      plants.push({ tool: tool.id, hunt, devices: [...new Set(devices.map((d) => d.host))].sort() });
      for (const device of devices) {
        const signer = tool.fileSignature ? random.pick(tool.fileSignature.signers) : `${tool.name} Software`;
        const time = at(anchor, 0.3 + random.fraction() * 4.2);
        if (hunt === 'fileSignature') {
          const made = satisfy(tool, [], signer);
          events.push({ device, time, program: made.program, tables: ['DeviceFileCertificateInfo'] });
          continue;
        }
        const made = satisfy(tool, 'filter' in spec ? spec.filter : [], signer);
        const table: DefenderTableName = hunt === 'process' ? 'DeviceProcessEvents' : 'DeviceNetworkEvents';
        const tables: DefenderTableName[] = made.needsCertificate ? ['DeviceFileCertificateInfo', table] : [table];
        events.push({ device, time, program: made.program, url: made.url ?? `${tool.id}.example`, tables });
      }
    }
  }
  return { events, plants };
}

function benignEvent(table: DefenderTableName, inventory: readonly Device[], anchor: number, random: SeededRandom): PlannedEvent {
  const programs: ReadonlyArray<readonly [BenignProgram, number]> = BENIGN_PROGRAMS.filter((p) => table !== 'DeviceNetworkEvents' || p.urls.length > 0).map((p) => [p, p.weight]);
  const program = random.weighted(programs);
  const time = at(anchor, 0.01 + random.fraction() * (HISTORY_DAYS - 0.01));
  return { device: random.pick(inventory), time, program, ...(program.urls.length ? { url: random.pick(program.urls) } : {}) };
}

function rowOf(table: NoisyTable, event: PlannedEvent, reportId: number, random: SeededRandom, endpoints: Endpoints): Row {
  const context = { device: event.device, time: event.time, reportId };
  if (table === 'DeviceFileCertificateInfo') return certificateRow(context, event.program, random);
  if (table === 'DeviceProcessEvents') return processRow(context, event.program, random);
  if (table === 'DeviceFileEvents') return fileEventRow(context, event.program, { action: 'FileModified', writer: event.program, account: SYSTEM_ACCOUNT }, random);
  return { ...networkRow(context, event.program, event.url!, random), ...endpoints.get(event.url!) };
}

/** Generates a data set; resolves with what `dataset.json` says. */
export async function generateDataset(options: GenerateOptions): Promise<DatasetInfo> {
  const preset = options.preset ?? 'sample';
  const settings = PRESETS[preset];
  const seed = options.seed ?? DEFAULT_SEED;
  const format = options.format ?? 'jsonl';
  const anchorText = new Date(options.anchor ?? DEFAULT_ANCHOR).toISOString();
  const anchor = Date.parse(anchorText);
  const tables = TABLES.filter((t) => !options.tables || options.tables.includes(t));
  if (options.rows !== undefined && (!Number.isInteger(options.rows) || options.rows < 0)) throw new Error(`--rows must be a whole number, not ${options.rows}`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, not ${seed}`);

  const required = [...new Set(SIGHTINGS.map((s) => s.device))];
  const inventory = buildInventory(new SeededRandom(streamSeed(seed, 'inventory')), settings.inventory, required, WORKGROUP_DEVICES);
  const byHost = new Map(inventory.map((d) => [d.host, d]));
  const lolrmmHosts = lolrmmDevices(new SeededRandom(streamSeed(seed, 'lolrmm-devices')));
  const endpoints = storyEndpoints(byHost);
  const synthetic = settings.syntheticDevices > 0 ? syntheticPlants(loadCatalog().tools, inventory, settings.syntheticDevices, anchor, new SeededRandom(streamSeed(seed, 'synthetic'))) : undefined;

  await mkdir(options.out, { recursive: true });
  const rows: Partial<Record<DefenderTableName, number>> = {};
  for (const table of tables) {
    const random = new SeededRandom(streamSeed(seed, table));
    const columns = DEFENDER_SCHEMAS[table].map((c) => c.name);
    const writer = openRowWriter(path.join(options.out, `${table}.${format}`), format, columns);
    let reportId = FIRST_REPORT_ID;
    if (table !== 'DeviceInfo') {
      const planted = [...scenarioEvents(table, anchor, byHost, seed), ...(synthetic?.events.filter((e) => e.tables.includes(table)) ?? [])];
      for (const event of planted) await writer.write(rowOf(table, event, reportId++, random, endpoints));
      const noise = options.rows ?? settings.noise[table];
      for (let i = 0; i < noise; i++) await writer.write(rowOf(table, benignEvent(table, inventory, anchor, random), reportId++, random, endpoints));
    }
    for (const row of storyRows(table, { anchor, inventory: [...inventory, ...lolrmmHosts.values()], byHost, endpoints, random, firstReportId: reportId })) {
      await writer.write(row);
      reportId++;
    }
    if (table !== 'DeviceInfo') {
      const lolrmmRandom = new SeededRandom(streamSeed(seed, `${table}:lolrmm`));
      for (const event of scenarioEvents(table, anchor, lolrmmHosts, seed, LOLRMM_STORY)) await writer.write(rowOf(table, event, reportId++, lolrmmRandom, endpoints));
    }
    await writer.close();
    rows[table] = reportId - FIRST_REPORT_ID;
  }

  const info: DatasetInfo = { anchor: anchorText, seed, preset, format, rows, ...(synthetic ? { synthetic: synthetic.plants } : {}) };
  await writeFile(path.join(options.out, 'dataset.json'), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

const USAGE =
  'usage: npx tsx scripts/generate-data.ts --out <dir> [--preset sample|large|xlarge] [--rows N] [--seed S] [--format jsonl|csv] [--tables T1,T2] [--anchor ISO]';

/** Parses the command line; throws with the usage on anything it does not know. */
export function parseArgs(argv: readonly string[]): GenerateOptions {
  const options: { -readonly [K in keyof GenerateOptions]?: GenerateOptions[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    i++;
    switch (flag) {
      case '--out':
        options.out = value;
        break;
      case '--preset':
        if (value !== 'sample' && value !== 'large' && value !== 'xlarge') throw new Error(`unknown preset '${value}'\n${USAGE}`);
        options.preset = value;
        break;
      case '--rows':
        options.rows = /^\d+$/.test(value) ? Number(value) : NaN;
        break;
      case '--seed':
        options.seed = /^-?\d+$/.test(value) ? Number(value) : NaN;
        break;
      case '--format':
        if (value !== 'jsonl' && value !== 'csv') throw new Error(`unknown format '${value}'\n${USAGE}`);
        options.format = value;
        break;
      case '--tables': {
        const names = value.split(',').map((t) => t.trim());
        const unknown = names.filter((t) => !TABLES.includes(t as DefenderTableName));
        if (unknown.length) throw new Error(`unknown table ${unknown.join(', ')} (known: ${TABLES.join(', ')})\n${USAGE}`);
        options.tables = names as DefenderTableName[];
        break;
      }
      case '--anchor':
        if (Number.isNaN(Date.parse(value))) throw new Error(`--anchor must be an ISO 8601 datetime, not '${value}'\n${USAGE}`);
        options.anchor = value;
        break;
      default:
        throw new Error(`unknown argument '${flag}'\n${USAGE}`);
    }
  }
  if (!options.out) throw new Error(`--out is required\n${USAGE}`);
  return options as GenerateOptions;
}

if (require.main === module) {
  const started = Date.now();
  generateDataset(parseArgs(process.argv.slice(2))).then(
    (info) => {
      const counts = Object.entries(info.rows).map(([table, count]) => `${table} ${count}`);
      console.log(`wrote ${counts.join(', ')} rows (${info.preset}, seed ${info.seed}, anchor ${info.anchor}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(2);
    },
  );
}
