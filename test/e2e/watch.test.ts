/**
 * A watch end to end, the way an analyst uses it: the real bot process over a copy of the sample
 * data with watches allowed every few seconds (`HUNT_WATCH_MIN_INTERVAL=3s`), the Agents Playground
 * and Debian's Chromium. `watch kaseya every 3s` in the personal chat posts the baseline; when the
 * data gains a Kaseya device, the next runs post it — once, as a result card with its row buttons —
 * and later runs, which still see it, post nothing; `watches` lists the watch and Stop stops it.
 *
 * The new device is appended to the local backend's JSONL file while the bot runs. The local
 * backend reloads a changed file when it next reads it (today on the query that follows the change;
 * a backend that reloads in the background answers from the old data until the reload is done):
 * the test waits for the post, however many runs that takes, rather than for a given run.
 */
import path from 'node:path';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { launchChromium, type ChromiumSession } from '../support/chromium';
import { readPlaygroundContext, startPlayground, type RunningPlayground } from '../support/playground';
import { PlaygroundPage } from '../support/playground-page';
import { newKaseyaDevice, sampleCopy, type SampleCopy } from '../support/sample-copy';
import { Artifacts, E2E_ARTIFACTS_DIR, screenshotOnFailure } from './artifacts';
import { ConversationStream, type StreamEvent } from './conversation-stream';
import { startHuntOps, type HuntOpsProcess } from './huntops-process';

jest.setTimeout(120_000);

const context = readPlaygroundContext();
const PERSONAL = context.personalChat.id;
const NEW_DEVICE = 'ws-new-001.corp.contoso.com';
const createdHere = (e: StreamEvent) => e.action === 'createMessage' && e.conversationId === PERSONAL;

let artifacts: Artifacts;
let data: SampleCopy;
let bot: HuntOpsProcess | undefined;
let playground: RunningPlayground | undefined;
let chromium: ChromiumSession | undefined;
let stream: ConversationStream;
let ui: PlaygroundPage;
let store: SqliteStore | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  artifacts = Artifacts.fresh(path.join(E2E_ARTIFACTS_DIR, '..', 'e2e-watch'));
  data = sampleCopy();
  bot = await startHuntOps({ env: { HUNT_DATA_DIR: data.dir, HUNT_WATCH_MIN_INTERVAL: '3s' } });
  playground = await startPlayground({ botEndpoint: bot.endpoint });
  chromium = await launchChromium({ viewport: { width: 1400, height: 900 } });
  stream = ConversationStream.attach(chromium.context);
  ui = await PlaygroundPage.open(chromium, playground.url, context);
  ui.page.setDefaultTimeout(30_000);
  ui.page.on('pageerror', (error) => pageErrors.push(error.stack ?? error.message));
}, 120_000);

afterAll(async () => {
  try {
    if (bot) artifacts?.write('bot.log', bot.logs());
    if (playground) artifacts?.copy(playground.logFile, 'playground.log');
    if (stream) artifacts?.write('conversation-stream.jsonl', stream.events().map((e) => JSON.stringify(e.raw)).join('\n'));
    artifacts?.write('page-errors.txt', pageErrors.join('\n\n'));
  } finally {
    await store?.close();
    await chromium?.close();
    await playground?.stop();
    await bot?.stop();
    data?.remove();
  }
}, 60_000);

/** A test that leaves a screenshot of the screen behind when it fails. */
const step = screenshotOnFailure(() => artifacts, () => ui.page);

/** Runs the watch has completed so far, from the store as the bot keeps it. */
async function runs(): Promise<number> {
  store ??= SqliteStore.open(bot!.storePath);
  const [watch] = await store.listWatches();
  return watch?.runs ?? 0;
}

/** Checks `condition` every 100 ms until it holds; `timeoutMs` is an upper bound. */
async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const posted = (text: string) => (e: StreamEvent) => createdHere(e) && e.cardText.includes(text);

step('watch kaseya every 3s: the watch is set, and its first run posts the baseline', async () => {
  const mark = stream.mark();
  await ui.sendPersonalMessage('watch kaseya every 3s');
  await stream.waitFor(posted('Watch 1 set'), { after: mark, what: 'the answer to watch' });
  await ui.waitForCard({ hasText: 'Watch 1 set' });
  const baseline = await stream.waitFor(posted('Kaseya: 4 devices now — you will hear about new ones.'), { after: mark, what: 'the baseline post' });
  const card = await ui.waitForCard({ hasText: 'you will hear about new ones' });
  await artifacts.screenshot(ui.page, 'baseline posted');
  expect(await card.innerText()).toContain('unwatch 1');
  // Nothing is new: runs go by and post nothing.
  const after = await runs();
  await until(async () => (await runs()) >= after + 2, 'two more runs');
  expect(stream.since(mark, (e) => createdHere(e) && /new devices?[ .(]/.test(e.cardText))).toEqual([]);
  expect(stream.since(mark, posted('you will hear about new ones'))).toEqual([baseline]);
});

step('the data gains a Kaseya device: it is posted once, with its row buttons', async () => {
  const mark = stream.mark();
  data.append('DeviceFileCertificateInfo', [newKaseyaDevice(data, NEW_DEVICE, 1)]);
  const post = await stream.waitFor(posted('Kaseya: 1 new device.'), { after: mark, what: 'the post of the new device', timeoutMs: 60_000 });
  const [host, domain] = [NEW_DEVICE.split('.')[0]!, NEW_DEVICE.split('.').slice(1).join('.')];
  expect(post.cardText).toContain(`${host}\n`);
  expect(post.cardText).toContain(`${domain}\n`);
  const card = await ui.waitForCard({ hasText: 'Kaseya: 1 new device.' });
  await card.scrollIntoViewIfNeeded();
  await artifacts.screenshot(ui.page, 'new device posted');
  const row = ui.cardRow(card, host);
  expect(await row.getByText(domain, { exact: true }).isVisible()).toBe(true);
  expect(await row.getByRole('button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? b.textContent ?? ''))).toEqual(['Details', 'More options']);
  await row.getByRole('button', { name: 'More options', exact: true }).click();
  expect(await ui.page.getByRole('menuitem').allInnerTexts()).toEqual(['Exclude', 'Escalate']);
  await ui.page.keyboard.press('Escape');

  // Later runs still see the device; none posts it again.
  const after = await runs();
  await until(async () => (await runs()) >= after + 3, 'three more runs');
  expect(stream.since(mark, (e) => createdHere(e) && e.cardText.includes(`${host}\n`))).toEqual([post]);
  await until(async () => (await store!.listOutbox()).every((item) => item.status === 'sent'), 'the outbox to be delivered');
  expect((await store!.listOutbox()).map((item) => item.kind)).toEqual(['post', 'post']);
});

step('watches lists the watch with its last run; Stop stops it', async () => {
  const mark = stream.mark();
  await ui.sendPersonalMessage('watches');
  await stream.waitFor(posted('1 active'), { after: mark, what: 'the watches card' });
  const card = await ui.waitForCard({ hasText: '1 · Kaseya, every 3 seconds' });
  await artifacts.screenshot(ui.page, 'watches');
  const text = await card.innerText();
  expect(text).toContain('kaseya 5d');
  expect(text).toMatch(/Last run .*(Nothing new|1 new device)/);
  const { body } = await ui.clickCardButton(card, 'Stop');
  expect(JSON.stringify(body)).toContain('Stopped watch 1');
  await ui.waitForCard({ hasText: 'Stopped watch 1' });
  await artifacts.screenshot(ui.page, 'watch stopped');
  const stoppedAt = await runs();
  await new Promise((resolve) => setTimeout(resolve, 7_000));
  expect(await runs()).toBe(stoppedAt);
});

test('the Playground page raised no errors, and the bot logged none', () => {
  expect(pageErrors).toEqual([]);
  const errors = bot!
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{"level":') && line.endsWith('}'))
    .map((line) => JSON.parse(line) as { level: number; msg?: string })
    .filter((entry) => entry.level >= 50);
  expect(errors).toEqual([]);
});
