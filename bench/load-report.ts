/**
 * The load bench's report: repeated phases reduced to medians per bot and load, the HuntOps/echo
 * ratios, and the targets of issue 6 checked against them.
 */
import type { PhaseFigures } from './load-phase';
import { median } from './load-stats';

/** Issue 6's targets. */
export const TARGETS = {
  /** HuntOps' acknowledgement p50 and p99 at most this many times the echo bot's, at both loads. */
  maxRatioToEcho: 1.5,
  /** HuntOps' acknowledgement p99 at the steady load, at most. */
  steadyP99Ms: 100,
} as const;

/** Medians over the repetitions of one bot under one load. */
export interface Summary {
  readonly bot: PhaseFigures['bot'];
  readonly load: PhaseFigures['load'];
  readonly runs: number;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  readonly completedPerSecond: number;
  readonly completionP50Ms: number;
  readonly completionP99Ms: number;
  /** Summed over the repetitions. */
  readonly errors: number;
  /** The highest of the repetitions. */
  readonly peakRssMb: number;
  readonly cpuMsPerRequest: number;
  /** CPU cores kept busy by other processes on the machine (median): noise. */
  readonly foreignCores: number;
  /** The bot's event loop's wait for a CPU per phase (median ms): contention. */
  readonly cpuWaitMs: number;
}

/** HuntOps ÷ echo acknowledgement latency, per load. */
export interface Ratio {
  readonly load: PhaseFigures['load'];
  /** Ratio of the medians. */
  readonly p50: number;
  readonly p99: number;
  /** Median of the ratios of runs with the same number (run back to back, so under similar noise): the one the targets use. */
  readonly pairedP50: number;
  readonly pairedP99: number;
}

/** One target, checked. */
export interface TargetCheck {
  readonly target: string;
  readonly pass: boolean;
  readonly detail: string;
}

/** Everything the bench measured and concluded. */
export interface BenchReport {
  readonly settings: Record<string, unknown>;
  readonly summaries: readonly Summary[];
  readonly ratios: readonly Ratio[];
  readonly targets: readonly TargetCheck[];
  readonly phases: readonly PhaseFigures[];
}

const LOADS: ReadonlyArray<PhaseFigures['load']> = ['burst', 'steady'];
const BOTS: ReadonlyArray<PhaseFigures['bot']> = ['echo', 'huntops'];

/** Reduces the measured phases to a report. */
export function buildReport(phases: readonly PhaseFigures[], settings: Record<string, unknown>): BenchReport {
  const summaries: Summary[] = [];
  for (const load of LOADS) {
    for (const bot of BOTS) {
      const runs = phases.filter((p) => p.bot === bot && p.load === load);
      if (runs.length === 0) continue;
      const med = (pick: (p: PhaseFigures) => number) => median(runs.map(pick));
      summaries.push({
        bot,
        load,
        runs: runs.length,
        ackP50Ms: med((p) => p.ackP50Ms),
        ackP99Ms: med((p) => p.ackP99Ms),
        completedPerSecond: med((p) => p.completedPerSecond),
        completionP50Ms: med((p) => p.completionP50Ms),
        completionP99Ms: med((p) => p.completionP99Ms),
        errors: runs.reduce((sum, p) => sum + p.errorCount, 0),
        peakRssMb: Math.max(...runs.map((p) => p.peakRssBytes)) / 2 ** 20,
        cpuMsPerRequest: med((p) => p.cpuMsPerRequest),
        foreignCores: med((p) => p.foreignCores),
        cpuWaitMs: med((p) => p.cpuWaitMs),
      });
    }
  }
  const find = (bot: Summary['bot'], load: Summary['load']) => summaries.find((s) => s.bot === bot && s.load === load);
  const ratios: Ratio[] = [];
  const targets: TargetCheck[] = [];
  for (const load of LOADS) {
    const hunt = find('huntops', load);
    const echo = find('echo', load);
    if (!hunt || !echo) continue;
    const pairs = phases
      .filter((h) => h.bot === 'huntops' && h.load === load)
      .flatMap((h) => phases.filter((e) => e.bot === 'echo' && e.load === load && e.run === h.run).map((e) => [h, e] as const));
    const ratio: Ratio = {
      load,
      p50: hunt.ackP50Ms / echo.ackP50Ms,
      p99: hunt.ackP99Ms / echo.ackP99Ms,
      pairedP50: median(pairs.map(([h, e]) => h.ackP50Ms / e.ackP50Ms)),
      pairedP99: median(pairs.map(([h, e]) => h.ackP99Ms / e.ackP99Ms)),
    };
    ratios.push(ratio);
    targets.push({ target: `${load}: no errors`, pass: hunt.errors === 0, detail: `HuntOps ${hunt.errors} error(s), echo ${echo.errors}` });
    for (const p of ['p50', 'p99'] as const) {
      const h = p === 'p50' ? hunt.ackP50Ms : hunt.ackP99Ms;
      const e = p === 'p50' ? echo.ackP50Ms : echo.ackP99Ms;
      const paired = p === 'p50' ? ratio.pairedP50 : ratio.pairedP99;
      targets.push({
        target: `${load}: ack ${p} within ${TARGETS.maxRatioToEcho}x of echo`,
        pass: paired <= TARGETS.maxRatioToEcho,
        detail: `${paired.toFixed(2)}x run for run (medians ${ms(h)} vs ${ms(e)} = ${ratio[p].toFixed(2)}x)`,
      });
    }
    if (load === 'steady') {
      targets.push({
        target: `steady: ack p99 <= ${TARGETS.steadyP99Ms} ms`,
        pass: hunt.ackP99Ms <= TARGETS.steadyP99Ms,
        detail: `${ms(hunt.ackP99Ms)}`,
      });
    }
  }
  return { settings, summaries, ratios, targets, phases };
}

function ms(value: number): string {
  return Number.isNaN(value) ? 'n/a' : `${value.toFixed(1)} ms`;
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c < 2 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

/** The phases one by one (for the log while the bench runs). */
export function formatPhase(p: PhaseFigures): string {
  const errors = p.errorCount === 0 ? 'no errors' : `${p.errorCount} errors (${p.errorSamples.join('; ')})`;
  return (
    `${p.tag}: ack p50 ${ms(p.ackP50Ms)} p99 ${ms(p.ackP99Ms)} max ${ms(p.ackMaxMs)}; ` +
    `${p.completed}/${p.requests} done, ${p.completedPerSecond.toFixed(1)}/s, done p99 ${ms(p.completionP99Ms)}; ` +
    `peak RSS ${(p.peakRssBytes / 2 ** 20).toFixed(0)} MB; CPU ${p.cpuMsPerRequest.toFixed(2)} ms/req; ` +
    `generator lag p99 ${ms(p.generatorLagP99Ms)}, connector loop delay p99 ${ms(p.connectorLoopDelayP99Ms)}; ` +
    `bot waited for CPU ${ms(p.cpuWaitMs)}, other processes ${p.foreignCores.toFixed(2)} cores; ${errors}`
  );
}

/** The report as text: the summary table, the ratios, the targets. */
export function formatReport(report: BenchReport): string {
  const header = ['load', 'bot', 'runs', 'ack p50', 'ack p99', 'done/s', 'done p50', 'done p99', 'errors', 'peak RSS', 'CPU/req', 'CPU wait', 'others'];
  const rows = report.summaries.map((s) => [
    s.load,
    s.bot === 'huntops' ? 'HuntOps' : 'echo',
    String(s.runs),
    ms(s.ackP50Ms),
    ms(s.ackP99Ms),
    s.completedPerSecond.toFixed(1),
    ms(s.completionP50Ms),
    ms(s.completionP99Ms),
    String(s.errors),
    `${s.peakRssMb.toFixed(0)} MB`,
    `${s.cpuMsPerRequest.toFixed(2)} ms`,
    ms(s.cpuWaitMs),
    s.foreignCores.toFixed(2),
  ]);
  const lines = [
    table([header, ...rows]),
    '',
    'ack = HTTP answer to the POST, from its scheduled send time; done = result update (HuntOps) or reply (echo) at the connector.',
    'CPU/req = bot CPU time per request; CPU wait = time the bot had work but no CPU, per run;',
    'others = CPU cores that processes outside the bench kept busy meanwhile. Both measure noise.',
    'Figures are medians over the runs; errors are summed; peak RSS is the highest run.',
    '',
    ...report.ratios.map(
      (r) =>
        `HuntOps/echo at ${r.load}: ack p50 ${r.pairedP50.toFixed(2)}x, ack p99 ${r.pairedP99.toFixed(2)}x ` +
        `(median of run-for-run ratios; ratio of medians ${r.p50.toFixed(2)}x, ${r.p99.toFixed(2)}x)`,
    ),
    '',
    ...report.targets.map((t) => `${t.pass ? 'PASS' : 'FAIL'}  ${t.target}: ${t.detail}`),
  ];
  return lines.join('\n');
}
