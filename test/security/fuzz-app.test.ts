/**
 * Property-based fuzzing of the whole core, in-process: `HuntOpsApp.handleMessage` and
 * `handleAction` driven with hostile chat text and forged card data, on the real local backend (a
 * tiny temp data set) and a temp SQLite store. For every input:
 *
 * - the app answers (never rejects), with a view that renders as a card; a deferred answer's work
 *   completes with a view too (every input yields a reply);
 * - nothing is an internal error: hostile input gets user errors, never "something went wrong";
 * - each input is answered in bounded time (generous, the bound catches a hang, not slowness; the
 *   slowest is reported);
 * - every query that reaches the backend is the builder's template for the hunt that was recorded
 *   (or the device check that was asked), with the user's text only inside string literals:
 *   checked for every query by composition, and for a sample by Kusto's official parser.
 *
 * `HUNT_FUZZ_SCALE=10` multiplies the counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { createLocalBackend } from '../../src/backends/local';
import { renderCard } from '../../src/cards/render';
import type { HuntOpsApp } from '../../src/core/app';
import type { RequestContext } from '../../src/core/context';
import { HuntTargets } from '../../src/core/hunt-targets';
import { parseCheckArgs } from '../../src/core/parse-hunt';
import type { Reply } from '../../src/core/reply';
import { tokenize } from '../../src/core/tokenize';
import { VERBS } from '../../src/core/verbs';
import type { View } from '../../src/core/views';
import { loadCatalog } from '../../src/hunt/catalog';
import { buildAllToolsQueries } from '../../src/hunt/hunt-queries-all-tools';
import { buildDeviceCheckQueries } from '../../src/hunt/hunt-queries-device-check';
import { buildHuntQuery, kqlString, type HuntKind } from '../../src/hunt/kql-builder';
import { parseWindow, windowOf } from '../../src/hunt/window';
import { createHuntOps } from '../../src/app/create-huntops';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { certificateEvent, eventFolder, type EventFolder } from '../support/event-files';
import { commandText, hostileText } from './hostile-text';
import { structuralDifferences } from './kusto-structure';
import { RecordingBackend } from './secured-bot';

const NOW = new Date('2026-11-29T12:00:00Z');
const MAX_DEVICES = 50;
const PLACEHOLDER = 'zqxjPLACEHOLDERzqxj';
/** A hang, not slowness: the slowest input is reported. */
const BOUND_MS = 10_000;
/** Every query is checked by composition; every KUSTO_EVERY-th single-tool hunt also by Kusto. */
const KUSTO_EVERY = 10;
const SCALE = Number(process.env.HUNT_FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

const catalog = loadCatalog();
const toolWords = [...new Set(catalog.tools.flatMap((t) => [t.id, t.name, ...t.aliases]))];

const context: RequestContext = {
  requestId: 'fuzz',
  caller: { id: '29:fuzzer', name: 'Fuzz Tester', aadObjectId: '6d1f1a2e-7c43-4c1e-9d0f-1a2b3c4d5e6f' },
  conversation: { id: 'a:1fuzz', kind: 'personal', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
  reference: { serviceUrl: 'http://127.0.0.1:9/', conversation: { id: 'a:1fuzz' } },
};

function processEvent(device: string, hoursAgo: number, fields: object): object {
  return {
    Timestamp: new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString(),
    DeviceId: device.replace(/[^a-z0-9]/g, '').padEnd(40, '0').slice(0, 40),
    DeviceName: device,
    ReportId: 5000 + hoursAgo,
    ...fields,
  };
}

const tally: Record<string, number> = {};
const count = (key: string) => (tally[key] = (tally[key] ?? 0) + 1);
let slowest = { ms: 0, input: '' };
let kustoTurn = 0;

describe('the core under hostile input', () => {
  let events: EventFolder;
  let dir: string;
  let store: Store;
  let backend: RecordingBackend;
  let app: HuntOpsApp;
  const internalErrors: string[] = [];

  beforeAll(async () => {
    events = eventFolder();
    events.write('DeviceFileCertificateInfo', [
      certificateEvent(NOW, 'ws-fin-014.contoso.com', 'Kaseya Holdings Inc.', 2),
      certificateEvent(NOW, 'WS-\u0430DM-1', 'AnyDesk Software GmbH', 3),
      certificateEvent(NOW, 'it-adm-003', 'TeamViewer Germany GmbH', 20),
    ]);
    events.write('DeviceProcessEvents', [processEvent('ws-fin-014.contoso.com', 1, { FileName: 'AnyDesk.exe', FolderPath: 'C:\\Program Files\\AnyDesk\\AnyDesk.exe', ProcessVersionInfoCompanyName: 'AnyDesk Software GmbH', SHA1: 'b'.repeat(40) })]);
    events.write('DeviceNetworkEvents', [processEvent('ws-fin-014.contoso.com', 1, { RemoteUrl: 'relay-1.net.anydesk.com', RemotePort: 443, InitiatingProcessFileName: 'AnyDesk.exe' })]);
    dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-fuzz-'));
    store = await openStore(`sqlite:${path.join(dir, 'huntops.db')}`, { clock: () => NOW });
    backend = new RecordingBackend(createLocalBackend({ dataDir: events.dir, now: () => NOW, maxWindow: parseWindow('30d')!, label: 'fuzz data' }));
    const log = {
      debug() {},
      info() {},
      warn() {},
      error(fields: object, message: string) {
        internalErrors.push(`${message}: ${String((fields as { err?: unknown }).err)}`);
      },
    };
    ({ app } = createHuntOps({ targets: new HuntTargets({ backend, appliesWindow: false }), store, access: { allowedTenants: '*', responders: '*' }, log, instanceId: 'fuzz', maxDevices: MAX_DEVICES, now: () => NOW }));
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    events.remove();
    process.stdout.write(`fuzz-app counts: ${JSON.stringify(tally)}; slowest input ${Math.round(slowest.ms)} ms (${JSON.stringify(slowest.input.slice(0, 80))})\n`);
  });

  function expectView(view: View): void {
    expect(typeof view.name).toBe('string');
    const card = JSON.stringify(renderCard(view));
    expect(card.length).toBeGreaterThan(0);
  }

  /** The query the backend ran, against the builder's template for what was asked. */
  function judgeQuery(query: string, template: string, device: string | undefined, useKusto: boolean): void {
    const literal = (value: string) => value.split(PLACEHOLDER).join(device ?? '');
    const expected = template.replace(/'((?:[^'\\]|\\.)*)'/g, (whole, body: string) => (body.includes(PLACEHOLDER) && !body.includes('\\') ? kqlString(literal(body)) : whole));
    expect(query).toBe(expected);
    count('queries checked by composition');
    if (useKusto) {
      expect(structuralDifferences(query, template, literal)).toEqual([]);
      count('queries checked by Kusto');
    }
  }

  /** The builder's templates of the queries a hunt runs (several for the whole catalog, in a batch). */
  function templatesOfHunt(request: { toolId: string; kind: string; windowMs: number; device?: string }): readonly string[] {
    const window = windowOf(request.windowMs);
    const device = request.device !== undefined ? { device: PLACEHOLDER } : {};
    if (request.kind === 'all-tools') return buildAllToolsQueries({ tools: catalog.tools, window, ...device }, { dialect: backend.dialect, maxDevices: MAX_DEVICES }).queries;
    const tool = catalog.get(request.toolId);
    if (!tool) throw new Error(`a hunt of an unknown tool ${request.toolId}`);
    return [buildHuntQuery({ tool, kind: request.kind as HuntKind, window, ...device }, { dialect: backend.dialect, maxDevices: MAX_DEVICES })];
  }

  /** Sends `text`; checks the reply, its completion and any query it ran. */
  async function message(text: string): Promise<void> {
    const queriesBefore = backend.queries.length;
    const errorsBefore = internalErrors.length;
    const started = performance.now();
    const reply: Reply = await app.handleMessage(text, context);
    let hunt: { request: { toolId: string; kind: string; windowMs: number; device?: string }; kql: string } | undefined;
    if (reply.kind === 'view') {
      expectView(reply.view);
      count('answered with a view');
    } else {
      expectView(reply.progress);
      const running = await store.listRunningHunts();
      expect(running.length).toBeLessThanOrEqual(1);
      hunt = running[0] as typeof hunt;
      const final = await reply.complete({ messageId: `m${backend.queries.length}` }, async (progress) => expectView(progress));
      expectView(final);
      count(hunt ? 'hunts run' : 'device checks run');
    }
    const ms = performance.now() - started;
    if (ms > slowest.ms) slowest = { ms, input: text };
    expect(ms).toBeLessThan(BOUND_MS);
    expect(internalErrors.slice(errorsBefore)).toEqual([]);
    const ran = backend.queries.slice(queriesBefore);
    if (reply.kind === 'view') {
      expect(ran).toEqual([]);
      return;
    }
    if (hunt) {
      const templates = templatesOfHunt(hunt.request);
      expect(ran).toHaveLength(templates.length);
      expect(ran.join('\n\n')).toBe(hunt.kql);
      if (hunt.request.device !== undefined) expect(text).toContain(hunt.request.device);
      const kusto = hunt.request.kind !== 'all-tools' && kustoTurn++ % KUSTO_EVERY === 0;
      templates.forEach((template, i) => judgeQuery(ran[i]!, template, hunt.request.device, kusto));
    } else {
      const args = parseCheckArgs(tokenize(text).slice(1));
      expect(text).toContain(args.device);
      const templates = buildDeviceCheckQueries({ tools: catalog.tools, window: args.window, device: PLACEHOLDER }, { dialect: backend.dialect }).queries;
      expect(ran).toHaveLength(templates.length);
      templates.forEach((template, i) => judgeQuery(ran[i]!, template, args.device, false));
    }
  }

  test('hunt and check commands in chat’s many spellings, with hostile device names', async () => {
    await fc.assert(fc.asyncProperty(commandText(toolWords), (text) => message(text)), { numRuns: runs(2_000) });
    expect(tally['hunts run']).toBeGreaterThan(runs(2_000) / 10);
  }, 900_000);

  test('hostile text of every kind', async () => {
    await fc.assert(fc.asyncProperty(hostileText(), (text) => message(text)), { numRuns: runs(15_000) });
  }, 900_000);

  test('hostile text after each command word', async () => {
    const words = ['hunt', 'check', 'tools', 'rules', 'exclude', 'exclusions', 'unexclude', 'incident', 'incidents', 'watch', 'watches', 'unwatch', 'sanction', 'sanctions', 'unsanction', 'audit', 'help'];
    await fc.assert(fc.asyncProperty(fc.constantFrom(...words), hostileText({ maxParts: 10 }), (word, rest) => message(`${word} ${rest}`)), { numRuns: runs(5_000) });
  }, 900_000);

  test('megabyte messages, of each kind of text', async () => {
    const mb = 1024 * 1024;
    const big = ["'", '\\', '\n', '|', '\u202e', '\u200b', '\ud800', 'hunt kaseya device ', '\u201c', 'a'];
    for (const piece of big) await message(piece.repeat(Math.ceil(mb / piece.length)).slice(0, mb));
    await message(`hunt kaseya 5d device ${'a'.repeat(mb)}`);
    await message(`hunt ${'kaseya '.repeat(mb / 7)}`);
    count('megabyte messages');
  }, 120_000);

  test('card actions with forged verbs and data', async () => {
    const verbs = fc.oneof(fc.constantFrom(...Object.values(VERBS)), hostileText({ maxParts: 3 }), fc.anything());
    const value = fc.oneof(hostileText({ maxParts: 4 }), fc.anything(), fc.integer(), fc.constant('__proto__'));
    const data = fc.oneof(
      fc.anything(),
      fc.record({ huntId: value, row: value, exclusionId: value, page: value, reason: value, scope: value, expiry: value, pattern: value, note: value }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(verbs, data, async (verb, payload) => {
        const errorsBefore = internalErrors.length;
        const started = performance.now();
        const reply = await app.handleAction(verb, payload, context);
        const view = reply.kind === 'view' ? reply.view : reply.progress;
        expectView(view);
        if (reply.kind === 'view' && reply.everyone) expectView(await reply.everyone());
        expect(performance.now() - started).toBeLessThan(BOUND_MS);
        expect(internalErrors.slice(errorsBefore)).toEqual([]);
        count('card actions');
      }),
      { numRuns: runs(5_000) },
    );
  }, 900_000);
});
