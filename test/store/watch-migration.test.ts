/**
 * A store file written before watches existed (schema 1) opens into the current schema with its
 * data intact, and then keeps watches and sanctions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../src/store/open-store';
import { MIGRATIONS } from '../../src/store/sqlite/schema';

const root = mkdtempSync(join(tmpdir(), 'huntops-migration-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('migrates a schema-1 file to the current schema, keeping its hunts', async () => {
  const path = join(root, 'old.db');
  const old = new Database(path);
  old.exec(MIGRATIONS[0]!);
  old.pragma('user_version = 1');
  old
    .prepare(
      `INSERT INTO hunts (id, tool_id, window_ms, kind, kql, source, conversation, requested_by_id, requested_by_name, status, created_at)
       VALUES ('abcdefghijkl', 'kaseya', 432000000, 'file-signature', 'q', 'local', '{}', 'aad-a', 'A', 'done', 1)`,
    )
    .run();
  old.close();

  const store = await openStore(`sqlite:${path}`);
  try {
    expect(await store.health()).toEqual({ ok: true, kind: 'sqlite', detail: `sqlite schema ${MIGRATIONS.length}` });
    expect(await store.getHunt('abcdefghijkl')).toMatchObject({ status: 'done', request: { toolId: 'kaseya' } });
    const { record } = await store.createWatch({
      key: 'k',
      tenant: 't',
      spec: { version: 1, hunt: {} },
      intervalMs: 900_000,
      baselineWindowMs: 432_000_000,
      conversation: {},
      createdBy: { aadObjectId: 'aad-a', name: 'A' },
    });
    expect(record.id).toBe(1);
    await store.setSanction({ tenant: 't', toolId: 'kaseya', instances: ['vsa.contoso.com'], reason: 'ours', by: { aadObjectId: 'aad-a', name: 'A' } });
    expect(await store.listSanctions('t')).toHaveLength(1);
  } finally {
    await store.close();
  }
});
