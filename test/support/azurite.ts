/**
 * Azurite's Table service for tests: the installed `azurite` package's `azurite-table` command as a
 * child process on a free loopback port, in memory, with a throw-away working folder. Start it in
 * `beforeAll`, stop it in `afterAll`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Azurite's well-known development account (public, documented by Microsoft). */
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running Azurite Table service. */
export interface Azurite {
  readonly port: number;
  /** A connection string for `@azure/data-tables` (plain http to loopback). */
  readonly connectionString: string;
  /** Stops the service and removes its folder. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

function tableMain(): string {
  const manifest = require.resolve('azurite/package.json');
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> }).bin['azurite-table'];
  if (!bin) throw new Error('the azurite package has no azurite-table command');
  return join(dirname(manifest), bin);
}

/** Waits for Azurite's "successfully started" line; rejects with its output if it exits first. */
function started(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolveStart, reject) => {
    let output = '';
    const timer = setTimeout(() => finish(new Error(`azurite did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/successfully started/i.test(output)) finish();
    };
    const onExit = (code: number | null): void => finish(new Error(`azurite exited (${code}) before starting:\n${output}`));
    function finish(error?: Error): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolveStart();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    child.once('exit', () => resolveStop());
    child.kill('SIGTERM');
  });
}

/**
 * Starts Azurite's Table service. A port taken between choosing it and Azurite binding it makes
 * Azurite exit; that is retried on another port.
 */
export async function startAzurite(options: { readonly timeoutMs?: number } = {}): Promise<Azurite> {
  const folder = mkdtempSync(join(tmpdir(), 'huntops-azurite-'));
  const main = tableMain();
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [main, '--tableHost', '127.0.0.1', '--tablePort', String(port), '--inMemoryPersistence', '--skipApiVersionCheck', '--disableTelemetry', '--loose', '--silent'],
      { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      await started(child, options.timeoutMs ?? 30_000);
    } catch (error) {
      lastError = error;
      await stopChild(child);
      continue;
    }
    child.stdout?.resume();
    child.stderr?.resume();
    return {
      port,
      connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=http://127.0.0.1:${port}/${ACCOUNT};`,
      async stop() {
        await stopChild(child);
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  rmSync(folder, { recursive: true, force: true });
  throw lastError;
}
