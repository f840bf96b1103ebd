/**
 * The real bot as its own process (`src/index.ts`, through tsx), configured only by environment
 * variables, as production starts it. Stopped by the test that started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** A running bot process. */
export interface BotProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Everything it logged so far (JSON lines). */
  readonly logs: () => string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `src/index.ts` with `env` (on top of a minimal environment) and waits until it listens. */
export async function startBotProcess(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<BotProcess> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'src', 'index.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bot did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const check = () => {
      const match = /"url":"(http:\/\/[^"]+)\/api\/messages"/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bot exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    child,
    origin,
    logs: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the bot's start-up to its end (for configurations that must fail); resolves with code and output. */
export async function runBotProcess(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), path.join(ROOT, 'src', 'index.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(guard);
  return { code, output };
}
