/**
 * Details end to end, the way an analyst uses it: the real bot process on the sample data, the
 * Microsoft 365 Agents Playground, Debian's Chromium clicking. Details on a finding leaves the
 * result card as it is and posts the evidence beneath it (in the thread, in a channel): first
 * "Gathering…", then the evidence card in place; the two Kaseya stories read apart; Escalate on the
 * evidence card puts the finding, with its evidence, in the incident thread; `check` leads with the
 * device and each tool has Details. Screenshots and logs go to `test-artifacts/e2e-details/`.
 */
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { launchChromium, type ChromiumSession } from '../support/chromium';
import { readPlaygroundContext, startPlayground, type RunningPlayground } from '../support/playground';
import { PlaygroundPage } from '../support/playground-page';
import { Artifacts, E2E_ARTIFACTS_DIR, screenshotOnFailure } from './artifacts';
import { ConversationStream, type StreamEvent } from './conversation-stream';
import { startHuntOps, type HuntOpsProcess } from './huntops-process';

jest.setTimeout(120_000);

const context = readPlaygroundContext();
const USER = context.currentUser.name;
const PERSONAL = context.personalChat.id;

let artifacts: Artifacts;
let bot: HuntOpsProcess | undefined;
let playground: RunningPlayground | undefined;
let chromium: ChromiumSession | undefined;
let stream: ConversationStream;
let ui: PlaygroundPage;
const pageErrors: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  artifacts = Artifacts.fresh(path.join(path.dirname(E2E_ARTIFACTS_DIR), 'e2e-details'));
  bot = await startHuntOps();
  playground = await startPlayground({ botEndpoint: bot.endpoint });
  chromium = await launchChromium({ viewport: { width: 1400, height: 1000 } });
  stream = ConversationStream.attach(chromium.context);
  ui = await PlaygroundPage.open(chromium, playground.url, context);
  ui.page.setDefaultTimeout(30_000);
  ui.page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
  ui.page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
}, 120_000);

afterAll(async () => {
  try {
    if (bot) artifacts?.write('bot.log', bot.logs());
    if (playground) artifacts?.copy(playground.logFile, 'playground.log');
    if (stream) artifacts?.write('conversation-stream.jsonl', stream.events().map((e) => JSON.stringify(e.raw)).join('\n'));
  } finally {
    await chromium?.close();
    await playground?.stop();
    await bot?.stop();
  }
}, 60_000);

/** A test that leaves a screenshot of the screen behind when it fails. */
const step = screenshotOnFailure(() => artifacts, () => ui.page);

const createdIn = (conversation: (id: string) => boolean) => (e: StreamEvent) => e.action === 'createMessage' && conversation(e.conversationId);

/** Follows a message the bot posts after `mark` whose card says `first`, to its update saying `final`. */
async function postedThenUpdated(mark: number, conversation: (id: string) => boolean, first: string, final: string): Promise<{ posted: StreamEvent; update: StreamEvent }> {
  const posted = await stream.waitFor((e) => createdIn(conversation)(e) && e.cardText.includes(first), { after: mark, what: `a message saying ${first}` });
  const update = await stream.waitFor((e) => e.action === 'updateMessage' && e.messageId === posted.messageId && e.cardText.includes(final), { after: mark, what: `its update saying ${final}` });
  return { posted, update };
}

/** Sends `text` in the personal chat; resolves with its answer's card on screen and its message id. */
async function inPersonalChat(text: string, title: string): Promise<{ card: Locator; messageId: string }> {
  const mark = stream.mark();
  await ui.sendPersonalMessage(text);
  const { posted } = await postedThenUpdated(mark, (id) => id === PERSONAL, 'Hunting', title);
  const card = await ui.waitForCard({ hasText: title });
  return { card, messageId: posted.messageId };
}

/** Presses Details on `row` and follows the new message to the evidence card of `title`. */
async function pressDetails(row: Locator, conversation: (id: string) => boolean, title: string, scope?: Locator): Promise<{ card: Locator; event: StreamEvent }> {
  const mark = stream.mark();
  const answer = await ui.clickCardButton(row, 'Details');
  expect(answer.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: expect.stringContaining('evidence') });
  const { update } = await postedThenUpdated(mark, conversation, `Gathering the evidence of ${title}`, 'Talks to');
  // The clicked card stays as it was: nothing updated it.
  expect(stream.since(mark, (e) => e.action === 'updateMessage' && e.messageId !== update.messageId)).toEqual([]);
  const card = await ui.waitForCard({ ...(scope ? { scope } : {}), hasText: 'Talks to' });
  await card.filter({ hasText: title }).waitFor();
  return { card, event: update };
}

step('Details on a result row: the evidence arrives beneath the card, which stays; the two Kaseya stories read apart', async () => {
  const { card, messageId } = await inPersonalChat('hunt kaseya 5d', 'Kaseya: 4 devices');
  await artifacts.screenshot(ui.page, 'hunt kaseya result');
  const foreign = await pressDetails(ui.cardRow(card, 'ws-fin-014'), (id) => id === PERSONAL, 'Kaseya on ws-fin-014');
  await foreign.card.scrollIntoViewIfNeeded();
  await artifacts.screenshot(foreign.card, 'evidence kaseya on ws-fin-014');
  const text = await foreign.card.innerText();
  for (const expected of ['Contoso Workstations', 'rmm-7731.kaseya.net', 'on 1 device', 'Downloads', 'KcsSetup.exe', 'Exclude', 'Escalate']) expect(text).toContain(expected);
  expect(await ui.cards().filter({ hasText: 'Kaseya: 4 devices' }).count()).toBe(1);
  expect(stream.events().filter((e) => e.messageId === messageId && e.action === 'updateMessage')).toHaveLength(1);

  const own = await pressDetails(ui.cardRow(card, 'it-adm-003'), (id) => id === PERSONAL, 'Kaseya on it-adm-003');
  await own.card.scrollIntoViewIfNeeded();
  await artifacts.screenshot(own.card, 'evidence kaseya on it-adm-003');
  const ownText = await own.card.innerText();
  for (const expected of ['IT Admin Workstations', 'vsa.contoso.com', 'on 20 devices', 'on 19 devices']) expect(ownText).toContain(expected);
  expect(ownText).not.toContain('Downloads');
});

step('Escalate on the evidence card: the incident thread gets the finding with its evidence; the evidence card says who escalated', async () => {
  const incidents = context.channels.find((c) => c.name === 'Incidents')!;
  const here = await ui.postInChannel('Incidents', 'Escalations from HuntOps go here', { mention: false });
  await here.waitFor();
  await ui.replyInThread(here, 'incident channel here', { mention: true });
  await ui.waitForCard({ scope: here, hasText: 'Incident channel set' });

  const { card } = await inPersonalChat('hunt kaseya 5d', 'Kaseya: 4 devices');
  const evidence = await pressDetails(ui.cardRow(card, 'ws-fin-014'), (id) => id === PERSONAL, 'Kaseya on ws-fin-014');
  await ui.clickCardButton(evidence.card, 'Escalate');
  const form = ui.cards().filter({ hasText: 'Escalate ws-fin-014' });
  await form.waitFor();
  const title = 'Foreign Kaseya tenant on ws-fin-014';
  await ui.fillCardInput(form, 'Note for the incident', 'Agent installed from Downloads, talks to an unknown tenant');
  await ui.fillCardInput(form, 'Title, for a new incident', title);
  const mark = stream.mark();
  await ui.clickCardButton(form, 'Escalate');
  const escalated = ui.cards().filter({ hasText: `Escalated by ${USER}` }).filter({ hasText: 'Talks to' });
  await escalated.waitFor();
  await artifacts.screenshot(escalated, 'evidence card escalated');
  const post = await stream.waitFor((e) => createdIn((id) => id.startsWith(incidents.id))(e) && e.cardText.includes(title), { after: mark, what: 'the escalation' });
  for (const expected of ['Evidence', 'rmm-7731.kaseya.net', 'Contoso Workstations', 'KcsSetup.exe']) expect(post.cardText).toContain(expected);
  await ui.openConversation(incidents.label);
  const shown = ui.cards().filter({ hasText: title });
  await shown.first().waitFor();
  await artifacts.screenshot(ui.page, 'escalation with evidence in the incident channel');
});

step('in a channel thread: Details answers in the thread', async () => {
  const general = context.channels.find((c) => c.name === 'General')!;
  const thread = await ui.postInChannel('General', 'Checking the Kaseya agents', { mention: false });
  await thread.waitFor();
  await ui.replyInThread(thread, 'hunt kaseya 5d', { mention: true });
  const card = await ui.waitForCard({ scope: thread, hasText: 'Kaseya: 4 devices' });
  const inThread = (id: string) => id.startsWith(`${general.id};messageid=`);
  const evidence = await pressDetails(ui.cardRow(card, 'ws-fin-014'), inThread, 'Kaseya on ws-fin-014', thread);
  expect(evidence.event.conversationId).toMatch(/;messageid=\d+$/);
  await artifacts.screenshot(ui.page, 'details in a channel thread');
  expect(await ui.threads().filter({ hasText: 'Checking the Kaseya agents' }).locator('.ac-adaptiveCard').count()).toBe(2);
});

step('check: the device first, each tool with Details', async () => {
  const { card } = await inPersonalChat('check ws-fin-014 5d', 'ws-fin-014: 1 RMM tool');
  const text = await card.innerText();
  expect(text.indexOf('Contoso Workstations')).toBeLessThan(text.indexOf('Kaseya'));
  await artifacts.screenshot(card, 'check ws-fin-014');
  const evidence = await pressDetails(ui.cardRow(card, 'Kaseya'), (id) => id === PERSONAL, 'Kaseya on ws-fin-014');
  expect(await evidence.card.innerText()).toContain('rmm-7731.kaseya.net');
});

test('the Playground page raised no errors and logged none but the known offline one (its CDN worklet, until the page’s requests are blocked)', () => {
  expect(pageErrors).toEqual([]);
  expect(consoleErrors.filter((m) => !/worklet/i.test(m))).toEqual([]);
});

test('the bot logged no errors', () => {
  const entries = bot!
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{"level":') && line.endsWith('}'))
    .map((line) => JSON.parse(line) as { level: number; msg?: string });
  expect(entries.length).toBeGreaterThan(0);
  expect(entries.filter((entry) => entry.level >= 50)).toEqual([]);
});
