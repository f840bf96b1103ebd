/**
 * The incident life cycle end to end, as a responder does it in the Agents Playground: two findings
 * escalated into two incidents, `incidents` listing them, Close on the list (a reason chosen, a
 * note typed), then Close on the other incident's root card in the incident channel. Checked on the
 * screen and in the Playground's conversation stream: the closing notes are posted in the threads,
 * the root cards are updated in place to say who closed them and why, and the Close buttons are gone.
 * The real bot process, the Playground and Debian's Chromium, as in `playground.test.ts`; screenshots
 * go to `test-artifacts/e2e-incidents/`.
 */
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { launchChromium, type ChromiumSession } from '../support/chromium';
import { readPlaygroundContext, startPlayground, type RunningPlayground } from '../support/playground';
import { PlaygroundPage } from '../support/playground-page';
import { Artifacts, E2E_ARTIFACTS_DIR, screenshotOnFailure } from './artifacts';
import { ConversationStream, stringsOf, type StreamEvent } from './conversation-stream';
import { startHuntOps, type HuntOpsProcess } from './huntops-process';

jest.setTimeout(120_000);

const context = readPlaygroundContext();
const USER = context.currentUser.name;
const PERSONAL = context.personalChat.id;
const INCIDENTS = context.channels.find((c) => c.name === 'Incidents')!;

let artifacts: Artifacts;
let bot: HuntOpsProcess | undefined;
let playground: RunningPlayground | undefined;
let chromium: ChromiumSession | undefined;
let stream: ConversationStream;
let ui: PlaygroundPage;
let store: SqliteStore | undefined;
const pageErrors: string[] = [];
const consoleMessages: string[] = [];

beforeAll(async () => {
  artifacts = Artifacts.fresh(path.join(path.dirname(E2E_ARTIFACTS_DIR), 'e2e-incidents'));
  bot = await startHuntOps();
  playground = await startPlayground({ botEndpoint: bot.endpoint });
  chromium = await launchChromium({ viewport: { width: 1400, height: 900 } });
  stream = ConversationStream.attach(chromium.context);
  ui = await PlaygroundPage.open(chromium, playground.url, context);
  ui.page.setDefaultTimeout(30_000);
  ui.page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
  ui.page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleMessages.push(`${message.type()}: ${message.text()}`);
  });
}, 120_000);

afterAll(async () => {
  try {
    if (bot) artifacts?.write('bot.log', bot.logs());
    if (playground) artifacts?.copy(playground.logFile, 'playground.log');
    if (stream) artifacts?.write('conversation-stream.jsonl', stream.events().map((e) => JSON.stringify(e.raw)).join('\n'));
    artifacts?.write('page-errors.txt', pageErrors.join('\n\n'));
    artifacts?.write('page-console.txt', consoleMessages.join('\n'));
  } finally {
    await store?.close();
    await chromium?.close();
    await playground?.stop();
    await bot?.stop();
  }
}, 60_000);

/** A test that leaves a screenshot of the screen behind when it fails. */
const step = screenshotOnFailure(() => artifacts, () => ui.page);

const createdIn = (conversationId: string) => (e: StreamEvent) => e.action === 'createMessage' && e.conversationId === conversationId;
const inIncidents = (e: StreamEvent) => e.conversationId.startsWith(INCIDENTS.id);

/** Presses a card's button; the bot's answer must say `expected`. */
async function press(card: Locator, title: string, expected: string): Promise<void> {
  const { body } = await ui.clickCardButton(card, title);
  expect(stringsOf(body).join('\n')).toContain(expected);
}

/** Sends a personal-chat message and resolves with the card of the bot's answer, on screen. */
async function ask(text: string, expected: string): Promise<Locator> {
  const mark = stream.mark();
  await ui.sendPersonalMessage(text);
  await stream.waitFor((e) => createdIn(PERSONAL)(e) && e.cardText.includes(expected), { after: mark, what: `the answer to ${text}` });
  return ui.waitForCard({ hasText: expected });
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Escalates `device` from a fresh Kaseya hunt into a new incident titled `title`; resolves once its thread is posted. */
async function escalate(device: string, title: string): Promise<void> {
  const mark = stream.mark();
  await ui.sendPersonalMessage('hunt kaseya 5d');
  const progress = await stream.waitFor((e) => createdIn(PERSONAL)(e) && e.cardText.includes('Hunting Kaseya'), { after: mark, what: 'the progress card' });
  await stream.waitFor((e) => e.action === 'updateMessage' && e.messageId === progress.messageId, { after: mark, what: 'the result' });
  const card = await ui.waitForCard({ hasText: 'Kaseya:' });
  const row = ui.cardRow(card, device);
  await press(row, 'Escalate', `Escalate ${device}`);
  const form = ui.cards().filter({ hasText: `Escalate ${device}` });
  await ui.fillCardInput(form, 'Title, for a new incident', title);
  await press(form, 'Escalate', `Escalated by ${USER}`);
  await stream.waitFor((e) => e.action === 'createMessage' && inIncidents(e) && e.cardText.includes(title), { after: mark, what: `the thread of ${title}` });
  store ??= SqliteStore.open(bot!.storePath);
  await waitUntil(async () => (await store!.listOutbox()).every((item) => item.status === 'sent'), 'the outbox to be delivered');
}

step('two findings escalated into two incidents, each with a thread in the incident channel', async () => {
  const here = await ui.postInChannel('Incidents', 'Escalations from HuntOps go here', { mention: false });
  await here.waitFor();
  await ui.replyInThread(here, 'incident channel here', { mention: true });
  await ui.waitForCard({ scope: here, hasText: 'Incident channel set' });
  await escalate('ws-fin-014', 'Unexpected Kaseya agent in Finance');
  await escalate('it-adm-003', 'Kaseya on an admin box');
  expect(stream.events().filter((e) => e.action === 'createMessage' && inIncidents(e) && e.cardText.includes('escalated by'))).toHaveLength(2);
});

step('incidents lists both with Close; Close asks for a reason; closing posts the note in the thread and shows the root card closed', async () => {
  const list = await ask('incidents', 'Open incidents');
  expect(await list.innerText()).toContain('2 open');
  await artifacts.screenshot(list, 'incidents list');
  // The innermost container with both the incident's title and a Close button: its row.
  const first = list.locator('.ac-container').filter({ hasText: 'Incident 1: Unexpected Kaseya agent in Finance' }).filter({ has: ui.page.getByRole('button', { name: 'Close', exact: true }) }).last();
  await press(first, 'Close', 'Close incident 1');
  const form = ui.cards().filter({ hasText: 'Close incident 1' });
  await form.waitFor();
  await ui.chooseCardOption(form, 'Why is it closed?', 'Expected IT activity');
  const note = 'IT confirmed: the agent came with the Finance laptop refresh';
  await ui.fillCardInput(form, 'Closing note', note);
  await artifacts.screenshot(form, 'close form');

  const mark = stream.mark();
  await press(form, 'Close incident', 'Closed incident 1: Unexpected Kaseya agent in Finance.');
  const after = ui.cards().filter({ hasText: 'Closed incident 1' });
  await after.waitFor();
  expect(await after.innerText()).toContain('1 open');
  expect(await after.innerText()).not.toContain('Incident 1: Unexpected');
  await artifacts.screenshot(after, 'incidents after close');

  const closing = await stream.waitFor((e) => e.action === 'createMessage' && inIncidents(e) && e.cardText.includes('Incident 1 closed'), { after: mark, what: 'the closing note' });
  expect(closing.cardText).toContain(`Closed by ${USER}`);
  expect(closing.cardText).toContain(`Expected IT activity. ${note}`);
  const rootUpdate = await stream.waitFor((e) => e.action === 'updateMessage' && e.cardText.includes('Unexpected Kaseya agent in Finance') && e.cardText.includes(`Closed by ${USER}`), {
    after: mark,
    what: 'the root card shown closed',
  });
  expect(rootUpdate.cardText).not.toMatch(/"title":"Close"/);

  await ui.openConversation(INCIDENTS.label);
  const root = ui.cards().filter({ hasText: 'Incident 1: Unexpected Kaseya agent in Finance' });
  await root.first().waitFor();
  await ui.page.getByText(`Closed by ${USER}`).first().waitFor();
  expect(await root.first().getByRole('button', { name: 'Close', exact: true }).count()).toBe(0);
  expect(await ui.cards().filter({ hasText: 'Incident 1 closed' }).count()).toBe(1);
  await root.first().scrollIntoViewIfNeeded();
  await artifacts.screenshot(root.first(), 'incident 1 root card closed');
});

step('Close on the other incident\'s root card in the channel: the form replaces it, closing shows it closed in place', async () => {
  await ui.openConversation(INCIDENTS.label);
  const root = ui.cards().filter({ hasText: 'Incident 2: Kaseya on an admin box' }).first();
  await root.waitFor();
  await press(root, 'Close', 'Close incident 2');
  const form = ui.cards().filter({ hasText: 'Close incident 2' }).first();
  await form.waitFor();
  await ui.chooseCardOption(form, 'Why is it closed?', 'Malicious or unauthorised');
  await artifacts.screenshot(form, 'close form on the root card');
  const mark = stream.mark();
  await press(form, 'Close incident', `Closed by ${USER}`);
  const closed = ui.cards().filter({ hasText: 'Incident 2: Kaseya on an admin box' }).filter({ hasText: `Closed by ${USER}` }).first();
  await closed.waitFor();
  expect(await closed.innerText()).toContain('Malicious or unauthorised');
  expect(await closed.getByRole('button', { name: 'Close', exact: true }).count()).toBe(0);
  await stream.waitFor((e) => e.action === 'createMessage' && inIncidents(e) && e.cardText.includes('Incident 2 closed'), { after: mark, what: 'the closing note' });
  await artifacts.screenshot(closed, 'incident 2 root card closed in place');

  const incidents = await ask('incidents', 'None: every incident is closed.');
  expect(await incidents.innerText()).toContain('None: every incident is closed.');
  const audit = (await store!.listAudit({ limit: 50 })).filter((e) => e.action === 'close-incident' && e.outcome === 'ok');
  expect(audit.map((e) => (e.details as { incident: number; reason: string }).reason).sort()).toEqual(['expected', 'malicious']);
});

test('the Playground page raised no errors', () => {
  expect(pageErrors).toEqual([]);
});

test('the bot logged no errors and stops cleanly', async () => {
  const entries = bot!
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{"level":') && line.endsWith('}'))
    .map((line) => JSON.parse(line) as { level: number });
  expect(entries.filter((entry) => entry.level >= 50)).toEqual([]);
  await store?.close();
  store = undefined;
  expect(await bot!.stop()).toBe(0);
});
