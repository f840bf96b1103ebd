/**
 * The watch scheduler's ports as HuntOps assembles them: watches' hunts run through the hunt
 * planning and the same backend stack as analysts' hunts, at background priority under one
 * concurrency cap — with every background slot taken, an analyst's hunt still runs at once — and
 * never on an answer kept from an earlier query; a capped result is reported as partial; a watch
 * whose tool is gone fails its run instead of hunting something else.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHuntOps } from '../../src/app/create-huntops';
import { createTargets } from '../../src/app/create-targets';
import type { Backend, QueryRequest } from '../../src/backends/backend';
import { ConcurrencyLimiter } from '../../src/backends/concurrency-limit-decorator';
import { createLocalBackend } from '../../src/backends/local';
import type { RequestContext } from '../../src/core/context';
import { HuntTargets } from '../../src/core/hunt-targets';
import { SILENT_LOG } from '../../src/core/log';
import { WatchSpecError } from '../../src/core/payloads/watch-spec';
import { WatchRunner } from '../../src/core/watch-runner';
import { loadCatalog } from '../../src/hunt/catalog';
import { NO_RULES } from '../../src/hunt/rule-book';
import { buildHuntQuery } from '../../src/hunt/kql-builder';
import { parseWindow } from '../../src/hunt/window';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { watchWindow } from '../../src/watch/watch-window';
import { newKaseyaDevice, sampleCopy, type SampleCopy } from '../support/sample-copy';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const catalog = loadCatalog();
let data: SampleCopy;
let dir: string;
let store: Store;

beforeEach(async () => {
  data = sampleCopy();
  dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-watch-runner-'));
  store = await openStore(`sqlite:${path.join(dir, 'huntops.db')}`);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  data.remove();
});

function context(requestId: string): RequestContext {
  return {
    caller: { id: '29:ada', name: 'Ada Analyst', aadObjectId: '00000000-0000-4000-8000-00000000ada0' },
    conversation: { id: 'a:1personal', kind: 'personal', tenantId: TENANT },
    requestId,
    reference: { serviceUrl: 'http://127.0.0.1:9/', channelId: 'msteams', conversation: { id: 'a:1personal', tenantId: TENANT } },
  };
}

/** A backend whose queries naming `held` wait until released (the rest run at once), on the local engine. */
function gated(backend: Backend, held: RegExp): Backend & { readonly waiting: string[]; release(): void } {
  const waiting: string[] = [];
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  return {
    ...backend,
    waiting,
    release: () => open(),
    run: async (request: QueryRequest) => {
      if (held.test(request.kql)) {
        waiting.push(request.kql);
        await gate;
      }
      return backend.run(request);
    },
  };
}

test('with every background slot held by watches, an analyst\'s hunt runs at once', async () => {
  const local = gated(createLocalBackend({ dataDir: data.dir, maxWindow: parseWindow('30d')! }), /anydesk|teamviewer/i);
  // Two slots, one of them for watches: the watches' second query waits, the analyst's goes ahead.
  const limiter = new ConcurrencyLimiter({ maxConcurrent: 2 });
  const targets = new HuntTargets({ backend: limiter.wrap(local), background: limiter.wrap(local, { priority: 'background' }), appliesWindow: false });
  const huntOps = createHuntOps({ targets, store, access: { allowedTenants: '*', responders: '*' }, log: SILENT_LOG, instanceId: 'test' });
  for (const [i, text] of ['watch anydesk every 1h', 'watch teamviewer every 1h'].entries()) {
    expect((await huntOps.app.handleMessage(text, context(`w${i}`))).kind).toBe('view');
  }
  const runs = huntOps.watches.runDue();
  await until(() => local.waiting.length === 1);

  const hunt = await huntOps.app.handleMessage('hunt kaseya 5d', context('h1'));
  if (hunt.kind !== 'deferred') throw new Error('a hunt answers later');
  const queued: string[] = [];
  const result = await hunt.complete({ messageId: 'm1' }, async (view) => void queued.push(view.name));
  expect(result).toMatchObject({ name: 'huntResult', deviceCount: 4 });
  expect(queued).toEqual([]);
  expect(local.waiting).toHaveLength(1);

  local.release();
  const reports = await runs;
  expect(reports.map((r) => r.kind)).toEqual(['baseline', 'baseline']);
  expect(local.waiting).toHaveLength(2);
  expect((await store.listOutbox()).map((item) => item.kind)).toEqual(['post', 'post']);
});

test('watches share queries in flight but never reuse a kept answer: a run sees the data as it is', async () => {
  // The first load may wait as long as a busy machine takes to start an engine thread (a CI run once
  // took over 5 s): what is checked here is the reload, which never waits (`reloadWaitMs: 0`).
  const engine = { threads: 1, timeoutSeconds: 60, workerMemoryMb: 256, loadWaitSeconds: 60 };
  const targets = createTargets({ kind: 'local', dataDir: data.dir, maxWindow: parseWindow('30d')!, engine });
  const runner = new WatchRunner({ catalog, rules: NO_RULES, targets, maxDevices: 500 });
  const spec = { version: 1, hunt: { subject: { kind: 'tool', toolId: 'kaseya', huntKind: 'file-signature' }, windowMs: 3_600_000, where: { kind: 'personal', conversationId: 'a:1' } } };
  const window = watchWindow({ baselineWindowMs: 3_600_000 }, new Date());
  const kql = buildHuntQuery({ tool: catalog.find('kaseya')!, window: { ms: window.ms } }, { dialect: 'defender', maxDevices: 500 });
  const interactive = () => targets.defaultTarget.backend.run({ kql, window: { ms: window.ms } });
  expect((await interactive()).rows).toEqual([]);
  expect((await runner.runHunt(spec, window, { priority: 'background', tenant: TENANT })).findings).toEqual([]);

  data.append('DeviceFileCertificateInfo', [newKaseyaDevice(data, 'ws-new-001.corp.contoso.com')]);
  // A changed file is reloaded in the background while the previous version answers, so the new
  // device shows within moments; an answer kept by the sharing decorator would hide it for 60 s.
  let after = await runner.runHunt(spec, window, { priority: 'background', tenant: TENANT });
  for (let attempt = 0; attempt < 40 && after.findings.length === 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    after = await runner.runHunt(spec, window, { priority: 'background', tenant: TENANT });
  }
  expect(after.findings.map((f) => [f.deviceName, f.toolId])).toEqual([['ws-new-001.corp.contoso.com', 'kaseya']]);
  // The same query for an analyst is answered from the answer kept a moment ago (shared-hunts-decorator.ts).
  expect((await interactive()).rows).toEqual([]);
});

test('a capped result is partial, and a watch whose tool is gone fails its run', async () => {
  const targets = new HuntTargets({ backend: createLocalBackend({ dataDir: data.dir, maxWindow: parseWindow('30d')! }), appliesWindow: false });
  const runner = new WatchRunner({ catalog, rules: NO_RULES, targets, maxDevices: 2 });
  const window = watchWindow({ baselineWindowMs: 5 * 86_400_000 }, new Date());
  const spec = { version: 1, hunt: { subject: { kind: 'tool', toolId: 'kaseya', huntKind: 'file-signature' }, windowMs: 5 * 86_400_000, where: { kind: 'personal', conversationId: 'a:1' } } };
  const capped = await runner.runHunt(spec, window, { priority: 'background', tenant: TENANT });
  expect(capped.findings).toHaveLength(2);
  expect(capped.partial?.message).toBe('the hunt found 4 devices and kept the 2 seen most recently');

  const gone = { version: 1, hunt: { ...spec.hunt, subject: { kind: 'tool', toolId: 'no-such-tool', huntKind: 'file-signature' } } };
  await expect(runner.runHunt(gone, window, { priority: 'background', tenant: TENANT })).rejects.toThrow(WatchSpecError);
  await expect(runner.runHunt({ version: 7, hunt: {} }, window, { priority: 'background', tenant: TENANT })).rejects.toThrow(/cannot read a watch spec of version 7/);
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
