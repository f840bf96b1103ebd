/**
 * The route registry and its pipeline, without HTTP: the real app on the sample data and a SQLite
 * store in a temp folder, driven as the transports drive it. Refusals are audited under the same
 * action as successes, access is decided before anything a request names is looked up, requests
 * that cannot be read are answered with their usage, and help lists exactly the registry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { createHuntOps, type HuntOps } from '../../src/app/create-huntops';
import { createLocalBackend } from '../../src/backends/local';
import { SAMPLE_DATA_DIR } from '../../src/config';
import { AccessPolicy } from '../../src/core/access';
import { HuntOpsApp } from '../../src/core/app';
import { Auditor } from '../../src/core/audit';
import type { RequestContext } from '../../src/core/context';
import { HuntTargets } from '../../src/core/hunt-targets';
import { SILENT_LOG } from '../../src/core/log';
import { button, command } from '../../src/core/pipeline';
import type { Reply, ViewReply } from '../../src/core/reply';
import { UserError } from '../../src/core/user-error';
import { VERBS } from '../../src/core/verbs';
import type { View } from '../../src/core/views';
import { parseWindow } from '../../src/hunt/window';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const ADA = { id: '29:ada', name: 'Ada Analyst', aadObjectId: '00000000-0000-4000-8000-00000000ada0' };
const BOB = { id: '29:bob', name: 'Bob Builder', aadObjectId: '00000000-0000-4000-8000-00000000b0b0' };

function as(caller: typeof ADA, tenantId = TENANT): RequestContext {
  return { caller, conversation: { id: 'a:1routes', kind: 'personal', tenantId }, requestId: `r-${Math.random()}` };
}

function view(reply: Reply): ViewReply {
  if (reply.kind !== 'view') throw new Error(`expected a view, got ${reply.kind}`);
  return reply;
}

function text(v: View): string {
  return JSON.stringify(v);
}

let dir: string;
let store: Store;
let huntOps: HuntOps;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-routes-'));
  store = await openStore(`sqlite:${path.join(dir, 'huntops.db')}`);
  huntOps = createHuntOps({
    targets: new HuntTargets({ backend: createLocalBackend({ dataDir: SAMPLE_DATA_DIR, maxWindow: parseWindow('30d')!, label: 'sample data' }), appliesWindow: false }),
    store,
    access: { allowedTenants: [TENANT], responders: [ADA.aadObjectId] },
    log: SILENT_LOG,
    instanceId: 'routes-test',
  });
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function latestAudit() {
  const [entry] = await store.listAudit({ limit: 1 });
  return entry;
}

async function finishedHunt(): Promise<{ huntId: string; row: string }> {
  const reply = await huntOps.app.handleMessage('hunt kaseya 5d', as(ADA));
  if (reply.kind !== 'deferred') throw new Error('a hunt answers later');
  const result = await reply.complete({ messageId: 'm1' }, async () => {});
  if (result.name !== 'huntResult') throw new Error(`no devices: ${text(result)}`);
  return { huntId: result.huntId, row: result.groups[0]!.rows[0]!.row };
}

describe('the pipeline', () => {
  test('a refusal is audited under the action a success is audited under', async () => {
    const words = ['exclude', 'device', 'it-adm-077', 'reason', 'jump host', 'for', '7d'];
    const refused = view(await huntOps.app.handleWords(words, as(BOB)));
    expect(refused.status).toBe('refused');
    expect(text(refused.view)).toContain("You can't exclude devices here");
    expect(await latestAudit()).toMatchObject({ action: 'exclude', outcome: 'refused', actor: { name: 'Bob Builder' }, details: { pattern: 'it-adm-077', reason: 'jump host' } });

    const done = view(await huntOps.app.handleWords(words, as(ADA)));
    expect(done.status).toBeUndefined();
    expect(await latestAudit()).toMatchObject({ action: 'exclude', outcome: 'ok', actor: { name: 'Ada Analyst' }, details: { pattern: 'it-adm-077', created: true } });
  });

  test('access is decided before the ids a click names are looked up', async () => {
    const missing = { huntId: 'AAAAAAAAAAAA', row: '0' };
    const refused = view(await huntOps.app.handleAction(VERBS.exclude, missing, as(BOB)));
    expect(refused.status).toBe('refused');
    expect(text(refused.view)).toContain("You can't exclude devices here");
    expect(text(refused.view)).not.toContain('no longer available');
    expect(await latestAudit()).toMatchObject({ action: 'exclude', outcome: 'refused', details: missing });

    const looked = view(await huntOps.app.handleAction(VERBS.exclude, missing, as(ADA)));
    expect(looked.status).toBe('failed');
    expect(text(looked.view)).toContain('That hunt is no longer available');
  });

  test('a responder opening a form is not audited; submitting it is, under the same action', async () => {
    const { huntId, row } = await finishedHunt();
    const before = (await store.listAudit({ limit: 1000 })).length;
    const form = view(await huntOps.app.handleAction(VERBS.exclude, { huntId, row }, as(ADA)));
    expect(form.view.name).toBe('excludeForm');
    expect(await store.listAudit({ limit: 1000 })).toHaveLength(before);

    const invalid = view(await huntOps.app.handleAction(VERBS.excludeSubmit, { huntId, row, reason: '  ', scope: 'tool', expiry: '7' }, as(ADA)));
    expect(invalid.view).toMatchObject({ name: 'excludeForm', error: 'Give a reason: it is what the next analyst reads.' });
    expect(await store.listAudit({ limit: 1000 })).toHaveLength(before);

    const done = view(await huntOps.app.handleAction(VERBS.excludeSubmit, { huntId, row, reason: 'jump host', scope: 'tool', expiry: 'never' }, as(ADA)));
    expect(done.view.name).toBe('huntResult');
    expect(done.everyone).toBeDefined();
    expect(await latestAudit()).toMatchObject({ action: 'exclude', outcome: 'ok', details: { reason: 'jump host', expiresAt: null } });
  });

  test('requests that cannot be read are answered with the usage, and nothing is done or audited', async () => {
    const before = (await store.listAudit({ limit: 1000 })).length;
    const words = view(await huntOps.app.handleWords(['exclude', 'device', 'it-adm-078'], as(ADA)));
    expect(words.status).toBe('invalid');
    expect(words.view).toMatchObject({ name: 'notice', title: 'Why?' });
    expect(text(words.view)).toContain('exclude device <name or pattern>');
    const quote = view(await huntOps.app.handleMessage('exclude device x reason "open', as(ADA)));
    expect(quote).toMatchObject({ status: 'invalid', view: { title: 'A quote is not closed' } });
    const data = view(await huntOps.app.handleAction(VERBS.huntPage, { huntId: 'x', page: 1, extra: true }, as(ADA)));
    expect(data).toMatchObject({ status: 'invalid', view: { title: 'That button did not work' } });
    const verb = view(await huntOps.app.handleAction('selfDestruct', {}, as(ADA)));
    expect(verb).toMatchObject({ status: 'invalid', view: { title: 'That button did not work' } });
    const unknown = view(await huntOps.app.handleMessage('hutn kaseya', as(ADA)));
    expect(unknown).toMatchObject({ status: 'invalid', view: { title: "I don't know the command 'hutn'" } });
    expect(text(unknown.view)).toContain('Did you mean hunt?');
    expect(await store.listAudit({ limit: 1000 })).toHaveLength(before);
    expect((await store.listExclusions()).map((e) => e.pattern)).not.toContain('it-adm-078');
  });

  test('another tenant is refused before any route, audited as use with validated values only', async () => {
    const message = view(await huntOps.app.handleWords(['hunt', 'kaseya'], as(ADA, 'another-tenant')));
    expect(message).toMatchObject({ status: 'refused', view: { title: 'HuntOps is not enabled for your organisation' } });
    expect(await latestAudit()).toMatchObject({ action: 'use', outcome: 'refused', count: 1, details: { tenant: '(not a tenant id)' } });
    await huntOps.app.handleAction('<script>', { huntId: 'forged' }, as(ADA, 'another-tenant'));
    expect(await latestAudit()).toMatchObject({ count: 2, details: { tenant: '(not a tenant id)', hour: expect.any(String) } });
  });

  test('help lists exactly the registered commands, with their usage', async () => {
    const help = view(await huntOps.app.handleMessage('help', as(BOB))).view;
    if (help.name !== 'help') throw new Error('help answers with help');
    const firstWords = help.commands.map((c) => c.usage.split(' ')[0]);
    expect(firstWords).toEqual(['hunt', 'check', 'tools', 'rules', 'exclude', 'exclusions', 'unexclude', 'exclusions', 'incident', 'incidents', 'watch', 'watches', 'unwatch', 'sanction', 'sanctions', 'unsanction', 'audit', 'help']);
    expect(help.commands[0]!.usage.split('\n')).toHaveLength(3);
    expect(view(await huntOps.app.handleMessage('', as(BOB))).view).toEqual(help);
  });
});

describe('long work after the acknowledgement', () => {
  test.each([
    ['a hunt', 'hunt kaseya 5d', 'huntResult'],
    ['a device check', 'check ws-fin-014 30d', 'deviceCheck'],
  ])('%s handles its query result only once the pace lets it (between turns, in a bot)', async (_what, words, done) => {
    const reply = await huntOps.app.handleMessage(words, as(ADA));
    if (reply.kind !== 'deferred') throw new Error('it answers later');
    let paced!: () => void;
    const asked = new Promise<void>((resolve) => (paced = resolve));
    let go!: () => void;
    const allowed = new Promise<void>((resolve) => (go = resolve));
    let finished = false;
    const result = reply.complete({ messageId: `m-${Math.random()}` }, async () => {}, () => (paced(), allowed)).then((v) => ((finished = true), v));
    await asked;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(finished).toBe(false);
    const running = await store.listRunningHunts({ instanceId: 'routes-test' });
    expect(running.map((h) => h.request.kind)).toEqual([words.startsWith('hunt') ? 'file-signature' : 'device-check']);
    go();
    expect((await result).name).toBe(done);
    expect(await store.listRunningHunts({ instanceId: 'routes-test' })).toEqual([]);
  });
});

describe('two-word commands', () => {
  test('exclusions sync goes to its own route (responders, audited); exclusions and a page still list', async () => {
    expect(view(await huntOps.app.handleMessage('exclusions sync', as(BOB))).view).toMatchObject({ title: "You can't sync exclusions with Microsoft Sentinel here" });
    expect(await latestAudit()).toMatchObject({ action: 'sync-exclusions', outcome: 'refused', details: { restore: false } });
    expect(view(await huntOps.app.handleMessage('Exclusions SYNC', as(ADA))).view).toMatchObject({ title: 'Microsoft Sentinel is not configured' });
    expect(view(await huntOps.app.handleMessage('exclusions sync now', as(ADA))).view).toMatchObject({ title: 'exclusions sync takes nothing more', usage: ['exclusions sync'] });
    expect(view(await huntOps.app.handleMessage('exclusions 2', as(BOB))).view).toMatchObject({ name: 'exclusions', page: 1 });
    expect(view(await huntOps.app.handleMessage('exclusions', as(BOB))).view).toMatchObject({ name: 'exclusions' });
    expect(view(await huntOps.app.handleMessage('exclusions synch', as(BOB))).view).toMatchObject({ title: 'exclusions takes a page number' });
  });
});

describe('a route declared from scratch', () => {
  const log = { ...SILENT_LOG, error: jest.fn() };
  const helpRoute = command({
    command: 'help',
    usage: ['help'],
    summary: 'help',
    example: 'help',
    parse: () => ({}),
    access: 'anyone',
    handle: async () => 'help',
    present: (t) => ({ name: 'notice', title: t, text: '', tone: 'default' }),
  });

  function app(handle: (request: { n: number }) => Promise<string>): HuntOpsApp {
    return new HuntOpsApp({
      routes: {
        commands: [
          helpRoute,
          command({
            command: 'double',
            usage: ['double <n>'],
            summary: 'Doubles n. Responders only.',
            example: 'double 2',
            parse: (words) => {
              const n = Number(words[0]);
              if (words.length !== 1 || !Number.isInteger(n)) throw new UserError('double takes a number', 'For example: double 2', ['double <n>']);
              return { n };
            },
            access: 'responder',
            handle: (request) => handle(request),
            present: (t) => ({ name: 'notice', title: t, text: '', tone: 'good' }),
            audit: { action: 'hunt', request: ({ n }) => ({ n }), result: ({ n }, t) => ({ outcome: 'ok', details: { n, t } }) },
          }),
        ],
        buttons: [
          button({
            verb: VERBS.toolsPage,
            data: z.object({ page: z.number() }).strict(),
            access: 'anyone',
            handle: async ({ page }) => page * 2,
            present: (n) => ({ name: 'notice', title: String(n), text: '', tone: 'default' }),
          }),
        ],
      },
      access: new AccessPolicy({ allowedTenants: '*', responders: [ADA.aadObjectId] }),
      auditor: new Auditor(store, SILENT_LOG),
      log,
    });
  }

  test('parse, authorize, handle, audit and present run in that order, one entry per request', async () => {
    const seen: number[] = [];
    const doubling = app(async ({ n }) => {
      seen.push(n);
      return String(n * 2);
    });
    expect(view(await doubling.handleWords(['double', '21'], as(ADA))).view).toMatchObject({ title: '42' });
    expect(await latestAudit()).toMatchObject({ action: 'hunt', outcome: 'ok', details: { n: 21, t: '42' } });
    expect(view(await doubling.handleWords(['double', '4'], as(BOB)))).toMatchObject({ status: 'refused' });
    expect(await latestAudit()).toMatchObject({ action: 'hunt', outcome: 'refused', details: { n: 4 } });
    expect(view(await doubling.handleWords(['double', 'x'], as(BOB)))).toMatchObject({ status: 'invalid', view: { title: 'double takes a number' } });
    expect(seen).toEqual([21]);
    expect(view(await doubling.handleAction(VERBS.toolsPage, { page: 3 }, as(BOB))).view).toMatchObject({ title: '6' });
  });

  test('a handler that throws is logged with a reference, audited as failed, and answered generically', async () => {
    const failing = app(async () => {
      throw new Error('disk on fire');
    });
    const answer = view(await failing.handleWords(['double', '1'], as(ADA)));
    expect(answer.status).toBe('failed');
    const reference = /reference ([0-9a-f]{8})/.exec(text(answer.view))?.[1];
    expect(reference).toBeDefined();
    expect(text(answer.view)).not.toContain('disk on fire');
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ reference }), 'handler failed');
    expect(await latestAudit()).toMatchObject({ action: 'hunt', outcome: 'failed', details: { n: 1, reference } });
  });

  test('two routes for one command are refused when the app is built', () => {
    const build = () =>
      new HuntOpsApp({
        routes: { commands: [helpRoute, helpRoute], buttons: [] },
        access: new AccessPolicy({ allowedTenants: '*', responders: '*' }),
        auditor: new Auditor(store, SILENT_LOG),
        log: SILENT_LOG,
      });
    expect(build).toThrow('two routes for the command help');
  });
});
