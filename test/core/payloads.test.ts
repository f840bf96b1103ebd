/**
 * Stored JSON is versioned and read back through schemas: what this version writes reads back the
 * same, what the first release wrote (no version) still reads, and what no version wrote does not.
 */
import { readHuntMeta, storedHuntMeta } from '../../src/core/payloads/hunt-meta';
import { escalationPayload, readOutboxPayload } from '../../src/core/payloads/outbox-payload';
import { outboxView } from '../../src/core/presenters/escalation-views';

const FALLBACK = { subject: 'Kaseya', byTool: false };

describe('hunt meta', () => {
  test('what this version stores reads back, version and all', () => {
    const meta = {
      subject: 'AnyDesk network connections',
      byTool: false,
      queryMs: 812,
      notes: [{ text: 'Partial result: x', tone: 'warning' as const }],
      portal: { title: 'Open in Defender', url: 'https://security.microsoft.com/x' },
      hiddenByPattern: 2,
    };
    expect(storedHuntMeta(meta)).toMatchObject({ version: 2, hiddenByPattern: 2 });
    expect(readHuntMeta(JSON.parse(JSON.stringify(storedHuntMeta(meta))), FALLBACK)).toEqual(meta);
  });

  test('version 1 (before pattern counts) still reads, without a pattern count', () => {
    const v1 = { version: 1, subject: 'Kaseya', byTool: false, queryMs: 9, notes: [] };
    expect(readHuntMeta(v1, FALLBACK)).toEqual({ subject: 'Kaseya', byTool: false, queryMs: 9, notes: [] });
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

  test('the first release\'s payloads (views, no version) still read; others do not', () => {
    const notice = { name: 'notice', title: 'Incident 1', text: 'x', tone: 'default' };
    expect(outboxView(notice)).toEqual(notice);
    expect(readOutboxPayload({ name: 'huntResult', groups: [] })).toBeUndefined();
    expect(readOutboxPayload({ ...escalationPayload(facts), version: 2 })).toBeUndefined();
    expect(readOutboxPayload(null)).toBeUndefined();
  });
});
