/**
 * The retention scheduler on a real SQLite store with a moved clock: what it purges, that it audits
 * the purge, that it runs on its timer until stopped, and that a failing purge is logged and retried.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RetentionScheduler } from '../../src/core/retention-scheduler';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import type { Store } from '../../src/store/store';
import { recordingLog } from '../support/recording-log';

const DAY = 86_400_000;
const POLICY = { huntsMs: 90 * DAY, auditMs: 365 * DAY };
const alice = { aadObjectId: 'aad-alice', name: 'Alice Analyst' };

describe('RetentionScheduler', () => {
  let dir: string;
  let now: number;
  let store: SqliteStore;
  const clock = () => new Date(now);

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-retention-'));
    now = Date.UTC(2026, 0, 1);
    store = SqliteStore.open(path.join(dir, 'huntops.db'), { clock });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function hunt(): Promise<string> {
    const created = await store.createHunt({
      request: { toolId: 'kaseya', windowMs: 5 * DAY, kind: 'file-signature' },
      kql: 'DeviceFileCertificateInfo',
      source: 'sample data',
      conversation: {},
      requestedBy: alice,
    });
    await store.finishHunt(created.id, { status: 'done', findings: [] });
    return created.id;
  }

  const audit = (what: string) => store.appendAudit({ actor: alice, conversationId: 'c', action: 'hunt', details: { what }, outcome: 'ok' });

  test('purges hunts past HUNT_RETENTION and the audit past HUNT_AUDIT_RETENTION, and audits the purge', async () => {
    const log = recordingLog();
    const scheduler = new RetentionScheduler({ store, policy: POLICY, log, clock });
    const ancient = await hunt();
    await audit('ancient');
    now += 200 * DAY;
    const old = await hunt();
    await audit('old');
    now += 100 * DAY;
    const recent = await hunt();
    await audit('recent');
    now += 200 * DAY;

    expect(await scheduler.runOnce()).toEqual({ hunts: 3, outboxItems: 0, auditEntries: 1 });
    for (const id of [ancient, old, recent]) expect(await store.getHunt(id)).toBeUndefined();
    const trail = await store.listAudit({ limit: 10 });
    expect(trail.map((e) => e.action)).toEqual(['purge', 'hunt', 'hunt']);
    expect(trail.slice(1).map((e) => (e.details as { what: string }).what)).toEqual(['recent', 'old']);
    expect(trail[0]).toMatchObject({
      actor: { aadObjectId: 'huntops', name: 'HuntOps' },
      outcome: 'ok',
      details: { hunts: 3, outboxItems: 0, auditEntries: 1, huntsBefore: new Date(now - 90 * DAY).toISOString(), auditBefore: new Date(now - 365 * DAY).toISOString() },
    });
    expect(log.lines).toEqual([{ level: 'info', fields: expect.objectContaining({ hunts: 3, auditEntries: 1 }), message: 'retention: purged' }]);

    const kept = await hunt();
    expect(await scheduler.runOnce()).toEqual({ hunts: 0, outboxItems: 0, auditEntries: 0 });
    expect(await store.getHunt(kept)).toBeDefined();
    expect(await store.listAudit({ limit: 10 })).toHaveLength(3);
  });

  test('runs on its timer until stopped; a failing purge is logged and tried again', async () => {
    const log = recordingLog();
    let calls = 0;
    const flaky: Pick<Store, 'purge' | 'appendAudit'> = {
      purge: async (cutoffs) => {
        calls++;
        if (calls === 1) throw new Error('database is locked');
        return store.purge(cutoffs);
      },
      appendAudit: (entry) => store.appendAudit(entry),
    };
    const old = await hunt();
    now += 91 * DAY;
    const scheduler = new RetentionScheduler({ store: flaky, policy: POLICY, log, clock, intervalMs: 20 });
    scheduler.start();
    const deadline = Date.now() + 5_000;
    while ((await store.getHunt(old)) !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await scheduler.stop();
    expect(await store.getHunt(old)).toBeUndefined();
    expect(log.lines[0]).toMatchObject({ level: 'error', message: expect.stringContaining('retention: the purge failed') });
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(calls).toBe(after);
  });
});
