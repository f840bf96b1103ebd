/**
 * The SQLite store leaves WAL checkpoints to a worker thread: the log is copied back into the
 * database file while the store is open, though the store's own connection never checkpoints.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Checkpointer } from '../../src/store/sqlite/checkpointer';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';

test('writes reach the database file through the worker', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-wal-'));
  const file = path.join(dir, 'huntops.db');
  const store = SqliteStore.open(file);
  try {
    const before = statSync(file).size;
    for (let i = 0; i < 500; i += 1) {
      await store.appendAudit({ actor: { aadObjectId: 'a', name: 'A' }, conversationId: 'c', action: 'hunt', details: { i, padding: 'x'.repeat(500) }, outcome: 'ok' });
    }
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(200_000);
    const deadline = Date.now() + 10_000;
    while (statSync(file).size <= before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(statSync(file).size).toBeGreaterThan(before + 200_000);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('closing the store ends with the process having nothing else to do: what follows the close runs', async () => {
  // The checkpointer's thread does not keep the process alive, and its stop must not either let the process end before it is done.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-wal-'));
  try {
    const child = path.join(__dirname, 'fixtures', 'close-and-say.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--require', require.resolve('tsx/cjs'), child, path.join(dir, 'huntops.db')], { timeout: 20_000 });
    expect(stdout).toBe('closed\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stopping a checkpointer whose thread has already failed and exited returns', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-wal-'));
  try {
    // A database in a folder that does not exist: the thread's connection throws at its start, and the thread exits.
    let failed!: (message: string) => void;
    const failure = new Promise<string>((resolve) => (failed = resolve));
    const checkpointer = new Checkpointer(path.join(dir, 'missing', 'huntops.db'), { onError: (message) => failed(message) });
    expect(await failure).toMatch(/directory does not exist|unable to open/i);
    await new Promise((resolve) => setTimeout(resolve, 200));
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([checkpointer.stop().then(() => 'stopped'), new Promise((resolve) => (timer = setTimeout(() => resolve('still waiting'), 5000)))]);
    clearTimeout(timer);
    expect(outcome).toBe('stopped');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
