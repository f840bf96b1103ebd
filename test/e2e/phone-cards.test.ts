/**
 * The cards as a phone shows them: HuntOps' own answers on the sample data (a hunt's result with
 * decisions on its rows, `hunt all`, `check` of both Kaseya stories' devices, the evidence card of
 * each story, an escalation with its evidence), each rendered by the `adaptivecards` renderer in
 * Debian's Chromium 360 px wide — the Agents Playground's page does not work that narrow — with
 * every request beyond loopback blocked. On each card nothing is cut mid-word, nothing is wider
 * than the phone, every row stays one glance tall with Details beside it and Exclude and Escalate
 * in its overflow menu. Screenshots go to `test-artifacts/e2e-phone/`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHuntOps } from '../../src/app/create-huntops';
import { createLocalBackend } from '../../src/backends/local';
import { renderCard } from '../../src/cards/render';
import { SAMPLE_DATA_DIR } from '../../src/config';
import type { RequestContext } from '../../src/core/context';
import { HuntTargets } from '../../src/core/hunt-targets';
import { SILENT_LOG } from '../../src/core/log';
import { outboxView } from '../../src/core/presenters/escalation-views';
import type { Reply } from '../../src/core/reply';
import { VERBS } from '../../src/core/verbs';
import type { View } from '../../src/core/views';
import { defenderHuntingLink } from '../../src/hunt/portal-links';
import { parseWindow } from '../../src/hunt/window';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { cardRow } from '../support/card-rows';
import { CardRenderer, PHONE_WIDTH } from '../support/card-renderer';
import { Artifacts, E2E_ARTIFACTS_DIR } from './artifacts';

jest.setTimeout(120_000);

/** The tallest a finding row may be at 360 px: three short lines and a decision, not a stack of buttons. */
const MAX_ROW_PX = 96;

const CONTEXT: RequestContext = {
  caller: { id: '29:1analyst', name: 'Ada Analyst', aadObjectId: '6d1f1a2e-7c43-4c1e-9d0f-1a2b3c4d5e6f' },
  conversation: { id: 'a:1personal-chat-with-ada', kind: 'personal', tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47' },
  reference: { conversation: { id: 'a:1personal-chat-with-ada' } },
};

let artifacts: Artifacts;
let renderer: CardRenderer;
let store: Store;
let dir: string;
let app: ReturnType<typeof createHuntOps>['app'];

beforeAll(async () => {
  artifacts = Artifacts.fresh(path.join(path.dirname(E2E_ARTIFACTS_DIR), 'e2e-phone'));
  renderer = await CardRenderer.open({ width: PHONE_WIDTH });
  dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-phone-'));
  store = await openStore(`sqlite:${path.join(dir, 'huntops.db')}`);
  const backend = createLocalBackend({ dataDir: SAMPLE_DATA_DIR, maxWindow: parseWindow('30d')!, label: 'sample data' });
  const targets = new HuntTargets({ backend, appliesWindow: false, portal: (kql, window) => ({ title: 'Open in Defender', url: defenderHuntingLink(kql, { window }) }) });
  ({ app } = createHuntOps({ targets, store, access: { allowedTenants: '*', responders: '*' }, log: SILENT_LOG, instanceId: 'phone', incidentChannel: '19:incidents@thread.tacv2' }));
}, 120_000);

afterAll(async () => {
  await renderer?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The view a reply finally shows (a deferred one completed). */
async function answer(reply: Promise<Reply>): Promise<View> {
  const done = await reply;
  return done.kind === 'view' ? done.view : done.complete({ messageId: 'm1' }, async () => undefined);
}

const ask = (text: string) => answer(app.handleMessage(text, CONTEXT));
const press = (verb: string, data: unknown) => answer(app.handleAction(verb, data, CONTEXT));

/** The button data of a row of a rendered card. */
function rowData(view: View, title: string): Record<string, unknown> {
  return cardRow(renderCard(view), title).actions[0]!.data;
}

/**
 * Renders `view` at phone width, saves its screenshot, and checks the layout: nothing cut
 * mid-word, nothing wider than the phone, each row one glance tall with Details visible and the
 * decisions behind its overflow button.
 */
async function onPhone(view: View, name: string): Promise<{ heights: number[] }> {
  const { card, warnings } = await renderer.render(renderCard(view));
  expect(warnings).toEqual([]);
  await artifacts.screenshot(card, `${name} at ${PHONE_WIDTH}px`);
  expect(await renderer.brokenWords(card)).toEqual([]);
  expect(await renderer.clippedTexts(card)).toEqual([]);
  expect(await renderer.overflow(card)).toBe(0);
  const rows = card.locator('[id^="finding-"]');
  const heights: number[] = [];
  for (const row of await rows.all()) {
    const box = (await row.boundingBox())!;
    heights.push(Math.round(box.height));
    expect(await row.getByRole('button', { name: 'Details', exact: true }).isVisible()).toBe(true);
    expect(await row.getByRole('button', { name: /^(Exclude|Escalate)$/ }).count()).toBe(0);
    // The row's title (a host name, a tool) is on one line.
    const title = row.locator('.ac-textRun').first();
    expect(await title.evaluate((e) => (e as unknown as { getClientRects(): ArrayLike<unknown> }).getClientRects().length)).toBe(1);
  }
  expect(heights.filter((h) => h > MAX_ROW_PX)).toEqual([]);
  return { heights };
}

test('a hunt’s result: each row one glance tall; the overflow menu holds Exclude and Escalate', async () => {
  const result = await ask('hunt kaseya 5d');
  const { heights } = await onPhone(result, 'hunt kaseya 5d');
  expect(heights).toHaveLength(4);
  const { card } = await renderer.render(renderCard(result));
  const row = card.locator('[id^="finding-"]').first();
  await row.getByRole('button', { name: /more options|…|\.\.\./i }).click();
  const menu = renderer.page.getByRole('menuitem');
  expect(await menu.allInnerTexts()).toEqual(['Exclude', 'Escalate']);
  await artifacts.screenshot(renderer.page, `hunt kaseya 5d overflow menu open at ${PHONE_WIDTH}px`);
});

test('rows with decisions: who excluded and why, who escalated to which incident', async () => {
  const result = await ask('hunt kaseya 5d');
  await press(VERBS.excludeSubmit, { ...rowData(result, 'srv-mgmt-01'), reason: 'Contoso’s VSA server: patches are pushed from it', scope: 'tool', expiry: '30' });
  const escalated = await press(VERBS.escalateSubmit, { ...rowData(result, 'lt-hr-207'), note: 'An outside MSP’s agent', incident: 'new', title: 'MSP agent on lt-hr-207' });
  await onPhone(escalated, 'hunt kaseya 5d with decisions');
});

test('hunt all: rows grouped by tool', async () => {
  await onPhone(await ask('hunt all 5d'), 'hunt all 5d');
});

test.each(['ws-fin-014', 'it-adm-003'])('check %s: the device first, then each tool', async (device) => {
  await onPhone(await ask(`check ${device} 5d`), `check ${device}`);
});

test.each([
  ['ws-fin-014', 'somebody else’s Kaseya'],
  ['it-adm-003', 'Contoso’s own Kaseya'],
])('the evidence card of %s (%s)', async (device) => {
  const result = await ask('hunt kaseya 5d');
  const evidence = await press(VERBS.details, rowData(result, device));
  expect(evidence.name).toBe('evidence');
  await onPhone(evidence, `evidence kaseya on ${device}`);
});

test('the escalation card, with the evidence', async () => {
  const result = await ask('hunt kaseya 5d');
  await press(VERBS.escalateSubmit, { ...rowData(result, 'ws-fin-014'), note: 'Agent installed from Downloads, talks to an unknown tenant', incident: 'new', title: 'Foreign Kaseya on ws-fin-014' });
  const item = (await store.listOutbox()).find((o) => JSON.stringify(o.payload).includes('Foreign Kaseya'))!;
  const view = outboxView(item.payload)!;
  expect(view.name).toBe('escalation');
  await onPhone(view, 'escalation with evidence');
});

test('the page asked for nothing beyond this machine', () => {
  expect(renderer.blockedRequests).toEqual([]);
});
