/**
 * The load bench (issue 6): HuntOps on the local backend against a bare echo bot on the same
 * botbuilder + restify stack, under the same two loads, from the same client.
 *
 *   npx tsx bench/load.ts [--burst 200] [--rate 50 --duration 30] [--conversations N]
 *                         [--repeat 3] [--burst-repeat 5] [--warmup 3] [--data DIR] [--json FILE] [--cpu-prof DIR]
 *                         [--connections N] [--completion-timeout S] [--log-level info] [--reuse-build] [--nice=-N]
 *                         [--node-args="--trace-gc ..."]   (with `=`: the value starts with a dash)
 *                         [--heavy DIR [--heavy-rounds 3] [--heavy-duration 60] [--heavy-tail 30] [--heavy-max 900] [--only-heavy]]
 *
 * Starts three child processes — the HuntOps bot (`src/index.ts`), the echo bot
 * (`bench/echo-bot.ts`) and the fake Bot Connector (`bench/load-connector.ts`) — warms both bots
 * up, then runs the burst `--burst-repeat` times and the steady load `--repeat` times, alternating
 * which bot goes first, and prints the medians, the HuntOps/echo ratios and PASS/FAIL per target.
 * With `--heavy DIR` (a folder of the generator's `xlarge` preset), it then runs the heavy phases
 * of `load-heavy.ts` on a HuntOps bot of their own (`--only-heavy`: only those).
 * It is a measurement: the exit code is 0 whatever the figures, 1 only if something crashed.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { buildForBench, builtForBench, type BenchBuild } from './load-build';
import { LoadClient } from './load-client';
import type { ConnectorMessage } from './load-connector';
import { ConnectorHandle, runPhase, type BotUnderLoad, type PhaseFigures, type PhaseOptions } from './load-phase';
import { ForeignLoad, ProcessMeter, ROOT, startChild, waitForBotUrl, type Child } from './load-processes';
import { buildReport, formatPhase, formatReport } from './load-report';
import { HEAVY_MAX_RATIO, heavyDataDir, huntsSummary, runHeavyPhases } from './load-heavy';

const HUNT_TEXT = 'hunt kaseya 5d';
const SAMPLE_DIR = path.join(ROOT, 'data', 'sample');

function options() {
  const { values } = parseArgs({
    options: {
      burst: { type: 'string', default: '200' },
      rate: { type: 'string', default: '50' },
      duration: { type: 'string', default: '30' },
      conversations: { type: 'string' },
      repeat: { type: 'string', default: '3' },
      'burst-repeat': { type: 'string', default: '5' },
      warmup: { type: 'string', default: '3' },
      connections: { type: 'string' },
      'completion-timeout': { type: 'string', default: '60' },
      data: { type: 'string' },
      json: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      'reuse-build': { type: 'boolean', default: false },
      nice: { type: 'string', default: '0' },
      'node-args': { type: 'string', default: '' },
      heavy: { type: 'string' },
      'heavy-duration': { type: 'string', default: '60' },
      'heavy-tail': { type: 'string', default: '30' },
      'heavy-max': { type: 'string', default: '900' },
      'heavy-rounds': { type: 'string', default: '3' },
      'only-heavy': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const int = (name: string, raw: string | undefined, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, not ${raw}`);
    return n;
  };
  const burst = int('burst', values.burst, 1);
  return {
    burst,
    rate: int('rate', values.rate, 1),
    duration: int('duration', values.duration, 1),
    conversations: int('conversations', values.conversations ?? String(burst), 1),
    repeat: int('repeat', values.repeat, 1),
    burstRepeat: int('burst-repeat', values['burst-repeat'], 1),
    warmup: int('warmup', values.warmup, 0),
    connections: int('connections', values.connections ?? String(Math.max(burst, 64)), 1),
    completionTimeoutMs: int('completion-timeout', values['completion-timeout'], 1) * 1000,
    data: values.data,
    json: values.json,
    cpuProf: values['cpu-prof'],
    logLevel: values['log-level'] ?? 'info',
    reuseBuild: values['reuse-build'] ?? false,
    nice: niceness(values.nice),
    nodeArgs: (values['node-args'] ?? '').split(' ').filter(Boolean),
    heavy: values.heavy ? path.resolve(values.heavy) : undefined,
    heavyDuration: int('heavy-duration', values['heavy-duration'], 10),
    heavyTail: int('heavy-tail', values['heavy-tail'], 1),
    heavyMax: int('heavy-max', values['heavy-max'], 60),
    heavyRounds: int('heavy-rounds', values['heavy-rounds'], 1),
    onlyHeavy: values['only-heavy'] ?? false,
  };
}

type Options = ReturnType<typeof options>;

/** `--nice`: -20…19; below 0 lets the bench's processes win the CPU from other work on a shared machine (root only). */
function niceness(raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < -20 || n > 19) throw new Error(`--nice must be a whole number from -20 to 19, not ${raw}`);
  return n;
}

/**
 * Runs this process (and the children it starts) at nice `nice`. Where Linux groups processes by
 * session for scheduling (autogroup, `/proc/sys/kernel/sched_autogroup_enabled`), nice orders
 * threads only within their group, and each session's group gets an equal share of the CPUs: so the
 * group's own nice is set too (else other sessions' work still takes the bench's CPU time), and set
 * back by `restore` (the group is the session's, shared with whatever else runs in it).
 */
function prioritize(nice: number): { readonly said: string; restore(): void } {
  os.setPriority(nice);
  const group = '/proc/self/autogroup';
  try {
    const before = /nice (-?\d+)/.exec(readFileSync(group, 'utf8'))?.[1] ?? '0';
    writeFileSync(group, String(nice));
    return { said: `nice ${nice} (and its session's scheduling group: ${readFileSync(group, 'utf8').trim()})`, restore: () => writeFileSync(group, before) };
  } catch (error) {
    return { said: `nice ${nice} (its session's scheduling group unchanged: ${(error as NodeJS.ErrnoException).code ?? String(error)})`, restore: () => undefined };
  }
}

/** The sample data if it is there; else a sample-preset data set generated into `work`. */
function dataDir(opts: Options, work: string): string {
  if (opts.data) return path.resolve(opts.data);
  if (existsSync(path.join(SAMPLE_DIR, 'dataset.json'))) return SAMPLE_DIR;
  const out = path.join(work, 'data');
  process.stdout.write(`data/sample is missing: generating a sample data set into ${out}\n`);
  execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'generate-data.ts'), '--out', out, '--preset', 'sample'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return out;
}

async function startConnector(build: BenchBuild, work: string, children: Child[], name = 'connector'): Promise<ConnectorHandle> {
  const child = startChild({
    name,
    script: build.connector,
    env: {},
    logFile: path.join(work, `${name}.log`),
    ipc: true,
  });
  children.push(child);
  const [message] = (await Promise.race([
    once(child.process, 'message'),
    child.exited.then((code) => Promise.reject(new Error(`connector exited with ${code}; see ${child.logFile}`))),
  ])) as [ConnectorMessage];
  if (message.type !== 'listening') throw new Error(`connector said ${message.type} first`);
  return new ConnectorHandle(child.process, message.url);
}

async function startBot(
  name: BotUnderLoad['name'],
  build: BenchBuild,
  opts: Options,
  work: string,
  data: string,
  children: Child[],
  instance: string = name,
): Promise<BotUnderLoad & { readonly logFile: string }> {
  const profileDir = opts.cpuProf ? path.resolve(opts.cpuProf) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const child = startChild({
    name,
    script: name === 'huntops' ? build.huntops : build.echo,
    env: {
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: opts.logLevel,
      HUNT_BACKEND: 'local',
      // The bench's own store and snapshots: never the developer's `.huntops/`.
      HUNT_STORE: `sqlite:${path.join(work, `${instance}.db`)}`,
      HUNT_LOCAL_SNAPSHOT_DIR: path.join(work, `${instance}-snapshots`),
      // The load is one client asking 50 hunts a second (200 at once in a burst): far over the
      // per-person limits, which would answer most of it with a refusal card. The bench measures
      // the hunt path, so the limits are raised to their maximum.
      HUNT_USER_RATE: '10000',
      HUNT_PENDING_PER_CONVERSATION: '1000',
      HUNT_PENDING_MAX: '10000',
      // Unset for the sample data, so the bot finds it itself and labels it as it does in production.
      ...(data === SAMPLE_DIR ? {} : { HUNT_DATA_DIR: data }),
    },
    logFile: path.join(work, `${instance}.log`),
    // A folder per bot: Node writes a profile per thread (the engine's threads too), named by thread; see `nameEventLoopProfiles`.
    nodeArgs: [...opts.nodeArgs, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, instance)}`] : [])],
  });
  children.push(child);
  const origin = await waitForBotUrl(child);
  let running = true;
  void child.exited.then(() => (running = false));
  return {
    name,
    origin,
    logFile: path.join(work, `${instance}.log`),
    client: new LoadClient(origin, { connections: opts.connections }),
    meter: new ProcessMeter(child.pid),
    alive: () => running,
    completes: name === 'huntops' ? 'update' : 'reply',
  };
}

async function main(): Promise<void> {
  const opts = options();
  // Set on this (the main) thread before any child is spawned: children and all their threads inherit it.
  const priority = opts.nice ? prioritize(opts.nice) : { said: 'nice 0', restore: () => undefined };
  const work = mkdtempSync(path.join(os.tmpdir(), 'huntops-load-'));
  const data = dataDir(opts, work);
  const steadyCount = opts.rate * opts.duration;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(
    `HuntOps load bench: burst ${opts.burst}, steady ${opts.rate}/s for ${opts.duration} s, ${opts.conversations} conversations, ` +
      `${opts.burstRepeat} burst and ${opts.repeat} steady run(s) per bot; ${os.cpus().length} CPUs; ${priority.said}; data ${data}; logs in ${work}`,
  );
  const children: Child[] = [];
  const clients: LoadClient[] = [];
  const generatorLoop = monitorEventLoopDelay({ resolution: 10 });
  generatorLoop.enable();
  try {
    const build = opts.reuseBuild ? builtForBench() : buildForBench();
    const connector = await startConnector(build, work, children);
    const foreign = new ForeignLoad(() => [process.pid, ...children.map((c) => c.pid)]);
    const phase = (load: PhaseOptions['load'], tag: string, run = 0): PhaseOptions => ({
      load,
      count: load === 'burst' ? opts.burst : steadyCount,
      ...(load === 'steady' ? { perSecond: opts.rate } : {}),
      conversations: opts.conversations,
      text: HUNT_TEXT,
      tag,
      run,
      completionTimeoutMs: opts.completionTimeoutMs,
    });
    if (!opts.onlyHeavy) {
      const [echo, huntops] = await Promise.all([
        startBot('echo', build, opts, work, data, children),
        startBot('huntops', build, opts, work, data, children),
      ]);
      clients.push(echo.client, huntops.client);
      say(`peak RSS measured as ${huntops.meter.method}; idle RSS after start: echo ${mb(echo.meter.rss())}, HuntOps ${mb(huntops.meter.rss())}`);

      for (const bot of [echo, huntops]) {
        if (opts.warmup > 0) {
          const warm = await runPhase(bot, connector, foreign, { ...phase('steady', `${bot.name}-warmup-steady`), count: opts.rate * opts.warmup });
          say(`warm-up ${formatPhase(warm)}`);
        }
        for (const round of [1, 2]) {
          const warmBurst = await runPhase(bot, connector, foreign, phase('burst', `${bot.name}-warmup-burst-${round}`));
          say(`warm-up ${formatPhase(warmBurst)}`);
        }
      }
      say(`idle RSS after warm-up: echo ${mb(echo.meter.rss())}, HuntOps ${mb(huntops.meter.rss())}`);

      const phases: PhaseFigures[] = [];
      for (const load of ['burst', 'steady'] as const) {
        for (let run = 1; run <= (load === 'burst' ? opts.burstRepeat : opts.repeat); run += 1) {
          const order = run % 2 === 1 ? [echo, huntops] : [huntops, echo];
          for (const bot of order) {
            const figures = await runPhase(bot, connector, foreign, phase(load, `${bot.name}-${load}-${run}`, run));
            phases.push(figures);
            say(formatPhase(figures));
          }
        }
      }
      const report = buildReport(phases, {
        burst: opts.burst,
        steadyPerSecond: opts.rate,
        steadySeconds: opts.duration,
        conversations: opts.conversations,
        repeat: { burst: opts.burstRepeat, steady: opts.repeat },
        warmupSeconds: opts.warmup,
        connections: opts.connections,
        text: HUNT_TEXT,
        data,
        cpus: os.cpus().length,
        node: process.version,
        peakRssMethod: huntops.meter.method,
        nice: opts.nice,
        nodeArgs: opts.nodeArgs,
        generatorLoopDelayP99Ms: generatorLoop.percentile(99) / 1e6,
      });
      say('');
      say(formatReport(report));
      if (opts.json) {
        writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
        say(`\nfigures written to ${opts.json}`);
      }
    }
    if (opts.heavy) await heavyPhases(opts, build, work, children, clients, connector, foreign, phase, say);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    const codes = await Promise.all(children.reverse().map(async (c) => `${c.name} ${await c.stop()}`));
    for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(work, `huntops.db${suffix}`), { force: true });
    if (opts.cpuProf) say(`CPU profiles in ${path.resolve(opts.cpuProf)}: ${nameEventLoopProfiles(path.resolve(opts.cpuProf)).join(', ')} (${codes.join(', ')})`);
    priority.restore();
  }
}

/** The heavy phases (issue 15, see `load-heavy.ts`) on a bot of their own. */
async function heavyPhases(
  opts: Options,
  build: BenchBuild,
  work: string,
  children: Child[],
  clients: LoadClient[],
  connector: ConnectorHandle,
  foreign: ForeignLoad,
  phase: (load: PhaseOptions['load'], tag: string, run?: number) => PhaseOptions,
  say: (line: string) => void,
): Promise<void> {
  const bigFile = path.join(opts.heavy!, 'DeviceFileCertificateInfo.jsonl');
  const bigRows = (JSON.parse(readFileSync(path.join(opts.heavy!, 'dataset.json'), 'utf8')) as { rows: Record<string, number> }).rows['DeviceFileCertificateInfo'] ?? 0;
  const dataDir = heavyDataDir(SAMPLE_DIR, work);
  const heavyConnector = await startConnector(build, work, children, 'heavy-connector');
  const bot = await startBot('huntops', build, opts, work, dataDir, children, 'huntops-heavy');
  clients.push(bot.client);
  say(
    `heavy phases: ${opts.heavyRounds} round(s) of steady ${opts.rate}/s: quiet ${opts.heavyDuration} s / while ${bigRows.toLocaleString('en')} rows load from ${bigFile} ` +
      `and 'hunt all Nh' (each a window of its own) runs back to back, until ${opts.heavyTail} s after the load (at most ${opts.heavyMax} s) / after, the big table loaded, ${opts.heavyDuration} s`,
  );
  const warm = await runPhase(bot, connector, foreign, { ...phase('steady', 'heavy-bot-warmup'), count: opts.rate * Math.max(opts.warmup, 3) });
  say(`warm-up ${formatPhase(warm)}`);
  const figures = await runHeavyPhases({
    bot,
    botLog: bot.logFile,
    dataDir,
    snapshotDir: path.join(work, 'huntops-heavy-snapshots'),
    bigFile,
    bigRows,
    connector,
    heavyConnector,
    foreign,
    phase: (tag, seconds) => ({ ...phase('steady', tag, 1), count: opts.rate * seconds }),
    quietSeconds: opts.heavyDuration,
    tailSeconds: opts.heavyTail,
    maxSeconds: opts.heavyMax,
    rounds: opts.heavyRounds,
    say,
  });
  say('');
  say('| steady 50/s, same bot | acks | ack p50 | ack p99 | errors | peak RSS | others |');
  say('|---|---|---|---|---|---|---|');
  const row = (label: string, p: PhaseFigures) =>
    say(`| ${label} | ${p.requests} | ${p.ackP50Ms.toFixed(1)} ms | ${p.ackP99Ms.toFixed(1)} ms | ${p.errorCount} | ${mb(p.peakRssBytes)} | ${p.foreignCores.toFixed(2)} |`);
  figures.rounds.forEach((round, i) => {
    const split = round.heavy.split;
    row(`${i + 1}: quiet, the sample`, round.quiet);
    row(`${i + 1}: loading ${bigRows.toLocaleString('en')} rows (${((round.bigLoadedAfterMs ?? NaN) / 1000).toFixed(0)} s) + hunt all, then ${opts.heavyTail} s more on them`, round.heavy);
    if (split) {
      say(`| ${i + 1}: … while loading | ${split.before.requests} | ${split.before.ackP50Ms.toFixed(1)} ms | ${split.before.ackP99Ms.toFixed(1)} ms | | | |`);
      say(`| ${i + 1}: … loaded | ${split.after.requests} | ${split.after.ackP50Ms.toFixed(1)} ms | ${split.after.ackP99Ms.toFixed(1)} ms | | | |`);
    }
    row(`${i + 1}: after, ${bigRows.toLocaleString('en')} rows in memory`, round.after);
  });
  say('');
  figures.rounds.forEach((round, i) => say(`round ${i + 1}: ${huntsSummary(round.heavyHunts)}; heavy ack p99 / quiet ack p99 ${round.ratio.toFixed(2)}x`));
  say(`heavy ack p99 / quiet ack p99, median of ${figures.rounds.length} round(s): ${figures.ratio.toFixed(2)}x (target <= ${HEAVY_MAX_RATIO}x, no errors): ${figures.pass ? 'PASS' : 'FAIL'}`);
  if (opts.json) writeFileSync(opts.json.replace(/(\.json)?$/, '-heavy.json'), `${JSON.stringify(figures, null, 2)}\n`);
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

main().catch((error: unknown) => {
  process.stderr.write(`load bench crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

/**
 * Names each bot's event-loop profile `<bot>.cpuprofile` beside its folder (Node names a thread's
 * `CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile`, the event loop's thread 0); the engine threads'
 * stay in the folder. Returns the names given.
 */
function nameEventLoopProfiles(profileDir: string): string[] {
  const named: string[] = [];
  for (const bot of readdirSync(profileDir, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const main = readdirSync(path.join(profileDir, bot.name)).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f));
    if (!main) continue;
    renameSync(path.join(profileDir, bot.name, main), path.join(profileDir, `${bot.name}.cpuprofile`));
    named.push(`${bot.name}.cpuprofile`);
  }
  return named;
}
