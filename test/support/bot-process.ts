/**
 * The real bot as its own process: `src/index.ts` in one Node process (`--require tsx/cjs`, no
 * launcher in between), in its own process group, configured only by environment variables as
 * production starts it. Stopped — group and all — by the test that started it; if the test runner
 * itself goes away, the group goes too. It reaches loopback only (`loopback-only-outbound.ts`):
 * a connection it tries anywhere else is refused, and stopping it then fails the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { signalGroup } from '../../scripts/playground';
import { REFUSED_MARKER } from './loopback-only-outbound';

const ROOT = path.resolve(__dirname, '..', '..');
const LOOPBACK_ONLY = path.join(__dirname, 'loopback-only-outbound-preload.ts');
const STOP_GRACE_MS = 30_000;

/** A running bot process. */
export interface BotProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The messaging endpoint, `<origin>/api/messages`. */
  readonly endpoint: string;
  /** Everything it wrote so far (pino JSON lines on stdout, then anything on stderr). */
  readonly logs: () => string;
  /** Its standard output so far: the pino JSON lines alone. */
  readonly stdout: () => string;
  /** The non-loopback `host:port`s it tried to connect to (each refused). */
  readonly refusedConnections: () => string[];
  /**
   * Signals the group (SIGTERM: the bot drains; SIGKILL after a grace period) and resolves with the
   * exit code; rejects, once it has exited, when it tried to reach anything but loopback.
   */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function spawnBot(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), '--require', LOOPBACK_ONLY, path.join(ROOT, 'src', 'index.ts')], {
    cwd: ROOT,
    detached: true,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts the bot with `env` (on top of a minimal environment) and waits until it listens. */
export async function startBotProcess(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<BotProcess> {
  const child = spawnBot(env);
  const pid = child.pid!;
  const killOnExit = () => signalGroup(pid, 'SIGKILL');
  process.once('exit', killOnExit);
  let stdout = '';
  let stderr = '';
  const logs = () => (stderr ? `${stdout}\n--- stderr ---\n${stderr}` : stdout);
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let running = true;
  // 'close', not 'exit': the process's output may still be arriving when it has exited.
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      running = false;
      process.off('exit', killOnExit);
      resolve(code);
    }),
  );
  const refusedConnections = () => refusedIn(stderr);
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (running) {
      signalGroup(pid, signal);
      const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    const refused = refusedConnections();
    if (refused.length > 0) throw new Error(`the bot tried to reach ${refused.join(', ')}: tests reach loopback only`);
    return exited;
  };
  try {
    const origin = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bot did not start in ${timeoutMs} ms:\n${logs()}`)), timeoutMs);
      const check = () => {
        const match = /"url":"(http:\/\/[^"]+)\/api\/messages"/.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      };
      child.stdout!.on('data', check);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`bot exited with ${code} before listening:\n${logs()}`));
      });
    });
    return { child, origin, endpoint: `${origin}/api/messages`, logs, stdout: () => stdout, refusedConnections, stop };
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
}

/** The targets of the refused connections a bot process reported on `stderr`. */
function refusedIn(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith(REFUSED_MARKER))
    .map((line) => line.slice(REFUSED_MARKER.length).trim());
}

/** Runs the bot's start-up to its end (for configurations that must fail); resolves with code and output. */
export async function runBotProcess(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawnBot(env);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const guard = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(guard);
  return { code, output };
}
