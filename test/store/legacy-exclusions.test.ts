/**
 * Exclusions stored before exclusions bound device ids keep working, in both stores: one made from
 * a card whose finding is still stored binds that finding's device; one whose finding is gone keeps
 * its recorded name, read literally (its `*` hides no other device); a typed pattern stays a
 * pattern; none has a tenant, so each applies in every tenant as before. Audit entries stored
 * before entries had a tenant are listed to every tenant. The old rows are written as the previous
 * version wrote them (SQL of schema 2; entities without the new properties).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import Database from 'better-sqlite3';
import { exclusionKind, findExclusion } from '../../src/store/exclusion-match';
import { idFromKey } from '../../src/store/ids';
import { openStore } from '../../src/store/open-store';
import { MIGRATIONS } from '../../src/store/sqlite/schema';
import type { Store } from '../../src/store/store';
import { startAzurite, type Azurite } from '../support/azurite';

const now = new Date('2026-01-15T09:00:00Z');
const HUNT = 'abcdefghijkl';

/** What every store must show after opening the old rows. */
async function expectCompatible(store: Store): Promise<void> {
  const byKey = new Map((await store.listExclusions({ activeAt: now, tenant: 'tenant-a' })).map((e) => [e.key, e]));
  expect([...byKey.keys()].sort()).toEqual(['card-gone', 'card-kept', 'typed']);
  expect(byKey.get('card-kept')).toMatchObject({ deviceId: 'dev-kept', pattern: 'ws-fin-0*' });
  expect(byKey.get('card-gone')?.deviceId).toBeUndefined();
  expect(exclusionKind(byKey.get('card-gone')!)).toBe('name');
  expect(exclusionKind(byKey.get('typed')!)).toBe('pattern');
  const all = [...byKey.values()];
  const query = (deviceId: string, deviceName: string) => ({ deviceId, deviceName, toolId: 'kaseya', now });
  expect(findExclusion(all, query('dev-kept', 'renamed'))?.key).toBe('card-kept');
  expect(findExclusion(all, query('dev-other', 'ws-fin-014'))).toBeUndefined();
  expect(findExclusion(all, query('dev-other', 'lab*'))?.key).toBe('card-gone');
  expect(findExclusion(all, query('dev-other', 'lab-01'))).toBeUndefined();
  expect(findExclusion(all, query('dev-other', 'it-adm-07.corp'))?.key).toBe('typed');
  expect((await store.listAudit({ tenant: 'tenant-b' })).map((e) => e.action)).toEqual(['hunt']);
}

describe('sqlite: a schema-2 file', () => {
  const root = mkdtempSync(join(tmpdir(), 'huntops-legacy-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('migrates, binding what it can', async () => {
    const path = join(root, 'old.db');
    const old = new Database(path);
    old.exec(MIGRATIONS[0]!);
    old.exec(MIGRATIONS[1]!);
    old.pragma('user_version = 2');
    old
      .prepare(
        `INSERT INTO hunts (id, tool_id, window_ms, kind, kql, source, conversation, requested_by_id, requested_by_name, status, created_at)
         VALUES (?, 'kaseya', 432000000, 'file-signature', 'q', 'local', '{}', 'aad-a', 'A', 'done', 1)`,
      )
      .run(HUNT);
    old
      .prepare(
        `INSERT INTO findings (hunt_id, row_key, ordinal, device_id, device_name, first_seen, last_seen, count, report_ids, tool_id)
         VALUES (?, '0', 0, 'dev-kept', 'ws-fin-0*', 1, 2, 3, '["1"]', 'kaseya')`,
      )
      .run(HUNT);
    const insert = old.prepare(
      `INSERT INTO exclusions (id, key, pattern, tool_id, reason, created_by_id, created_by_name, created_at, expires_at, source_hunt_id, source_row_key)
       VALUES (?, ?, ?, NULL, 'r', 'aad-a', 'A', 1, NULL, ?, ?)`,
    );
    insert.run('x1', 'card-kept', 'ws-fin-0*', HUNT, '0');
    insert.run('x2', 'card-gone', 'lab*', 'ZZZZZZZZZZZZ', '4');
    insert.run('x3', 'typed', 'IT-ADM-*', null, null);
    old
      .prepare(`INSERT INTO audit (id, at, actor_id, actor_name, conversation_id, action, details, outcome) VALUES ('a1', 1, 'aad-a', 'A', 'c', 'hunt', '{}', 'ok')`)
      .run();
    old.close();

    const store = await openStore(`sqlite:${path}`);
    try {
      await expectCompatible(store);
    } finally {
      await store.close();
    }
  });
});

describe('azure tables: entities of the previous version', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite();
  }, 60_000);
  afterAll(async () => {
    await azurite?.stop();
  });

  it('are bound on opening, and read compatibly', async () => {
    const tablePrefix = `t${randomBytes(6).toString('hex')}`;
    const spec = `azuretables:${azurite.connectionString}`;
    const first = await openStore(spec, { tablePrefix });
    await first.close();
    const table = (name: string) => TableClient.fromConnectionString(azurite.connectionString, `${tablePrefix}${name}`, { allowInsecureConnection: true });
    const hunts = table('hunts');
    await hunts.createEntity({ partitionKey: HUNT, rowKey: 'hunt', status: 'done', toolId: 'kaseya', kind: 'file-signature', source: 'local', findingCount: 1, hiddenCount: 0, createdAt: now });
    await hunts.createEntity({
      partitionKey: HUNT,
      rowKey: 'finding|0',
      findingKey: '0',
      ordinal: 0,
      deviceId: 'dev-kept',
      deviceName: 'ws-fin-0*',
      firstSeen: now,
      lastSeen: now,
      count: 3,
      toolId: 'kaseya',
      reportIds: '["1"]',
    });
    const exclusions = table('exclusions');
    const legacy = (key: string, pattern: string, source?: { huntId: string; rowKey: string }) => ({
      partitionKey: 'exclusion',
      rowKey: idFromKey('exclusion', key),
      pattern,
      createdAt: now,
      key,
      reason: 'r',
      createdById: 'aad-a',
      createdByName: 'A',
      ...(source ? { sourceHuntId: source.huntId, sourceRowKey: source.rowKey } : {}),
    });
    await exclusions.createEntity(legacy('card-kept', 'ws-fin-0*', { huntId: HUNT, rowKey: '0' }));
    await exclusions.createEntity(legacy('card-gone', 'lab*', { huntId: 'ZZZZZZZZZZZZ', rowKey: '4' }));
    await exclusions.createEntity(legacy('typed', 'IT-ADM-*'));
    await table('audit').createEntity({
      partitionKey: 'audit',
      rowKey: `${String(9_999_999_999_999 - 1).padStart(13, '0')}|999999|x`,
      at: new Date(1),
      action: 'hunt',
      outcome: 'ok',
      actorId: 'aad-a',
      actorName: 'A',
      conversationId: 'c',
      details: '{}',
    });

    const store = await openStore(spec, { tablePrefix });
    try {
      await expectCompatible(store);
    } finally {
      await store.close();
    }
  });
});
