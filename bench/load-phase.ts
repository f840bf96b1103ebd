/**
 * One load phase against one bot: send the requests (burst or steady), wait until the fake
 * connector has seen each one's completion (HuntOps: the result update; echo: the reply) or a
 * timeout, and reduce it all to figures.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { messages } from './load-activities';
import { now, sendBurst, sendSteady, type Acknowledgement, type LoadClient } from './load-client';
import type { ConnectorCommand, ConnectorMessage, ConnectorRecord } from './load-connector';
import { threadCores, type ForeignLoad, type ProcessMeter, type ThreadPlace } from './load-processes';
import { percentile } from './load-stats';

/** The fake connector process, seen from the load generator. */
export class ConnectorHandle {
  constructor(
    private readonly process: ChildProcess,
    readonly url: string,
  ) {}

  /** Everything recorded since the last drain, and the connector's event-loop delay p99 meanwhile. */
  async drain(): Promise<{ records: readonly ConnectorRecord[]; loopDelayP99Ms: number }> {
    const answer = once(this.process, 'message') as Promise<[ConnectorMessage]>;
    this.process.send({ type: 'drain' } satisfies ConnectorCommand);
    const [message] = await answer;
    if (message.type !== 'records') throw new Error(`connector answered ${message.type} to drain`);
    return message;
  }
}

/** A bot under load. */
export interface BotUnderLoad {
  readonly name: 'huntops' | 'echo';
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly client: LoadClient;
  readonly meter: ProcessMeter;
  /** Whether it is still running (a crash ends the bench). */
  readonly alive: () => boolean;
  /** What completes a request: HuntOps' final in-place update, or the echo's reply. */
  readonly completes: 'update' | 'reply';
}

/** What a phase sends. */
export interface PhaseOptions {
  readonly load: 'burst' | 'steady';
  readonly count: number;
  /** Requests per second (steady only). */
  readonly perSecond?: number;
  readonly conversations: number;
  readonly text: string;
  /** Unique per phase: prefixes the activity ids. */
  readonly tag: string;
  /** Which repetition (0 for warm-up); HuntOps and echo runs of the same number are compared as a pair. */
  readonly run: number;
  /** How long after the last acknowledgement to wait for completions. */
  readonly completionTimeoutMs: number;
  /** Steady only: stop sending once this says so (`count` is then the most sent). */
  readonly until?: () => boolean;
  /** The acknowledgements due before and after this instant (epoch ms; undefined: none) are also reported apart. */
  readonly splitAt?: () => number | undefined;
}

/** Acknowledgement figures of part of a phase. */
export interface AckFigures {
  readonly requests: number;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  readonly ackMaxMs: number;
}

/** Why requests count as errors. */
export interface ErrorCounts {
  /** The POST was answered with a non-2xx status. */
  http: number;
  /** The POST failed without an answer (reset, refused, timeout). */
  connection: number;
  /** Acknowledged, but the bot posted nothing to the connector. */
  missingPost: number;
  /** HuntOps: the progress message was never updated with a result. */
  missingUpdate: number;
  /** The bot posted a failure (failed hunt, "something went wrong") or something unexpected. */
  wrongAnswer: number;
  /** Connector calls answered ≥ 400 (unknown route, update of an unknown message). */
  connector: number;
}

/** A phase's figures. */
export interface PhaseFigures {
  readonly bot: BotUnderLoad['name'];
  readonly load: PhaseOptions['load'];
  readonly tag: string;
  readonly run: number;
  /** When the first request was due (epoch ms). */
  readonly startedAt: number;
  readonly requests: number;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  readonly ackMaxMs: number;
  /** Completions (result updates / replies) seen at the connector. */
  readonly completed: number;
  /** Completions per second, from the first scheduled send to the last completion. */
  readonly completedPerSecond: number;
  /** Scheduled send → completion at the connector. */
  readonly completionP50Ms: number;
  readonly completionP99Ms: number;
  readonly errors: ErrorCounts;
  readonly errorCount: number;
  /** First few error details, for the report. */
  readonly errorSamples: readonly string[];
  readonly peakRssBytes: number;
  /** Bot CPU time (user + system) over the phase, per request. */
  readonly cpuMsPerRequest: number;
  /** How late the generator started requests (p99 of sent − scheduled). */
  readonly generatorLagP99Ms: number;
  readonly connectorLoopDelayP99Ms: number;
  /** CPU cores other processes on the machine kept busy meanwhile: noise. */
  readonly foreignCores: number;
  /** How long the bot's event loop waited for a CPU while it had work (ms, whole phase): contention. */
  readonly cpuWaitMs: number;
  /** How long the CPU figures cover (ms): from the first request until every completion was seen. */
  readonly measuredMs: number;
  /** The cores the bot's threads kept busy over the phase, by place (see `ThreadPlace`). */
  readonly threadCores: Readonly<Record<ThreadPlace, number>>;
  /** The slowest acknowledgements: when each was due (ms into the phase) and how long it took. */
  readonly slowestAcks: ReadonlyArray<{ readonly dueAtMs: number; readonly ms: number }>;
  /** With `splitAt`: the acknowledgements due before and after it. */
  readonly split?: { readonly atMs: number; readonly before: AckFigures; readonly after: AckFigures };
}

const FINAL: ReadonlySet<ConnectorRecord['shows']> = new Set(['result', 'empty', 'failed']);

/** Runs one phase against `bot`. */
export async function runPhase(bot: BotUnderLoad, connector: ConnectorHandle, foreign: ForeignLoad, options: PhaseOptions): Promise<PhaseFigures> {
  const requests = messages({ serviceUrl: connector.url, text: options.text, count: options.count, conversations: options.conversations, tag: options.tag });
  if (options.load === 'burst') await bot.client.prime(options.count);
  await connector.drain();
  bot.meter.startPhase();
  const cpuBefore = bot.meter.cpuMs();
  const waitBefore = bot.meter.runQueueWaitMs();
  const threadsBefore = bot.meter.threadTimes();
  const startedAt = now();
  const foreignCores = foreign.start();
  const acks =
    options.load === 'burst' ? await sendBurst(bot.client, requests) : await sendSteady(bot.client, requests, options.perSecond ?? 1, options.until);
  const records: ConnectorRecord[] = [];
  const loopDelays: number[] = [];
  const accepted = acks.filter((a) => a.status !== undefined && a.status >= 200 && a.status < 300);
  const deadline = Math.max(...acks.map((a) => a.done)) + options.completionTimeoutMs;
  for (;;) {
    const drained = await connector.drain();
    records.push(...drained.records);
    loopDelays.push(drained.loopDelayP99Ms);
    if (completionsOf(bot, records).size >= accepted.length || now() > deadline) break;
    if (!bot.alive()) throw new Error(`${bot.name} exited during ${options.tag}`);
    await sleep(200);
  }
  const cpuMs = bot.meter.cpuMs() - cpuBefore;
  const measuredMs = now() - startedAt;
  const measured = {
    cpuMs,
    measuredMs,
    foreignCores: foreignCores(),
    cpuWaitMs: bot.meter.runQueueWaitMs() - waitBefore,
    threadCores: threadCores(threadsBefore, bot.meter.threadTimes(), measuredMs),
  };
  const peakRssBytes = bot.meter.endPhase();
  return figures(bot, options, acks, records, { ...measured, peakRssBytes, connectorLoopDelayP99Ms: Math.max(...loopDelays) });
}

/** Completion record of each request id, by what completes a request for this bot. */
function completionsOf(bot: BotUnderLoad, records: readonly ConnectorRecord[]): Map<string, ConnectorRecord> {
  const posts = postsByRequest(records);
  const done = new Map<string, ConnectorRecord>();
  if (bot.completes === 'reply') {
    for (const [id, post] of posts) done.set(id, post);
    return done;
  }
  const finals = new Map<string, ConnectorRecord>();
  for (const r of records) {
    if (r.route === 'update' && r.activityId && FINAL.has(r.shows) && !finals.has(r.activityId)) finals.set(r.activityId, r);
  }
  for (const [id, post] of posts) {
    const final = post.responseId ? finals.get(post.responseId) : undefined;
    if (final) done.set(id, final);
  }
  return done;
}

/** The bot's in-turn post for each request, by the id of the activity it replied to. */
function postsByRequest(records: readonly ConnectorRecord[]): Map<string, ConnectorRecord> {
  const posts = new Map<string, ConnectorRecord>();
  for (const r of records) if (r.route === 'reply' && r.activityId && !posts.has(r.activityId)) posts.set(r.activityId, r);
  return posts;
}

function figures(
  bot: BotUnderLoad,
  options: PhaseOptions,
  acks: readonly Acknowledgement[],
  records: readonly ConnectorRecord[],
  measured: { cpuMs: number; measuredMs: number; foreignCores: number; cpuWaitMs: number; threadCores: Record<ThreadPlace, number>; peakRssBytes: number; connectorLoopDelayP99Ms: number },
): PhaseFigures {
  const errors: ErrorCounts = { http: 0, connection: 0, missingPost: 0, missingUpdate: 0, wrongAnswer: 0, connector: 0 };
  const samples: string[] = [];
  const note = (kind: keyof ErrorCounts, detail: string) => {
    errors[kind] += 1;
    if (samples.length < 5) samples.push(`${kind}: ${detail}`);
  };
  const posts = postsByRequest(records);
  const completions = completionsOf(bot, records);
  const expectedPost = bot.completes === 'reply' ? 'text' : 'progress';
  for (const ack of acks) {
    if (ack.error !== undefined) note('connection', `${ack.id} ${ack.error}`);
    else if (ack.status === undefined || ack.status < 200 || ack.status >= 300) note('http', `${ack.id} HTTP ${ack.status}`);
    else if (!posts.has(ack.id)) note('missingPost', ack.id);
    else if (posts.get(ack.id)!.shows !== expectedPost) note('wrongAnswer', `${ack.id} posted ${posts.get(ack.id)!.shows}`);
    else if (!completions.has(ack.id)) note('missingUpdate', ack.id);
    else if (completions.get(ack.id)!.shows === 'failed') note('wrongAnswer', `${ack.id} hunt failed`);
  }
  for (const r of records) if (r.status >= 400) note('connector', `${r.route} ${r.activityId ?? ''} answered ${r.status}`);

  const ok = acks.filter((a) => a.status !== undefined && a.status >= 200 && a.status < 300);
  const ackMs = ok.map((a) => a.done - a.scheduled);
  const splitAt = options.splitAt?.();
  const scheduledOf = new Map(acks.map((a) => [a.id, a.scheduled]));
  const completionMs = [...completions].map(([id, r]) => r.at - scheduledOf.get(id)!);
  const first = Math.min(...acks.map((a) => a.scheduled));
  const last = Math.max(...[...completions.values()].map((r) => r.at));
  return {
    bot: bot.name,
    load: options.load,
    tag: options.tag,
    run: options.run,
    startedAt: first,
    requests: acks.length,
    ackP50Ms: percentile(ackMs, 50),
    ackP99Ms: percentile(ackMs, 99),
    ackMaxMs: percentile(ackMs, 100),
    completed: completions.size,
    completedPerSecond: completions.size > 0 ? (completions.size / (last - first)) * 1000 : 0,
    completionP50Ms: percentile(completionMs, 50),
    completionP99Ms: percentile(completionMs, 99),
    errors,
    errorCount: Object.values(errors).reduce((a, b) => a + b, 0),
    errorSamples: samples,
    peakRssBytes: measured.peakRssBytes,
    cpuMsPerRequest: measured.cpuMs / acks.length,
    generatorLagP99Ms: percentile(
      acks.map((a) => a.sent - a.scheduled),
      99,
    ),
    connectorLoopDelayP99Ms: measured.connectorLoopDelayP99Ms,
    foreignCores: measured.foreignCores,
    cpuWaitMs: measured.cpuWaitMs,
    measuredMs: measured.measuredMs,
    threadCores: measured.threadCores,
    slowestAcks: ok
      .map((a) => ({ dueAtMs: Math.round(a.scheduled - first), ms: Math.round((a.done - a.scheduled) * 10) / 10 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 10),
    ...(splitAt === undefined
      ? {}
      : {
          split: {
            atMs: Math.round(splitAt - first),
            before: ackFigures(ok.filter((a) => a.scheduled < splitAt)),
            after: ackFigures(ok.filter((a) => a.scheduled >= splitAt)),
          },
        }),
  };
}

function ackFigures(acks: readonly Acknowledgement[]): AckFigures {
  const ms = acks.map((a) => a.done - a.scheduled);
  return { requests: acks.length, ackP50Ms: percentile(ms, 50), ackP99Ms: percentile(ms, 99), ackMaxMs: percentile(ms, 100) };
}
