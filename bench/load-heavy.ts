/**
 * The load bench's heavy phases (issue 15): does the bot keep acknowledging while its local engine
 * works hard? One HuntOps bot of its own, on a copy of the sample data, takes the steady load three
 * times: quiet, then while its `DeviceFileCertificateInfo` file is replaced by a 10,000,000-row one
 * (loaded in the background while the sample keeps answering) and heavy hunts (`hunt all 90d`,
 * `89d`, …, each a query of its own) run back to back, then quiet again with the big table in
 * memory. The heavy hunts go to a second fake connector, so their posts never mix with the steady
 * load's. Target: ack p99 under the heavy work within 1.2× of the quiet run before it, no errors
 * (nor a failed heavy hunt).
 */
import { copyFileSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { messages } from './load-activities';
import { LoadClient, now } from './load-client';
import type { ConnectorHandle } from './load-phase';
import { runPhase, type BotUnderLoad, type PhaseFigures, type PhaseOptions } from './load-phase';
import type { ForeignLoad } from './load-processes';

const TABLE = 'DeviceFileCertificateInfo';

/** The heavy target: ack p99 under heavy work at most this many times the quiet runs'. */
export const HEAVY_MAX_RATIO = 1.2;

/** What the heavy phases found. */
export interface HeavyFigures {
  readonly quiet: readonly PhaseFigures[];
  readonly heavy: PhaseFigures;
  /** Heavy hunts completed during the heavy phase, with their duration and what they showed. */
  readonly heavyHunts: ReadonlyArray<{ readonly text: string; readonly ms: number; readonly shows: string }>;
  /** When the big file had loaded, ms after the heavy phase began (absent: not within it). */
  readonly bigLoadedAfterMs?: number;
  readonly bigRows?: number;
  readonly ratio: number;
  readonly pass: boolean;
}

/** A folder for the heavy bot: the sample data copied (small files), its table to be replaced later. */
export function heavyDataDir(sampleDir: string, work: string): string {
  const dir = path.join(work, 'heavy-data');
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(sampleDir)) if (/\.(jsonl|json)$/.test(file)) copyFileSync(path.join(sampleDir, file), path.join(dir, file));
  return dir;
}

/** Replaces the bot's table file by the big one at once (a hard link renamed into place: no copy). */
function swapInBigFile(dataDir: string, bigFile: string): void {
  const staged = path.join(dataDir, `.${TABLE}.jsonl.next`);
  rmSync(staged, { force: true });
  linkSync(bigFile, staged);
  renameSync(staged, path.join(dataDir, `${TABLE}.jsonl`));
}

/** Sends `hunt all Nd` back to back (each after the previous one's result), N from 90 down, until `stop`. */
async function heavyHunts(origin: string, connector: ConnectorHandle, stop: () => boolean): Promise<HeavyFigures['heavyHunts']> {
  const client = new LoadClient(origin, { connections: 2 });
  const done: Array<{ text: string; ms: number; shows: string }> = [];
  try {
    for (let days = 90; !stop(); days = days > 31 ? days - 1 : 90) {
      const text = `hunt all ${days}d`;
      const [request] = messages({ serviceUrl: connector.url, text, count: 1, conversations: 1, tag: `heavy-${days}-${done.length}` });
      const started = now();
      await connector.drain();
      const ack = await client.post(request!, started);
      if (ack.status !== 200) {
        done.push({ text, ms: now() - started, shows: `HTTP ${ack.status ?? ack.error}` });
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
      done.push({ text, ms: now() - started, shows: shows ?? 'no answer' });
    }
  } finally {
    await client.close();
  }
  return done;
}

/** When the bot's log says the big table loaded, and its rows. */
function bigLoad(logFile: string, after: number, rows: number): { at: number; rows: number } | undefined {
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"loaded a local table"')) continue;
    const entry = JSON.parse(line) as { time: number; rows: number; table: string };
    if (entry.table === TABLE && entry.time >= after && entry.rows >= rows) return { at: entry.time, rows: entry.rows };
  }
  return undefined;
}

/** Runs the heavy phases against `bot` (on `dataDir`, a copy of the sample), the big file being `bigFile` of `bigRows` rows. */
export async function runHeavyPhases(options: {
  readonly bot: BotUnderLoad;
  readonly botLog: string;
  readonly dataDir: string;
  readonly bigFile: string;
  readonly bigRows: number;
  readonly connector: ConnectorHandle;
  readonly heavyConnector: ConnectorHandle;
  readonly foreign: ForeignLoad;
  readonly phase: (tag: string) => PhaseOptions;
  readonly say: (line: string) => void;
}): Promise<HeavyFigures> {
  const { bot, connector, foreign, say } = options;
  const quiet: PhaseFigures[] = [];
  quiet.push(await runPhase(bot, connector, foreign, options.phase('heavy-bot-quiet-1')));
  say(quiet[0]!.tag + ' ' + summary(quiet[0]!));

  const startedAt = Date.now();
  swapInBigFile(options.dataDir, options.bigFile);
  let stop = false;
  const hunts = heavyHunts(bot.origin, options.heavyConnector, () => stop);
  const heavy = await runPhase(bot, connector, foreign, options.phase('heavy-bot-under-load'));
  stop = true;
  const heavyHuntsDone = await hunts;
  say(`${heavy.tag} ${summary(heavy)}; heavy hunts: ${heavyHuntsDone.map((h) => `${h.text} ${(h.ms / 1000).toFixed(1)} s ${h.shows}`).join(', ')}`);

  for (let waited = 0; !bigLoad(options.botLog, startedAt, options.bigRows) && waited < 600; waited++) await sleep(1000);
  const loaded = bigLoad(options.botLog, startedAt, options.bigRows);
  quiet.push(await runPhase(bot, connector, foreign, options.phase('heavy-bot-quiet-2')));
  say(quiet[1]!.tag + ' ' + summary(quiet[1]!));

  // The same steady load without the heavy work is the run before it: the run after has the big
  // table in memory (its shared hunts query ten million rows), which is not the same load.
  const ratio = heavy.ackP99Ms / quiet[0]!.ackP99Ms;
  const failedHunts = heavyHuntsDone.filter((h) => h.shows !== 'result' && h.shows !== 'empty').length;
  return {
    quiet,
    heavy,
    heavyHunts: heavyHuntsDone,
    ...(loaded ? { bigLoadedAfterMs: loaded.at - startedAt, bigRows: loaded.rows } : {}),
    ratio,
    pass: ratio <= HEAVY_MAX_RATIO && heavy.errorCount === 0 && quiet.every((q) => q.errorCount === 0) && failedHunts === 0 && heavyHuntsDone.length > 0,
  };
}

function summary(p: PhaseFigures): string {
  return `ack p50 ${p.ackP50Ms.toFixed(1)} ms, p99 ${p.ackP99Ms.toFixed(1)} ms, errors ${p.errorCount}, peak RSS ${(p.peakRssBytes / 2 ** 20).toFixed(0)} MB, others ${p.foreignCores.toFixed(2)} cores`;
}
