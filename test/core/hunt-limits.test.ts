/**
 * Issue #11, finding 7: per-user limits. One user gets at most 10 hunts (and checks) a minute; the
 * 11th is refused with a card saying when to try again, and that is counted in the audit; other
 * users are unaffected. Work pending in a conversation and in all is capped; a cap lifts as soon as
 * work ends. The real app on the sample data and a SQLite store, without HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHuntOps, type HuntOps } from '../../src/app/create-huntops';
import { createLocalBackend } from '../../src/backends/local';
import { SAMPLE_DATA_DIR } from '../../src/config';
import type { RequestContext } from '../../src/core/context';
import { DEFAULT_HUNT_LIMITS, type HuntLimits } from '../../src/core/hunt-limits';
import { HuntTargets } from '../../src/core/hunt-targets';
import { SILENT_LOG } from '../../src/core/log';
import type { DeferredReply, Reply } from '../../src/core/reply';
import { parseWindow } from '../../src/hunt/window';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const person = (n: number) => ({ id: `29:p${n}`, name: `Person ${n}`, aadObjectId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` });

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-limits-'));
  store = await openStore(`sqlite:${path.join(dir, 'huntops.db')}`);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function huntOps(limits?: Partial<HuntLimits>): HuntOps {
  return createHuntOps({
    targets: new HuntTargets({ backend: createLocalBackend({ dataDir: SAMPLE_DATA_DIR, maxWindow: parseWindow('30d')!, label: 'sample data' }), appliesWindow: false }),
    store,
    access: { allowedTenants: [TENANT], responders: [] },
    log: SILENT_LOG,
    instanceId: 'limits-test',
    ...(limits ? { limits } : {}),
  });
}

function as(n: number, conversation = 'a:1limits'): RequestContext {
  return { caller: person(n), conversation: { id: conversation, kind: 'personal', tenantId: TENANT }, requestId: `r-${Math.random()}` };
}

function deferred(reply: Reply): DeferredReply {
  if (reply.kind !== 'deferred') throw new Error(`expected work to start, got ${JSON.stringify(reply.view)}`);
  return reply;
}

const finish = (reply: DeferredReply) => reply.complete({ messageId: `m-${Math.random()}` }, async () => {});

test('the documented defaults', () => {
  expect(DEFAULT_HUNT_LIMITS).toEqual({ userPerMinute: 10, pendingPerConversation: 10, pendingTotal: 50 });
});

test('the 11th hunt or check of a minute is refused with when to try again; other users are unaffected', async () => {
  const app = huntOps().app;
  for (let i = 0; i < 10; i++) await finish(deferred(await app.handleMessage(i % 2 ? 'hunt kaseya 5d' : 'check it-adm-003 5d', as(1))));
  const refused = await app.handleMessage('hunt kaseya 5d', as(1));
  expect(refused).toMatchObject({ kind: 'view', status: 'refused', view: { name: 'notice', title: 'Too many hunts for now' } });
  const text = refused.kind === 'view' && refused.view.name === 'notice' ? refused.view.text : '';
  const seconds = Number(/Try again in (\d+) seconds?\./.exec(text)?.[1]);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(60);
  expect(text).toContain('HUNT_USER_RATE');

  await finish(deferred(await app.handleMessage('hunt kaseya 5d', as(2))));
  for (let i = 0; i < 3; i++) await app.handleMessage('hunt kaseya 5d', as(1));
  const counted = (await store.listAudit({ limit: 100 })).filter((e) => e.outcome === 'refused');
  expect(counted).toEqual([expect.objectContaining({ action: 'hunt', count: 4, actor: { aadObjectId: person(1).aadObjectId, name: 'Person 1' }, details: expect.objectContaining({ limit: 'user-rate' }) })]);
});

test('work pending in a conversation and in all is capped, and the cap lifts when work ends', async () => {
  const app = huntOps({ pendingPerConversation: 2, pendingTotal: 3 }).app;
  const first = deferred(await app.handleMessage('hunt kaseya 5d', as(1)));
  deferred(await app.handleMessage('hunt kaseya 5d', as(2)));
  const here = await app.handleMessage('check it-adm-003', as(3));
  expect(here).toMatchObject({ status: 'refused', view: { title: 'Too many hunts running here' } });
  deferred(await app.handleMessage('hunt kaseya 5d', as(3, 'a:1elsewhere')));
  const busy = await app.handleMessage('hunt kaseya 5d', as(4, 'a:1third'));
  expect(busy).toMatchObject({ status: 'refused', view: { title: 'HuntOps is busy' } });

  await finish(first);
  deferred(await app.handleMessage('hunt kaseya 5d', as(3)));
});

test('a request refused before its work (a wrong window) gives its slot back', async () => {
  const app = huntOps({ pendingPerConversation: 1 }).app;
  for (let i = 0; i < 3; i++) expect(await app.handleMessage('hunt kaseya 400d', as(1))).toMatchObject({ kind: 'view', status: 'failed' });
  deferred(await app.handleMessage('hunt kaseya 5d', as(1)));
});
