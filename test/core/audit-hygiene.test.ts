/**
 * Issue #11, finding 3: outsiders cannot write the audit trail. Refusals of a tenant that is not
 * allowed are one counted entry per tenant per hour (with a moved clock), and only validated values
 * reach any entry — whatever verb, data, ids, names or conversation ids a request carries. The real
 * app on the sample data and a SQLite store, without HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHuntOps, type HuntOps } from '../../src/app/create-huntops';
import { createLocalBackend } from '../../src/backends/local';
import { SAMPLE_DATA_DIR } from '../../src/config';
import type { RequestContext } from '../../src/core/context';
import { HuntTargets } from '../../src/core/hunt-targets';
import { SILENT_LOG } from '../../src/core/log';
import { VERBS } from '../../src/core/verbs';
import { parseWindow } from '../../src/hunt/window';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { TestClock } from '../store/store-contract';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const OUTSIDER = '11111111-2222-3333-4444-555555555555';
const ADA = { id: '29:ada', name: 'Ada Analyst', aadObjectId: '00000000-0000-4000-8000-00000000ada0' };
const HOUR = 3_600_000;
const LONG = 'Z'.repeat(300);

let dir: string;
let store: Store;
let clock: TestClock;
let huntOps: HuntOps;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-audit-'));
  clock = new TestClock();
  store = await openStore(`sqlite:${path.join(dir, 'huntops.db')}`, { clock: clock.now });
  huntOps = createHuntOps({
    targets: new HuntTargets({ backend: createLocalBackend({ dataDir: SAMPLE_DATA_DIR, maxWindow: parseWindow('30d')!, label: 'sample data' }), appliesWindow: false }),
    store,
    access: { allowedTenants: [TENANT], responders: [ADA.aadObjectId] },
    log: SILENT_LOG,
    instanceId: 'audit-test',
    now: clock.now,
  });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function context(overrides: { tenantId?: string; caller?: RequestContext['caller']; conversationId?: string; kind?: 'personal' | 'channel'; channelId?: string } = {}): RequestContext {
  return {
    caller: overrides.caller ?? { id: '29:bob', name: 'Bob Builder', aadObjectId: '00000000-0000-4000-8000-000000000b0b' },
    conversation: {
      id: overrides.conversationId ?? 'a:1audit',
      kind: overrides.kind ?? 'personal',
      ...('tenantId' in overrides ? (overrides.tenantId === undefined ? {} : { tenantId: overrides.tenantId }) : { tenantId: TENANT }),
      ...(overrides.channelId ? { channelId: overrides.channelId } : {}),
    },
    requestId: `r-${Math.random()}`,
  };
}

const hostileCaller = { id: `29:${LONG}`, name: `Mallory ${LONG}\u0000\u202e`, aadObjectId: `not-a-guid-${LONG}` };

test('an outsider tenant\'s refusals are one counted entry per tenant per hour, holding no raw value', async () => {
  const outsider = context({ tenantId: OUTSIDER, caller: hostileCaller, conversationId: `a:${LONG}` });
  for (let i = 0; i < 30; i++) await huntOps.app.handleMessage(`hunt kaseya ${LONG}`, outsider);
  for (let i = 0; i < 20; i++) await huntOps.app.handleAction('x'.repeat(40), { huntId: 'h'.repeat(64), row: LONG }, outsider);
  clock.advance(10 * 60_000);
  await huntOps.app.handleAction(VERBS.exclude, { huntId: 'A'.repeat(64), row: '0' }, outsider);

  let entries = await store.listAudit({ limit: 1000 });
  expect(entries).toHaveLength(1);
  expect(entries[0]).toMatchObject({ action: 'use', outcome: 'refused', count: 51, details: { tenant: OUTSIDER } });
  expect(JSON.stringify(entries)).not.toContain('ZZZZ');
  expect(JSON.stringify(entries)).not.toContain('x'.repeat(40));
  expect(JSON.stringify(entries)).not.toContain('Mallory');

  clock.advance(HOUR);
  await huntOps.app.handleMessage('hunt kaseya', outsider);
  await huntOps.app.handleMessage('hunt kaseya', context({ tenantId: '99999999-2222-3333-4444-555555555555' }));
  await huntOps.app.handleMessage('hunt kaseya', context({ tenantId: LONG }));
  await huntOps.app.handleMessage('hunt kaseya', context({ tenantId: `${LONG}2` }));
  await huntOps.app.handleMessage('hunt kaseya', context({ tenantId: undefined }));
  entries = await store.listAudit({ limit: 1000 });
  expect(entries.map((e) => [(e.details as { tenant: string }).tenant, e.count])).toEqual([
    ['(none)', 1],
    ['(not a tenant id)', 2],
    ['99999999-2222-3333-4444-555555555555', 1],
    [OUTSIDER, 1],
    [OUTSIDER, 51],
  ]);
  expect(JSON.stringify(entries)).not.toContain('ZZZZ');
});

test('only validated values reach the audit from the allowed tenant: names, ids and conversation ids are checked or bounded', async () => {
  const hostile = context({ caller: hostileCaller, conversationId: `19:x@thread.tacv2;messageid=1${LONG}\n` });
  await huntOps.app.handleWords(['unexclude', 'y'.repeat(5000)], hostile);
  await huntOps.app.handleWords(['exclude', 'device', 'it-adm-1', 'reason', 'r'], hostile);
  await huntOps.app.handleAction(VERBS.unexclude, { exclusionId: 'e'.repeat(128) }, hostile);
  await huntOps.app.handleAction(VERBS.exclude, { huntId: 'A'.repeat(12), row: '0' }, hostile);
  await huntOps.app.handleWords(['incident', 'channel', 'here'], context({ caller: hostileCaller, kind: 'channel', channelId: `19:${LONG}\n@evil` }));

  const entries = await store.listAudit({ limit: 1000 });
  expect(entries.map((e) => `${e.action}:${e.outcome}`)).toEqual(['exclude:refused', 'exclude:refused']);
  const text = JSON.stringify(entries);
  expect(text).not.toContain('Z'.repeat(100));
  expect(text).not.toContain('yyyy');
  expect(text).not.toContain('\\u0000');
  for (const entry of entries) {
    expect(entry.actor.aadObjectId).toBe('(unverified)');
    expect(entry.actor.name.length).toBeLessThanOrEqual(100);
    expect(entry.actor.name).toMatch(/^Mallory Z+…$/);
    expect(entry.conversationId).toBe('(unrecognised)');
    expect(entry.tenant).toBe(TENANT);
  }
});
