/**
 * Stored JSON is versioned and read back through schemas: what this version writes reads back the
 * same, what the first release wrote (no version) still reads, and what no version wrote does not.
 */
import { readHuntMeta, storedHuntMeta } from '../../src/core/payloads/hunt-meta';
import { escalationPayload, incidentClosedPayload, readOutboxPayload, sentinelRefusedPayload, watchPostPayload } from '../../src/core/payloads/outbox-payload';
import { readSentinelPayload, sentinelClosePayload, sentinelExclusionPayload } from '../../src/core/payloads/sentinel-payload';
import { closedRootView, outboxView } from '../../src/core/presenters/escalation-views';

const FALLBACK = { subject: 'Kaseya', byTool: false };

describe('hunt meta', () => {
  test('what this version stores reads back, version and all', () => {
    const meta = { subject: 'AnyDesk network connections', byTool: false, queryMs: 812, notes: [{ text: 'Partial result: x', tone: 'warning' as const }], portal: { title: 'Open in Defender', url: 'https://security.microsoft.com/x' } };
    expect(storedHuntMeta(meta)).toMatchObject({ version: 2 });
    expect(readHuntMeta(JSON.parse(JSON.stringify(storedHuntMeta(meta))), FALLBACK)).toEqual(meta);
    // A watch's post: a title, sanction marks by row key, and no query time.
    const post = {
      subject: 'Kaseya',
      byTool: false,
      notes: [{ text: 'Watch 3, every 1 hour, set by Ada. Type unwatch 3 to stop it.', tone: 'default' as const }],
      title: 'Kaseya: 2 new devices (1 talks to an unsanctioned instance).',
      marks: { '0': { kind: 'sanctioned' as const }, '1': { kind: 'unsanctioned-instance' as const, instances: ['rmm-7731.kaseya.net'] } },
    };
    expect(readHuntMeta(JSON.parse(JSON.stringify(storedHuntMeta(post))), FALLBACK)).toEqual(post);
  });

  test('version 1 (before sanction marks and watch posts) still reads, with its query time', () => {
    const v1 = { version: 1, subject: 'Kaseya', byTool: false, queryMs: 812, notes: [] };
    expect(readHuntMeta(v1, FALLBACK)).toEqual({ subject: 'Kaseya', byTool: false, queryMs: 812, notes: [] });
  });

  test('forged marks are not trusted', () => {
    const forged = { version: 2, subject: 'Kaseya', byTool: false, notes: [], marks: { '0': { kind: 'trusted-by-attacker' } } };
    expect(readHuntMeta(forged, FALLBACK)).toEqual({ ...FALLBACK, queryMs: 0, notes: [] });
  });

  test('the first release\'s meta (no version, fields optional) still reads', () => {
    expect(readHuntMeta({ subject: 'All RMM tools', byTool: true, queryMs: 40, notes: [] }, FALLBACK)).toEqual({ subject: 'All RMM tools', byTool: true, queryMs: 40, notes: [] });
    expect(readHuntMeta({ queryMs: 5 }, FALLBACK)).toEqual({ ...FALLBACK, queryMs: 5, notes: [] });
    expect(readHuntMeta(undefined, FALLBACK)).toEqual({ ...FALLBACK, queryMs: 0, notes: [] });
  });

  test('a shape no version wrote falls back instead of being trusted', () => {
    expect(readHuntMeta({ version: 9, subject: 'forged' }, FALLBACK)).toEqual({ ...FALLBACK, queryMs: 0, notes: [] });
    expect(readHuntMeta({ notes: [{ text: 'x', tone: 'javascript:' }] }, FALLBACK).notes).toEqual([]);
  });
});

describe('outbox payloads', () => {
  const facts = {
    incident: { number: 3, title: 'Kaseya on ws-1' },
    deviceName: 'ws-1',
    deviceId: 'd1',
    toolName: 'Kaseya',
    windowMs: 5 * 86_400_000,
    firstSeen: '2026-11-25T08:00:00.123Z',
    lastSeen: '2026-11-28T17:30:00.000Z',
    count: 2,
    reportIds: ['1'],
    kql: 'T',
    source: 'sample data',
    by: 'Ada',
    note: '',
    at: '2026-11-29T12:00:00.000Z',
  };

  test('an escalation is stored as versioned facts and its card is made when it is posted', () => {
    const stored = JSON.parse(JSON.stringify(escalationPayload(facts)));
    expect(stored).toMatchObject({ version: 1, kind: 'escalation' });
    expect(outboxView(stored)).toMatchObject({ name: 'escalation', windowText: '5 days', firstSeen: '2026-11-25T08:00:00Z', incident: facts.incident });
  });

  test('an escalation with a Sentinel link reads back with it, and starts its thread with Close', () => {
    const stored = JSON.parse(JSON.stringify(escalationPayload({ ...facts, sentinelIncidentUrl: 'https://portal.azure.com/#asset/x' })));
    expect(outboxView(stored, 'new-thread')).toMatchObject({ name: 'escalation', sentinelUrl: 'https://portal.azure.com/#asset/x', closeable: true });
    expect(outboxView(stored, 'reply')).not.toHaveProperty('closeable');
    expect(outboxView(escalationPayload(facts))).not.toHaveProperty('sentinelUrl');
  });

  test('a closing note posts a notice and carries the root card, shown closed', () => {
    const stored = JSON.parse(JSON.stringify(incidentClosedPayload({ incident: facts.incident, by: 'Bo', reason: 'Expected IT activity', note: 'IT rollout', at: '2026-11-30T09:00:00.000Z', root: escalationPayload(facts) })));
    expect(outboxView(stored)).toEqual({ name: 'notice', title: 'Incident 3 closed: Kaseya on ws-1', text: 'Closed by Bo at 2026-11-30T09:00:00Z: Expected IT activity. IT rollout', tone: 'good' });
    expect(closedRootView(stored)).toMatchObject({ name: 'escalation', closed: 'Closed by Bo at 2026-11-30T09:00:00Z: Expected IT activity. IT rollout' });
    expect(closedRootView(stored)).not.toHaveProperty('closeable');
    expect(closedRootView({ ...stored, root: { forged: true } })).toBeUndefined();
    expect(closedRootView(escalationPayload(facts))).toBeUndefined();
  });

  test('a refused Sentinel call posts its card; Sentinel items read back through their own schema', () => {
    expect(outboxView(sentinelRefusedPayload({ incident: facts.incident, message: 'needs a role' }))).toEqual({ name: 'sentinelRefused', incident: facts.incident, message: 'needs a role' });
    const close = sentinelClosePayload({ incident: { team: 't', number: 3, openedAt: '2026-11-29T12:00:00.000Z', title: 'x' }, reason: 'expected', closedBy: { name: 'Bo' }, note: '' });
    expect(readSentinelPayload(JSON.parse(JSON.stringify(close)))).toEqual(close);
    expect(readSentinelPayload(sentinelExclusionPayload('ex-1'))).toEqual({ version: 1, kind: 'sentinel-exclusion', exclusionId: 'ex-1' });
    expect(readSentinelPayload({ ...close, reason: 'pwned' })).toBeUndefined();
    expect(readSentinelPayload(escalationPayload(facts))).toBeUndefined();
    expect(readOutboxPayload(close)).toBeUndefined();
  });

  test('the first release\'s payloads (views, no version) still read; others do not', () => {
    const notice = { name: 'notice', title: 'Incident 1', text: 'x', tone: 'default' };
    expect(outboxView(notice)).toEqual(notice);
    expect(readOutboxPayload({ name: 'huntResult', groups: [] })).toBeUndefined();
    expect(readOutboxPayload({ ...escalationPayload(facts), version: 2 })).toBeUndefined();
    expect(readOutboxPayload(null)).toBeUndefined();
  });

  const watch = { id: 3, intervalMs: 3_600_000, createdBy: 'Ada Analyst' };

  test("a watch's baseline is stored as facts and posted as its summary", () => {
    const stored = JSON.parse(JSON.stringify(watchPostPayload({ watch, subject: 'Kaseya', batch: 'baseline', devices: 4, unsanctioned: 0 })));
    expect(stored).toMatchObject({ version: 1, kind: 'watch-post' });
    expect(outboxView(stored)).toMatchObject({ name: 'notice', title: 'Kaseya: 4 devices now — you will hear about new ones.' });
    expect(JSON.stringify(outboxView(stored))).toContain('unwatch 3');
  });

  test("a watch's new devices are posted as a result card whose rows name the kept hunt, flagged instances marked", () => {
    const rows = [
      { row: '0', deviceId: 'd1', deviceName: 'ws-fin-014', toolName: 'Kaseya', firstSeen: '2026-11-25T08:00:00.000Z', lastSeen: '2026-11-28T17:30:00.000Z', count: 2, unsanctionedInstances: ['rmm-7731.kaseya.net'] },
      { row: '1', deviceId: 'd2', deviceName: 'ws-2', toolName: 'Kaseya', firstSeen: '2026-11-25T08:00:00.000Z', lastSeen: '2026-11-28T17:30:00.000Z', count: 1 },
    ];
    const found = { huntId: 'AbCdEfGhIjKl', windowMs: 5_400_000, source: 'sample data', byTool: false, pageCount: 1, rows };
    const stored = JSON.parse(JSON.stringify(watchPostPayload({ watch, subject: 'Kaseya', batch: 'new-devices', devices: 2, unsanctioned: 1, found })));
    const view = outboxView(stored);
    if (view?.name !== 'huntResult') throw new Error(`not a result card: ${JSON.stringify(view)}`);
    expect(view.title).toBe('Kaseya: 2 new devices (1 talks to an unsanctioned instance).');
    expect(view.huntId).toBe('AbCdEfGhIjKl');
    expect(view.queryMs).toBeUndefined();
    expect(view.header.windowText).toBe('1 hour 30 minutes');
    expect(view.groups).toEqual([
      {
        rows: [
          { row: '0', deviceId: 'd1', deviceName: 'ws-fin-014', firstSeen: '2026-11-25T08:00:00Z', lastSeen: '2026-11-28T17:30:00Z', count: 2, marks: [{ text: 'Unsanctioned instance: rmm-7731.kaseya.net', tone: 'attention' }] },
          { row: '1', deviceId: 'd2', deviceName: 'ws-2', firstSeen: '2026-11-25T08:00:00Z', lastSeen: '2026-11-28T17:30:00Z', count: 1 },
        ],
      },
    ]);
    expect(readOutboxPayload({ ...stored, kind: 'watch-posts' })).toBeUndefined();
  });
});
