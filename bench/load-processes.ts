/**
 * The load bench's child processes (the bots, the fake connector), each a plain `node` process
 * running compiled JavaScript (see `load-build.ts`), so that its pid is the process doing the work,
 * and what `/proc/<pid>` says about its memory and CPU time.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..');

/** Options of {@link startChild}. */
export interface ChildOptions {
  /** Shown in errors. */
  readonly name: string;
  /** The JavaScript entry point (absolute). */
  readonly script: string;
  /** Environment on top of PATH and HOME. */
  readonly env: NodeJS.ProcessEnv;
  /** Where its stdout and stderr go. */
  readonly logFile: string;
  /** Extra node flags (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** Open an IPC channel (the connector). */
  readonly ipc?: boolean;
}

/** A started child. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal's name) once it has exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code or signal. */
  stop(graceMs?: number): Promise<number | string>;
}

/** Spawns `node <script>` in the repository root. */
export function startChild(options: ChildOptions): Child {
  const out = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: options.ipc ? ['ignore', out, out, 'ipc'] : ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`${options.name}: could not start`);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    name: options.name,
    process: child,
    pid: child.pid,
    logFile: options.logFile,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** Waits until a bot's log names its `/api/messages` URL; resolves with its origin. */
export async function waitForBotUrl(child: Child, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | string | undefined;
  void child.exited.then((code) => (exitedWith = code));
  while (Date.now() < deadline) {
    const match = /"url":"(http:\/\/[^"]+)\/api\/messages"/.exec(readFileSync(child.logFile, 'utf8'));
    if (match) return match[1]!;
    if (exitedWith !== undefined) break;
    await sleep(50);
  }
  throw new Error(
    `${child.name} did not start (${exitedWith === undefined ? 'timed out' : `exited with ${exitedWith}`}):\n${readFileSync(child.logFile, 'utf8').slice(-3000)}`,
  );
}

const CLOCK_TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** User + system CPU time of process `pid` (all its threads) so far, in milliseconds. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ", utime and stime are fields 12 and 13 (0-based) of the rest.
  return ((Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND) * 1000;
}

/** CPU time every process on the machine has spent busy (not idle, not waiting on I/O) so far, ms. */
function machineBusyMs(): number {
  const [, ...jiffies] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  // user nice system idle iowait irq softirq steal; guest time is counted inside user and nice.
  const [user, nice, system, , , irq, softirq, steal] = jiffies.slice(0, 8).map(Number) as number[];
  return ((user! + nice! + system! + irq! + softirq! + steal!) / CLOCK_TICKS_PER_SECOND) * 1000;
}

/**
 * How busy the machine is with work other than the bench's: other processes compete with the
 * bots for the same cores and make latencies noisy, so each phase reports it.
 */
export class ForeignLoad {
  constructor(private readonly ownPids: () => readonly number[]) {}

  /** Starts an interval; the function it returns gives the cores used by other processes since. */
  start(): () => number {
    const at = Date.now();
    const busy = machineBusyMs();
    const own = this.own();
    return () => (machineBusyMs() - busy - (this.own() - own)) / Math.max(1, Date.now() - at);
  }

  private own(): number {
    return this.ownPids().reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  }
}

/**
 * Where a bot's threads run: the event loop (its main thread); below it (SCHED_IDLE or a higher
 * nice value: the engine's threads, the card renderer); or beside it (the same priority: V8's
 * helpers, libuv's pool), competing with the event loop for a core.
 */
export type ThreadPlace = 'eventLoop' | 'below' | 'beside';

/** Run time so far (ms, `/proc/<pid>/task/<tid>/schedstat`) and place of each thread of a process. */
export type ThreadTimes = ReadonlyMap<string, { readonly place: ThreadPlace; readonly ms: number }>;

const SCHED_IDLE = 5;

/** The cores each place kept busy between two {@link ProcessMeter.threadTimes} (a thread that exited meanwhile is not counted). */
export function threadCores(before: ThreadTimes, after: ThreadTimes, elapsedMs: number): Record<ThreadPlace, number> {
  const cores: Record<ThreadPlace, number> = { eventLoop: 0, below: 0, beside: 0 };
  for (const [tid, now] of after) cores[now.place] += (now.ms - (before.get(tid)?.ms ?? 0)) / elapsedMs;
  return cores;
}

/** Peak memory and CPU time of a process, from `/proc/<pid>`. */
export class ProcessMeter {
  private sampledPeak = 0;
  private timer?: NodeJS.Timeout;
  private readonly canResetPeak: boolean;

  constructor(readonly pid: number) {
    this.canResetPeak = this.tryResetPeak();
  }

  /** How the peak is measured: the kernel's high-water mark (reset per phase) or sampling. */
  get method(): 'VmHWM' | 'VmRSS sampled every 20 ms' {
    return this.canResetPeak ? 'VmHWM' : 'VmRSS sampled every 20 ms';
  }

  /** Starts a phase: resets the peak (kernel high-water mark, or starts sampling). */
  startPhase(): void {
    this.sampledPeak = this.status('VmRSS');
    if (this.canResetPeak) this.tryResetPeak();
    else this.timer = setInterval(() => (this.sampledPeak = Math.max(this.sampledPeak, this.status('VmRSS'))), 20);
  }

  /** The phase's peak resident set size in bytes. */
  endPhase(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.canResetPeak ? this.status('VmHWM') : Math.max(this.sampledPeak, this.status('VmRSS'));
  }

  /** How long its main thread (the event loop) has waited for a CPU while runnable, in ms (`/proc/<pid>/schedstat`). */
  runQueueWaitMs(): number {
    return Number(readFileSync(`/proc/${this.pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
  }

  /** Each thread's run time so far and its place (see {@link ThreadPlace}); a thread that exits while read is left out. */
  threadTimes(): ThreadTimes {
    const stat = (tid: string) => {
      const text = readFileSync(`/proc/${this.pid}/task/${tid}/stat`, 'utf8');
      // Fields after the command name, which may hold spaces: state is field 3, nice 19, policy 41.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      return { nice: Number(fields[16]), policy: Number(fields[38]) };
    };
    const main = stat(String(this.pid));
    const times = new Map<string, { place: ThreadPlace; ms: number }>();
    for (const tid of readdirSync(`/proc/${this.pid}/task`)) {
      try {
        const { nice, policy } = stat(tid);
        const place: ThreadPlace = tid === String(this.pid) ? 'eventLoop' : policy === SCHED_IDLE || nice > main.nice ? 'below' : 'beside';
        times.set(tid, { place, ms: Number(readFileSync(`/proc/${this.pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6 });
      } catch {
        // The thread exited while read.
      }
    }
    return times;
  }

  /** The current resident set size in bytes. */
  rss(): number {
    return this.status('VmRSS');
  }

  /** User + system CPU time so far, in milliseconds. */
  cpuMs(): number {
    return cpuMsOf(this.pid);
  }

  private status(field: 'VmRSS' | 'VmHWM'): number {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    if (!match) throw new Error(`/proc/${this.pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  }

  /** `echo 5 > /proc/<pid>/clear_refs` resets VmHWM (Linux ≥ 4.0, needs permission). */
  private tryResetPeak(): boolean {
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  }
}
