/**
 * HuntOps as the end-to-end suite runs it: the real bot process (see `test/support/bot-process.ts`),
 * anonymous on 127.0.0.1 with a free port, the local backend on the sample data, and a SQLite store
 * in a temporary folder removed when it stops.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SAMPLE_DATA_DIR } from '../../src/config';
import { startBotProcess } from '../support/bot-process';

export { SAMPLE_DATA_DIR };

/** A running HuntOps process. */
export interface HuntOpsProcess {
  readonly pid: number;
  /** The messaging endpoint, `http://127.0.0.1:<port>/api/messages`. */
  readonly endpoint: string;
  /** The SQLite file behind `HUNT_STORE`. */
  readonly storePath: string;
  logs(): string;
  /** SIGTERM (the bot drains its in-flight work); removes the store. Resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts HuntOps and resolves once it listens. */
export async function startHuntOps(options: { env?: NodeJS.ProcessEnv } = {}): Promise<HuntOpsProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'huntops-e2e-store-'));
  const storePath = path.join(dir, 'huntops.db');
  try {
    const bot = await startBotProcess({
      HOST: '127.0.0.1',
      HUNT_BACKEND: 'local',
      HUNT_DATA_DIR: SAMPLE_DATA_DIR,
      HUNT_STORE: `sqlite:${storePath}`,
      HUNT_INSTANCE_ID: 'e2e',
      ...options.env,
    });
    return {
      pid: bot.child.pid!,
      endpoint: bot.endpoint,
      storePath,
      logs: bot.logs,
      async stop() {
        const code = await bot.stop();
        rmSync(dir, { recursive: true, force: true });
        return code;
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
