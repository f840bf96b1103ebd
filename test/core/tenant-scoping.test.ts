/**
 * Issue #11, finding 5 (scoping): when several tenants may use HuntOps, exclusions, incidents and
 * the audit are kept per tenant. An exclusion made in tenant A — from a card or typed — never hides
 * a device in tenant B's hunts, and B can neither list nor remove it; B's audit and incidents show
 * only B's. The real app on the sample data and a SQLite store, without HTTP.
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
import type { Reply } from '../../src/core/reply';
import { VERBS } from '../../src/core/verbs';
import type { View } from '../../src/core/views';
import { parseWindow } from '../../src/hunt/window';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';

const A = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const B = '11111111-2222-3333-4444-555555555555';
const ADA = { id: '29:ada', name: 'Ada Analyst', aadObjectId: '00000000-0000-4000-8000-00000000ada0' };
const BEA = { id: '29:bea', name: 'Bea Fabrikam', aadObjectId: '00000000-0000-4000-8000-0000000000be' };

let dir: string;
let store: Store;
let huntOps: HuntOps;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-tenants-'));
  store = await openStore(`sqlite:${path.join(dir, 'huntops.db')}`);
  huntOps = createHuntOps({
    targets: new HuntTargets({ backend: createLocalBackend({ dataDir: SAMPLE_DATA_DIR, maxWindow: parseWindow('30d')!, label: 'sample data' }), appliesWindow: false }),
    store,
    access: { allowedTenants: [A, B], responders: [ADA.aadObjectId, BEA.aadObjectId] },
    log: SILENT_LOG,
    instanceId: 'tenants-test',
    incidentChannel: '19:incidents@thread.tacv2',
  });
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const inA: RequestContext = { caller: ADA, conversation: { id: 'a:1contoso', kind: 'personal', tenantId: A } };
const inB: RequestContext = { caller: BEA, conversation: { id: 'a:1fabrikam', kind: 'personal', tenantId: B } };
const text = (v: View) => JSON.stringify(v);

function view(reply: Reply): View {
  if (reply.kind !== 'view') throw new Error(`expected a view, got ${reply.kind}`);
  return reply.view;
}

async function huntIn(context: RequestContext): Promise<View & { name: 'huntResult' }> {
  const reply = await huntOps.app.handleWords(['hunt', 'kaseya', '30d'], { ...context, requestId: `r-${Math.random()}` });
  if (reply.kind !== 'deferred') throw new Error('a hunt answers later');
  const result = await reply.complete({ messageId: `m-${Math.random()}` }, async () => {});
  if (result.name !== 'huntResult') throw new Error(`no devices: ${text(result)}`);
  return result;
}

const names = (result: View & { name: 'huntResult' }) => result.groups.flatMap((g) => g.rows.map((r) => r.deviceName));

test('exclusions made in one tenant never hide, list or unexclude in another', async () => {
  const before = names(await huntIn(inB));
  const inContoso = await huntIn(inA);
  const first = inContoso.groups[0]!.rows[0]!;
  const submitted = view(await huntOps.app.handleAction(VERBS.excludeSubmit, { huntId: inContoso.huntId, row: first.row, reason: 'ours', scope: 'all', expiry: 'never' }, inA));
  expect(text(submitted)).toContain(`Excluded ${first.deviceName}`);
  view(await huntOps.app.handleWords(['exclude', 'device', 'it-adm-*', 'reason', 'admins', 'for', 'never'], { ...inA, requestId: 'typed-a' }));

  expect(names(await huntIn(inA))).not.toContain(first.deviceName);
  expect(names(await huntIn(inB))).toEqual(before);

  const listB = view(await huntOps.app.handleWords(['exclusions'], inB));
  expect(listB).toMatchObject({ name: 'exclusions', total: 0 });
  const [exclusion] = await store.listExclusions({ tenant: A });
  const remove = view(await huntOps.app.handleAction(VERBS.unexclude, { exclusionId: exclusion!.id }, inB));
  expect(text(remove)).toContain('That exclusion does not exist');
  const unexclude = view(await huntOps.app.handleWords(['unexclude', 'it-adm-*'], inB));
  expect(text(unexclude)).toContain("No exclusion of 'it-adm-*'");
  expect(await store.listExclusions({ tenant: A, activeAt: new Date() })).toHaveLength(2);
});

test('incidents and the audit trail are listed per tenant', async () => {
  const inContoso = await huntIn(inA);
  const row = inContoso.groups[0]!.rows[1]!.row;
  view(await huntOps.app.handleAction(VERBS.escalateSubmit, { huntId: inContoso.huntId, row, note: 'n', incident: 'new', title: 'Contoso incident' }, inA));

  const inFabrikam = await huntIn(inB);
  const form = view(await huntOps.app.handleAction(VERBS.escalate, { huntId: inFabrikam.huntId, row: inFabrikam.groups[0]!.rows[0]!.row }, inB));
  expect(form).toMatchObject({ name: 'escalateForm', incidents: [] });

  const auditB = view(await huntOps.app.handleWords(['audit', '25'], inB));
  if (auditB.name !== 'audit') throw new Error(text(auditB));
  expect(auditB.entries.length).toBeGreaterThan(0);
  expect(auditB.entries.every((e) => e.who === 'Bea Fabrikam')).toBe(true);
  const auditA = view(await huntOps.app.handleWords(['audit', '25'], inA));
  if (auditA.name !== 'audit') throw new Error(text(auditA));
  expect(auditA.entries.some((e) => e.action === 'escalate')).toBe(true);
  expect(auditA.entries.every((e) => e.who === 'Ada Analyst')).toBe(true);
});
