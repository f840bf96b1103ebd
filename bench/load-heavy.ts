/**
 * The load bench's heavy phases (issue 15): does the bot keep acknowledging while its local engine
 * works hard? One HuntOps bot of its own, on a copy of the sample data, takes the steady load in
 * rounds of three runs:
 *
 * 1. quiet: the sample data, nothing else;
 * 2. heavy: its `DeviceFileCertificateInfo` file is replaced by the 10,000,000-row one (no snapshot
 *    of it: loaded from the JSONL, in the background, while the sample keeps answering) and heavy
 *    hunts (`hunt all 2160h`, `2159h`, …) run back to back. The run lasts the
 *    whole load and then `tailSeconds` more, so that heavy hunts also run on the ten million rows
 *    (each over a window of its own, so none is answered by another's query);
 *    its acknowledgements are also reported apart, before and after the big table loaded;
 * 3. after: quiet again, the big table in memory (the steady hunts query ten million rows).
 *
 * Between rounds the sample file goes back and the big table's snapshot is deleted, so each round
 * loads the big file from text again. The heavy hunts go to a second fake connector, so their posts
 * never mix with the steady load's. Target: the heavy run's ack p99 within 1.2× of the quiet run
 * before it (median of the rounds' ratios), no errors, no failed heavy hunt.
 */
import { copyFileSync, linkSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { messages } from './load-activities';
import { LoadClient, now } from './load-client';
import type { ConnectorHandle } from './load-phase';
import { runPhase, type BotUnderLoad, type PhaseFigures, type PhaseOptions } from './load-phase';
import type { ForeignLoad } from './load-processes';
import { median } from './load-stats';

const TABLE = 'DeviceFileCertificateInfo';

/** The heavy target: ack p99 under heavy work at most this many times the quiet run's before it. */
export const HEAVY_MAX_RATIO = 1.2;

/** One heavy hunt: how long it took, what it showed, and whether it started with the big table loaded. */
export interface HeavyHunt {
  readonly text: string;
  readonly ms: number;
  readonly shows: string;
  readonly onBigTable: boolean;
}

/** One round of the heavy phases. */
export interface HeavyRound {
  readonly quiet: PhaseFigures;
  readonly heavy: PhaseFigures;
  readonly after: PhaseFigures;
  readonly heavyHunts: readonly HeavyHunt[];
  /** When the big file had loaded, ms after the heavy run began (absent: not within it). */
  readonly bigLoadedAfterMs?: number;
  /** Heavy run ack p99 / quiet run ack p99. */
  readonly ratio: number;
}

/** What the heavy phases found. */
export interface HeavyFigures {
  readonly rounds: readonly HeavyRound[];
  /** The median of the rounds' ratios. */
  readonly ratio: number;
  readonly pass: boolean;
}

/** A folder for the heavy bot: the sample data copied (small files), its table to be replaced later; and a spare copy of that table. */
export function heavyDataDir(sampleDir: string, work: string): string {
  const dir = path.join(work, 'heavy-data');
  mkdirSync(path.join(dir, '.sample'), { recursive: true });
  for (const file of readdirSync(sampleDir)) if (/\.(jsonl|json)$/.test(file)) copyFileSync(path.join(sampleDir, file), path.join(dir, file));
  copyFileSync(path.join(sampleDir, `${TABLE}.jsonl`), path.join(dir, '.sample', `${TABLE}.jsonl`));
  return dir;
}

/** Puts `file` in place as the bot's table file at once (staged beside it, renamed into place), by a hard link or a copy. */
function swapIn(dataDir: string, file: string, how: 'link' | 'copy'): void {
  const staged = path.join(dataDir, `.${TABLE}.jsonl.next`);
  rmSync(staged, { force: true });
  if (how === 'link') linkSync(file, staged);
  else copyFileSync(file, staged);
  renameSync(staged, path.join(dataDir, `${TABLE}.jsonl`));
}

/** Deletes the table's snapshots, so that the next load reads the data file. */
function deleteSnapshots(snapshotDir: string): void {
  for (const file of readdirSync(snapshotDir, { withFileTypes: true })) {
    if (file.isFile() && file.name.startsWith(`${TABLE}-`)) rmSync(path.join(snapshotDir, file.name), { force: true });
  }
}

/** Follows the bot's log (JSON lines) from its current end. */
class LogFollower {
  private offset = 0;
  private partial = '';

  constructor(private readonly file: string) {}

  /** Skips what is there now. */
  async skip(): Promise<void> {
    await this.read();
  }

  /** The entries written since the last read. */
  async read(): Promise<Array<Record<string, unknown>>> {
    const handle = await open(this.file, 'r');
    try {
      const { size } = await handle.stat();
      if (size <= this.offset) return [];
      const buffer = Buffer.alloc(size - this.offset);
      await handle.read(buffer, 0, buffer.length, this.offset);
      this.offset = size;
      const lines = (this.partial + buffer.toString('utf8')).split('\n');
      this.partial = lines.pop() ?? '';
      return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    } finally {
      await handle.close();
    }
  }

  /** Resolves with the time (epoch ms, the bot's clock) the table was loaded with at least `rows` rows, else `undefined` after `timeoutMs`. */
  async loaded(rows: number, timeoutMs: number, stop: () => boolean = () => false): Promise<number | undefined> {
    for (const deadline = now() + timeoutMs; now() < deadline && !stop(); await sleep(500)) {
      for (const entry of await this.read()) {
        if (entry['msg'] === 'loaded a local table' && entry['table'] === TABLE && Number(entry['rows']) >= rows) return Number(entry['time']);
      }
    }
    return undefined;
  }
}

/**
 * Sends `hunt all Nh` back to back (each after the previous one's result), N from 2160 (90 days)
 * down to 721, until `stop`: each a window of its own, so none shares another's query or answer.
 */
async function heavyHunts(origin: string, connector: ConnectorHandle, stop: () => boolean, bigLoadedAt: () => number | undefined, round: number): Promise<HeavyHunt[]> {
  const client = new LoadClient(origin, { connections: 2 });
  const done: HeavyHunt[] = [];
  try {
    for (let hours = 2160; !stop(); hours = hours > 721 ? hours - 1 : 2160) {
      const text = `hunt all ${hours}h`;
      const [request] = messages({ serviceUrl: connector.url, text, count: 1, conversations: 1, tag: `heavy-${round}-${hours}-${done.length}` });
      const started = now();
      const loadedAt = bigLoadedAt();
      const onBigTable = loadedAt !== undefined && loadedAt <= started;
      await connector.drain();
      const ack = await client.post(request!, started);
      if (ack.status !== 200) {
        done.push({ text, ms: now() - started, shows: `HTTP ${ack.status ?? ack.error}`, onBigTable });
        continue;
      }
      let progressId: string | undefined;
      let shows: string | undefined;
      while (!shows && now() - started < 600_000) {
        for (const r of (await connector.drain()).records) {
          if (r.route === 'reply' && r.activityId === request!.id) progressId = r.responseId;
          if (r.route === 'update' && progressId && r.activityId === progressId && r.shows !== 'progress') shows = r.shows;
        }
        if (!shows) await sleep(100);
      }
      done.push({ text, ms: now() - started, shows: shows ?? 'no answer', onBigTable });
    }
  } finally {
    await client.close();
  }
  return done;
}

/** Options of {@link runHeavyPhases}. */
export interface HeavyOptions {
  readonly bot: BotUnderLoad;
  readonly botLog: string;
  readonly dataDir: string;
  readonly snapshotDir: string;
  readonly bigFile: string;
  readonly bigRows: number;
  readonly connector: ConnectorHandle;
  readonly heavyConnector: ConnectorHandle;
  readonly foreign: ForeignLoad;
  /** A steady run's options, `seconds` long at most. */
  readonly phase: (tag: string, seconds: number) => PhaseOptions;
  readonly quietSeconds: number;
  /** How long the heavy run goes on once the big table has loaded. */
  readonly tailSeconds: number;
  /** The longest heavy run. */
  readonly maxSeconds: number;
  readonly rounds: number;
  readonly say: (line: string) => void;
}

/** Runs the heavy phases against `bot` (on `dataDir`, a copy of the sample). */
export async function runHeavyPhases(options: HeavyOptions): Promise<HeavyFigures> {
  const { bot, connector, foreign, say } = options;
  const log = new LogFollower(options.botLog);
  const rounds: HeavyRound[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    if (round > 1) {
      await log.skip();
      swapIn(options.dataDir, path.join(options.dataDir, '.sample', `${TABLE}.jsonl`), 'copy');
      // A hunt the bot has not answered lately (so not shared) makes it see the changed file.
      await runPhase(bot, connector, foreign, { ...options.phase(`heavy-${round}-sample-back`, 1), text: `hunt kaseya ${round}h` });
      if ((await log.loaded(0, 120_000)) === undefined) throw new Error('the bot did not load the sample back');
    }
    const quiet = await runPhase(bot, connector, foreign, options.phase(`heavy-${round}-quiet`, options.quietSeconds));
    say(`${quiet.tag} ${summary(quiet)}`);

    await log.skip();
    deleteSnapshots(options.snapshotDir);
    const startedAt = Date.now();
    swapIn(options.dataDir, options.bigFile, 'link');
    let loadedAt: number | undefined;
    let stopHunts = false;
    const watching = log.loaded(options.bigRows, options.maxSeconds * 1000, () => stopHunts).then((at) => (loadedAt = at));
    const hunts = heavyHunts(bot.origin, options.heavyConnector, () => stopHunts, () => loadedAt, round);
    const heavy = await runPhase(bot, connector, foreign, {
      ...options.phase(`heavy-${round}-under-load`, options.maxSeconds),
      until: () => loadedAt !== undefined && Date.now() - loadedAt >= options.tailSeconds * 1000,
      splitAt: () => loadedAt,
    });
    stopHunts = true;
    const heavyHuntsDone = await hunts;
    await watching;
    const bigLoadedAfterMs = loadedAt === undefined ? undefined : loadedAt - startedAt;
    say(`${heavy.tag} ${summary(heavy)}; ${loadedText(bigLoadedAfterMs, options.bigRows)}; ${huntsSummary(heavyHuntsDone)}`);
    if (loadedAt === undefined) throw new Error(`the big table did not load within ${options.maxSeconds} s`);

    const after = await runPhase(bot, connector, foreign, options.phase(`heavy-${round}-after`, options.quietSeconds));
    say(`${after.tag} ${summary(after)}`);
    rounds.push({ quiet, heavy, after, heavyHunts: heavyHuntsDone, bigLoadedAfterMs, ratio: heavy.ackP99Ms / quiet.ackP99Ms });
  }
  const failedHunts = rounds.flatMap((r) => r.heavyHunts).filter((h) => h.shows !== 'result' && h.shows !== 'empty').length;
  const ratio = median(rounds.map((r) => r.ratio));
  const clean = rounds.every((r) => [r.quiet, r.heavy, r.after].every((p) => p.errorCount === 0) && r.heavyHunts.some((h) => h.onBigTable));
  return { rounds, ratio, pass: ratio <= HEAVY_MAX_RATIO && clean && failedHunts === 0 };
}

/** One line about a phase. */
export function summary(p: PhaseFigures): string {
  const split = p.split
    ? ` (loading: p99 ${p.split.before.ackP99Ms.toFixed(1)} ms of ${p.split.before.requests}; loaded: p99 ${p.split.after.ackP99Ms.toFixed(1)} ms of ${p.split.after.requests})`
    : '';
  return `${p.requests} acks, p50 ${p.ackP50Ms.toFixed(1)} ms, p99 ${p.ackP99Ms.toFixed(1)} ms${split}, max ${p.ackMaxMs.toFixed(0)} ms, errors ${p.errorCount}, peak RSS ${(p.peakRssBytes / 2 ** 20).toFixed(0)} MB, others ${p.foreignCores.toFixed(2)} cores; the bot's threads: event loop ${p.threadCores.eventLoop.toFixed(2)}, beside it ${p.threadCores.beside.toFixed(2)}, below it ${p.threadCores.below.toFixed(2)} cores; the event loop waited for a core ${((p.cpuWaitMs / p.measuredMs) * 100).toFixed(1)}% of the time`;
}

function loadedText(ms: number | undefined, rows: number): string {
  return ms === undefined ? 'big table NOT loaded' : `${rows.toLocaleString('en')} rows loaded after ${(ms / 1000).toFixed(1)} s`;
}

/** Heavy hunts in a line: how many, on which table, how long, what they showed. */
export function huntsSummary(hunts: readonly HeavyHunt[]): string {
  const part = (list: readonly HeavyHunt[], what: string) => `${list.length} ${what} (median ${(median(list.map((h) => h.ms)) / 1000).toFixed(1)} s)`;
  const shown = [...new Set(hunts.map((h) => h.shows))].join(', ');
  return `heavy hunts: ${part(hunts.filter((h) => !h.onBigTable), 'on the sample')}, ${part(hunts.filter((h) => h.onBigTable), 'on the big table')}; shown: ${shown}`;
}
