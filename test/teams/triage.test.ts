/**
 * The triage workflow through whole HTTP turns: Exclude and Escalate forms, in-place updates for
 * everyone, pattern exclusions and their expiry, escalations posted into the incident thread exactly
 * once (under double clicks, retries and 429s), parallel clicks, refusals and the audit trail.
 */
import { createLocalBackend } from '../../src/backends/local';
import { VERBS } from '../../src/core/verbs';
import { parseWindow } from '../../src/hunt/window';
import { cardOf, cardText, startBot, type BotHarness, type BotOptions } from '../support/bot-harness';
import type { ConnectorCall } from '../support/fake-connector';
import { cardLines, cardRow, cardRows, rowKeyOf } from '../support/card-rows';
import { certificateEvent, eventFolder, type EventFolder } from '../support/event-files';
import { ANALYST, CHANNEL_ID, execute, message, TENANT_ID } from '../support/teams-activities';

const START = new Date('2026-11-29T12:00:00Z');
const DAY = 86_400_000;
const BOB = { id: '29:1bob', name: 'Bob Builder', aadObjectId: '0b0b0b0b-1111-2222-3333-444444444444' };

/** A bot over a small data set, with a clock the test moves. */
async function harness(events: EventFolder, options: Partial<BotOptions> = {}) {
  let now = START;
  const clock = () => now;
  const bot = await startBot({
    backend: createLocalBackend({ dataDir: events.dir, now: clock, maxWindow: parseWindow('30d')!, label: 'test data' }),
    now: clock,
    ...options,
  });
  return { bot, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

/** A message the bot posted in answer to one (a reply to the user's message). */
const posted = (c: ConnectorCall) => (c.kind === 'send' || c.kind === 'reply') && c.status < 300;

/** Runs a hunt; resolves with the result card and the id of its message. */
async function hunt(bot: BotHarness, text: string, where: 'personal' | 'channel' = 'personal'): Promise<{ card: any; messageId: string; huntId: string }> {
  const before = bot.connector.calls.length;
  await bot.post(message(bot.connector.url, text, where));
  const [progress] = await bot.connector.waitFor((c) => posted(c) && bot.connector.calls.indexOf(c) >= before && cardText(cardOf(c)).includes('Hunting'));
  const [update] = await bot.connector.waitFor((c) => c.kind === 'update' && c.activityId === progress!.responseId);
  const card = cardOf(update!);
  return { card, messageId: update!.activityId!, huntId: /"huntId":"([^"]+)"/.exec(JSON.stringify(card))?.[1] ?? '' };
}

/** The device rows of a result card. */
function deviceRows(card: any): any[] {
  return cardRows(card).map((r) => r.json);
}

/** The row key the buttons of the row showing `device` (its host name) carry. */
function rowKey(card: any, device: string): string {
  return rowKeyOf(cardRow(card, device));
}

function rowText(card: any, device: string): string {
  return cardRow(card, device).lines.join('\n');
}

async function click(bot: BotHarness, verb: string, data: unknown, messageId: string, from = ANALYST, where: 'personal' | 'channel' = 'personal') {
  const res = await bot.post(execute(bot.connector.url, verb, data, messageId, where, from));
  expect(res.status).toBe(200);
  expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
  return res.body.value;
}

function events(): EventFolder {
  const folder = eventFolder();
  folder.write('DeviceFileCertificateInfo', [
    certificateEvent(START, 'ws-fin-014.contoso.com', 'Kaseya Holdings Inc.', 2),
    certificateEvent(START, 'it-adm-001.contoso.com', 'Kaseya Holdings Inc.', 3),
    certificateEvent(START, 'it-adm-003.contoso.com', 'Kaseya Holdings Inc.', 4),
    certificateEvent(START, 'srv-mgmt-01.contoso.com', 'Kaseya Holdings Inc.', 5),
    certificateEvent(START, 'srv-mgmt-01.contoso.com', 'TeamViewer Germany GmbH', 5),
    ...Array.from({ length: 20 }, (_, i) => certificateEvent(START, `lt-sales-${String(i).padStart(3, '0')}.contoso.com`, 'TeamViewer Germany GmbH', i + 1)),
  ]);
  return folder;
}

describe('Exclude', () => {
  let data: EventFolder;
  let bot: BotHarness;
  let advance: (ms: number) => Date;

  beforeEach(async () => {
    data = events();
    ({ bot, advance } = await harness(data));
  });
  afterEach(async () => {
    await bot.stop();
    data.remove();
  });

  test('the button opens a form for whoever clicked; a reason is required', async () => {
    const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
    const key = rowKey(card, 'ws-fin-014');
    const form = await click(bot, VERBS.exclude, { huntId, row: key }, messageId);
    expect(cardText(form)).toContain('Exclude ws-fin-014.contoso.com');
    expect(form.body.filter((b: any) => b.type?.startsWith('Input.')).map((b: any) => b.id)).toEqual(['reason', 'scope', 'expiry']);
    const refused = await click(bot, VERBS.excludeSubmit, { huntId, row: key, reason: '   ', scope: 'tool', expiry: '30' }, messageId);
    expect(cardText(refused)).toContain('Give a reason');
    expect(await bot.store.listExclusions()).toEqual([]);
    expect(bot.connector.calls.filter((c) => c.kind === 'update' && c.activityId === messageId)).toHaveLength(1);
  });

  test('submitting stores it, updates the card in place for everyone, and later hunts hide the device', async () => {
    const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
    const key = rowKey(card, 'ws-fin-014');
    const answer = await click(bot, VERBS.excludeSubmit, { huntId, row: key, reason: 'Finance jump host, patched via Kaseya', scope: 'tool', expiry: '30' }, messageId);
    expect(cardText(answer)).toContain('Excluded ws-fin-014.contoso.com from Kaseya hunts until 2026-12-29.');
    expect(rowText(answer, 'ws-fin-014')).toContain('Excluded by Ada Analyst: Finance jump host, patched via Kaseya');

    const [forEveryone] = await bot.connector.waitFor((c) => c.kind === 'update' && c.activityId === messageId && cardText(cardOf(c)).includes('Excluded by'));
    expect(rowText(cardOf(forEveryone!), 'ws-fin-014')).toContain('Excluded by Ada Analyst: Finance jump host');
    expect(cardText(cardOf(forEveryone!))).toContain('Excluded ws-fin-014.contoso.com from Kaseya hunts until 2026-12-29.');

    const later = await hunt(bot, 'hunt kaseya 5d');
    expect(cardText(later.card)).toContain('Kaseya: 3 devices');
    expect(cardText(later.card)).not.toContain('ws-fin-014');
    expect(cardText(later.card)).toContain('1 device is hidden by exclusions');

    const otherTool = await hunt(bot, 'hunt kaseya 5d device ws-fin-014');
    expect(cardText(otherTool.card)).toContain('Kaseya: no devices');
    expect(cardText(otherTool.card)).toContain('1 device is hidden by exclusions');

    const [exclusion] = await bot.store.listExclusions();
    expect(exclusion).toMatchObject({ pattern: 'ws-fin-014.contoso.com', scope: { kind: 'tool', toolId: 'kaseya' }, createdBy: { aadObjectId: ANALYST.aadObjectId, name: 'Ada Analyst' } });
  });

  test('an exclusion for one tool leaves the other tools\' hunts alone; every-tool exclusions do not', async () => {
    const kaseya = await hunt(bot, 'hunt kaseya 5d');
    await click(bot, VERBS.excludeSubmit, { huntId: kaseya.huntId, row: rowKey(kaseya.card, 'srv-mgmt-01'), reason: 'management server', scope: 'tool', expiry: '7' }, kaseya.messageId);
    expect(cardText((await hunt(bot, 'hunt teamviewer 5d device srv-mgmt-01')).card)).toContain('TeamViewer: 1 device');
    const teamviewer = await hunt(bot, 'hunt teamviewer 5d device srv-mgmt-01');
    await click(bot, VERBS.excludeSubmit, { huntId: teamviewer.huntId, row: '0', reason: 'management server', scope: 'all', expiry: 'never' }, teamviewer.messageId);
    expect(cardText((await hunt(bot, 'hunt teamviewer 5d device srv-mgmt-01')).card)).toContain('TeamViewer: no devices');
  });

  test('expired exclusions stop applying by themselves', async () => {
    const first = await hunt(bot, 'hunt kaseya 30d');
    await click(bot, VERBS.excludeSubmit, { huntId: first.huntId, row: rowKey(first.card, 'ws-fin-014'), reason: 'short-lived', scope: 'tool', expiry: '7' }, first.messageId);
    advance(6 * DAY);
    expect(cardText((await hunt(bot, 'hunt kaseya 30d')).card)).not.toContain('ws-fin-014');
    advance(2 * DAY);
    expect(cardText((await hunt(bot, 'hunt kaseya 30d')).card)).toContain('ws-fin-014');
  });

  test('pattern exclusions by command, listed with Remove, and unexclude', async () => {
    await bot.post(message(bot.connector.url, 'exclude device IT-ADM-* reason "IT admin workstations" for 90d'));
    const [answer] = await bot.connector.waitFor(posted);
    expect(cardText(cardOf(answer!))).toContain('Excluded pattern IT-ADM-* from every RMM hunt until 2027-02-27: IT admin workstations');

    const later = await hunt(bot, 'hunt kaseya 5d');
    expect(cardText(later.card)).toContain('Kaseya: 2 devices');
    expect(cardText(later.card)).not.toMatch(/it-adm-00[13]/);
    expect(cardText(later.card)).toContain('2 devices are hidden by exclusions');

    const before = bot.connector.calls.length;
    await bot.post(message(bot.connector.url, 'exclusions'));
    const [list] = await bot.connector.waitFor((c) => posted(c) && bot.connector.calls.indexOf(c) >= before);
    const listCard = cardOf(list!);
    expect(cardText(listCard)).toContain('IT-ADM-*');
    expect(cardText(listCard)).toContain('IT admin workstations');
    const remove = JSON.parse(/\{"type":"Action\.Execute","title":"Remove"[^}]*\}\}/.exec(JSON.stringify(listCard))![0]);
    const removed = await click(bot, remove.verb, remove.data, list!.responseId!);
    expect(cardText(removed)).toContain('Removed the exclusion of pattern IT-ADM-*.');
    expect(cardText(removed)).toContain('None: every device shows up in hunts.');
    expect(cardText((await hunt(bot, 'hunt kaseya 5d')).card)).toContain('Kaseya: 4 devices');

    await bot.post(message(bot.connector.url, 'exclude device srv-mgmt-* reason "management servers" tool kaseya for never'));
    expect(cardText((await hunt(bot, 'hunt kaseya 5d')).card)).toContain('Kaseya: 3 devices');
    const mark = bot.connector.calls.length;
    await bot.post(message(bot.connector.url, 'unexclude srv-mgmt-01'));
    const [hint] = await bot.connector.waitFor((c) => posted(c) && bot.connector.calls.indexOf(c) >= mark);
    expect(cardText(cardOf(hint!))).toContain('srv-mgmt-01 is covered by srv-mgmt-*');
    await bot.post(message(bot.connector.url, 'unexclude SRV-MGMT-*'));
    expect(cardText((await hunt(bot, 'hunt kaseya 5d')).card)).toContain('Kaseya: 4 devices');
  });

  test.each([
    ['exclude device IT-ADM-*', /Why\?/],
    ['exclude reason "x"', /Which device\?/],
    ['exclude device * reason "everything"', /must contain at least one letter or digit/],
    ['exclude device x reason "y" for ever', /'ever' is not a duration/],
    ['exclude device x reason "y" tool nosuchtool', /I don't know the tool 'nosuchtool'/],
    ['exclude device x because y', /I didn't understand 'because'/],
    ['unexclude', /Which exclusion\?/],
    ['unexclude nothing-like-this', /No exclusion of 'nothing-like-this'/],
  ])('%j gets a clear answer', async (text, expected) => {
    await bot.post(message(bot.connector.url, text));
    const [answer] = await bot.connector.waitFor(posted);
    expect(cardText(cardOf(answer!))).toMatch(expected);
    expect(await bot.store.listExclusions()).toEqual([]);
  });

  test('twenty analysts clicking at once: no lost write, one exclusion per row', async () => {
    const { card, messageId, huntId } = await hunt(bot, 'hunt teamviewer 5d');
    const keys = [...JSON.stringify(card).matchAll(/"row":"(\d+)"/g)].map((m) => m[1]!).filter((k, i, all) => all.indexOf(k) === i);
    expect(keys).toHaveLength(10);
    const clicks = [
      ...keys.map((key, i) => ({ key, from: { ...ANALYST, id: `29:a${i}`, aadObjectId: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, name: `Analyst ${i}` } })),
      ...Array.from({ length: 10 }, (_, i) => ({ key: keys[0]!, from: { ...ANALYST, id: `29:b${i}`, aadObjectId: `10000000-0000-0000-0000-${String(i).padStart(12, '0')}`, name: `Other ${i}` } })),
    ];
    const answers = await Promise.all(
      clicks.map(({ key, from }) => click(bot, VERBS.excludeSubmit, { huntId, row: key, reason: `reason ${from.name}`, scope: 'tool', expiry: '30' }, messageId, from)),
    );
    expect(answers.every((a) => /Excluded|already excluded/.test(cardText(a)))).toBe(true);
    const stored = await bot.store.listExclusions();
    expect(stored).toHaveLength(10);
    expect(new Set(stored.map((e) => e.source?.rowKey))).toEqual(new Set(keys));
    await bot.inFlight.drain(10_000);
    const finalUpdate = bot.connector.calls.filter((c) => c.kind === 'update' && c.activityId === messageId).pop()!;
    expect(deviceRows(cardOf(finalUpdate)).every((r: any) => cardText(r).includes('Excluded by'))).toBe(true);
  });
});

describe('Escalate', () => {
  let data: EventFolder;
  let bot: BotHarness;
  let advance: (ms: number) => Date;

  beforeEach(async () => {
    data = events();
    ({ bot, advance } = await harness(data));
  });
  afterEach(async () => {
    await bot.stop();
    data.remove();
  });

  const creates = (b: BotHarness) => b.connector.calls.filter((c) => c.kind === 'createConversation' && c.status < 300);
  const replies = (b: BotHarness) => b.connector.calls.filter((c) => c.kind === 'send' && c.conversationId?.startsWith(`${CHANNEL_ID};messageid=`) && c.status < 300);

  async function setIncidentChannel(b: BotHarness): Promise<void> {
    await b.post(message(b.connector.url, 'incident channel here', 'channel'));
    const [answer] = await b.connector.waitFor((c) => posted(c) && cardText(cardOf(c)).includes('Incident channel set'));
    expect(answer).toBeDefined();
  }

  test('without an incident channel the button says how to set one', async () => {
    const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
    const answer = await click(bot, VERBS.escalate, { huntId, row: rowKey(card, 'ws-fin-014') }, messageId);
    expect(cardText(answer)).toContain('No incident channel is set');
    expect(cardText(answer)).toContain('incident channel here');
  });

  test('incident channel here works only in a channel', async () => {
    await bot.post(message(bot.connector.url, 'incident channel here'));
    const [answer] = await bot.connector.waitFor(posted);
    expect(cardText(cardOf(answer!))).toContain('Incidents go to a channel');
  });

  test('a new incident starts a thread in the incident channel with the whole finding, once; the card says who escalated', async () => {
    await setIncidentChannel(bot);
    const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
    const key = rowKey(card, 'ws-fin-014');
    const form = await click(bot, VERBS.escalate, { huntId, row: key }, messageId);
    expect(cardText(form)).toContain('Escalate ws-fin-014.contoso.com');
    expect(form.body.find((b: any) => b.id === 'incident').choices).toEqual([{ title: 'A new incident', value: 'new' }]);

    const submit = { huntId, row: key, note: 'Unexpected Kaseya agent on a finance laptop', incident: 'new', title: 'Kaseya on finance laptop' };
    const answers = await Promise.all([click(bot, VERBS.escalateSubmit, submit, messageId), click(bot, VERBS.escalateSubmit, submit, messageId)]);
    const texts = answers.map(cardText).join('\n');
    expect(texts).toContain('Escalated ws-fin-014.contoso.com to incident 1: Kaseya on finance laptop.');
    expect(rowText(answers[0], 'ws-fin-014')).toContain('Escalated by Ada Analyst → incident 1');

    const [post] = await bot.connector.waitFor((c) => c.kind === 'createConversation' && c.status < 300);
    expect(post!.body.channelData.channel.id).toBe(CHANNEL_ID);
    expect(post!.body.isGroup).toBe(true);
    const escalation = cardText(post!.body.activity.attachments[0].content);
    for (const expected of [
      'Incident 1: Kaseya on finance laptop',
      'Kaseya on ws-fin-014.contoso.com, escalated by Ada Analyst',
      'Unexpected Kaseya agent on a finance laptop',
      'last 5 days',
      "| where Signer has 'Kaseya'",
      'test data',
    ]) {
      expect(escalation).toContain(expected);
    }
    const lines = cardLines(post!.body.activity.attachments[0].content);
    expect(lines[lines.indexOf('Reports') + 1]).toMatch(/^\d+/);
    // The test data has certificates only: the escalation says why it carries no evidence summary.
    expect(lines[lines.indexOf('Evidence') + 1]).toMatch(/^The evidence could not be gathered: There is no local data for the table /);

    await click(bot, VERBS.escalateSubmit, submit, messageId);
    await bot.inFlight.drain(10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(creates(bot)).toHaveLength(1);
    const [forEveryone] = await bot.connector.waitFor((c) => c.kind === 'update' && c.activityId === messageId && cardText(cardOf(c)).includes('Escalated by'));
    expect(rowText(cardOf(forEveryone!), 'ws-fin-014')).toContain('Escalated by Ada Analyst → incident 1');
    expect(await bot.store.listEscalations({ huntId })).toHaveLength(1);
  });

  test('a later escalation into an open incident replies in its thread', async () => {
    await setIncidentChannel(bot);
    const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
    await click(bot, VERBS.escalateSubmit, { huntId, row: rowKey(card, 'ws-fin-014'), note: 'first', incident: 'new', title: 'Kaseya spread' }, messageId);
    const [root] = await bot.connector.waitFor((c) => c.kind === 'createConversation' && c.status < 300);
    const form = await click(bot, VERBS.escalate, { huntId, row: rowKey(card, 'it-adm-003') }, messageId);
    expect(form.body.find((b: any) => b.id === 'incident').choices).toContainEqual({ title: 'Incident 1: Kaseya spread', value: '1' });
    await click(bot, VERBS.escalateSubmit, { huntId, row: rowKey(card, 'it-adm-003'), note: 'second device', incident: '1' }, messageId);
    const [reply] = await bot.connector.waitFor((c) => replies(bot).includes(c));
    expect(reply!.conversationId).toBe(`${CHANNEL_ID};messageid=${root!.responseId!.replace(/^.*;messageid=/, '')}`);
    expect(cardText(reply!.body.attachments[0].content)).toContain('it-adm-003.contoso.com');
    expect(creates(bot)).toHaveLength(1);
  });

  test('when Teams answers 429 and 5xx the post is retried with backoff and lands once', async () => {
    await setIncidentChannel(bot);
    bot.connector.fail({ status: 429, times: 5, retryAfterSeconds: 0, kind: 'createConversation' });
    bot.connector.fail({ status: 503, times: 1, kind: 'createConversation' });
    const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
    await click(bot, VERBS.escalateSubmit, { huntId, row: rowKey(card, 'ws-fin-014'), note: '', incident: 'new', title: 'Kaseya' }, messageId);
    await bot.connector.waitFor((c) => c.kind === 'createConversation' && c.status === 429, 4, 20_000);
    expect(creates(bot)).toHaveLength(0);
    await waitUntil(async () => (await bot.store.listOutbox())[0]?.status === 'pending');
    const [backedOff] = await bot.store.listOutbox();
    expect(backedOff).toMatchObject({ status: 'pending', attempts: 1, lastError: expect.stringContaining('429') });
    expect(backedOff!.nextAttemptAt.getTime()).toBeGreaterThan(START.getTime());
    await waitUntil(async () => {
      advance(60_000);
      return creates(bot).length > 0;
    }, 30_000);
    const attempts = bot.connector.calls.filter((c) => c.kind === 'createConversation');
    expect(attempts.filter((c) => c.status === 429)).toHaveLength(5);
    expect(attempts.filter((c) => c.status === 503)).toHaveLength(1);
    expect(creates(bot)).toHaveLength(1);
    await waitUntil(async () => (await bot.store.listOutbox())[0]?.status === 'sent');
    const [item] = await bot.store.listOutbox();
    expect(item).toMatchObject({ status: 'sent', attempts: 2, activityId: creates(bot)[0]!.responseId!.replace(/^.*;messageid=/, '') });
  }, 40_000);

  test('a post Teams refuses outright is not retried forever: it goes dead and is audited', async () => {
    await setIncidentChannel(bot);
    bot.connector.fail({ status: 403, times: 100, kind: 'createConversation' });
    const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
    await click(bot, VERBS.escalateSubmit, { huntId, row: rowKey(card, 'ws-fin-014'), note: '', incident: 'new', title: 'Kaseya' }, messageId);
    await waitUntil(async () => (await bot.store.listOutbox())[0]?.status === 'dead');
    expect(bot.connector.calls.filter((c) => c.kind === 'createConversation')).toHaveLength(1);
    const audit = await bot.store.listAudit({ limit: 5 });
    expect(audit.find((e) => e.action === 'post-escalation')).toMatchObject({ outcome: 'failed' });
  });
});

describe('who may do what', () => {
  let data: EventFolder;
  afterEach(() => data.remove());

  test('non-responders can hunt and read, but their clicks are refused politely and audited', async () => {
    data = events();
    const { bot } = await harness(data, { access: { allowedTenants: [TENANT_ID], responders: [ANALYST.aadObjectId] } });
    try {
      const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
      const key = rowKey(card, 'ws-fin-014');
      for (const verb of [VERBS.exclude, VERBS.excludeSubmit, VERBS.escalate, VERBS.escalateSubmit]) {
        const answer = await click(bot, verb, { huntId, row: key, reason: 'x', scope: 'tool', expiry: '7', note: '', incident: 'new' }, messageId, BOB);
        expect(cardText(answer)).toMatch(/You can't (exclude devices|escalate) here/);
        expect(cardText(answer)).toContain('HUNT_RESPONDERS');
      }
      expect(await bot.store.listExclusions()).toEqual([]);
      const refused = (await bot.store.listAudit({ limit: 20 })).filter((e) => e.outcome === 'refused');
      expect(refused).toHaveLength(4);
      expect(refused[0]).toMatchObject({ actor: { aadObjectId: BOB.aadObjectId, name: 'Bob Builder' }, conversationId: 'a:1personal-chat-with-ada' });
      expect(refused.map((e) => (e.details as any).huntId)).toEqual([huntId, huntId, huntId, huntId]);

      const answer = await click(bot, VERBS.excludeSubmit, { huntId, row: key, reason: 'ok', scope: 'tool', expiry: '7' }, messageId);
      expect(cardText(answer)).toContain('Excluded ws-fin-014.contoso.com');
    } finally {
      await bot.stop();
    }
  });

  test('secure by default: no responders configured means nobody may, and the bot says how to fix it', async () => {
    data = events();
    const { bot } = await harness(data, { access: { allowedTenants: [TENANT_ID], responders: [] } });
    try {
      const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
      const answer = await click(bot, VERBS.exclude, { huntId, row: rowKey(card, 'ws-fin-014') }, messageId);
      expect(cardText(answer)).toContain('No responders are configured yet');
      expect(cardText(answer)).toContain('HUNT_RESPONDERS');
    } finally {
      await bot.stop();
    }
  });

  test('other tenants are turned away, and that is audited', async () => {
    data = events();
    const { bot } = await harness(data, { access: { allowedTenants: ['11111111-2222-3333-4444-555555555555'], responders: '*' } });
    try {
      await bot.post(message(bot.connector.url, 'hunt kaseya 5d'));
      const [answer] = await bot.connector.waitFor(posted);
      expect(cardText(cardOf(answer!))).toContain('HuntOps is not enabled for your organisation');
      expect(bot.connector.calls.filter((c) => c.kind === 'update')).toEqual([]);
      const [entry] = await bot.store.listAudit({ limit: 1 });
      expect(entry).toMatchObject({ action: 'use', outcome: 'refused', count: 1, details: { tenant: TENANT_ID } });
    } finally {
      await bot.stop();
    }
  });

  test('forged action data naming another hunt\'s row or a missing row is refused', async () => {
    data = events();
    const { bot } = await harness(data);
    try {
      const first = await hunt(bot, 'hunt kaseya 5d');
      const answer = await click(bot, VERBS.excludeSubmit, { huntId: first.huntId, row: '999', reason: 'x', scope: 'tool', expiry: '7' }, first.messageId);
      expect(cardText(answer)).toContain('That device is not part of this hunt');
      const other = await click(bot, VERBS.escalateSubmit, { huntId: 'AAAAAAAAAAAA', row: '0', incident: 'new' }, first.messageId);
      expect(cardText(other)).toContain('That hunt is no longer available');
      const scope = await click(bot, VERBS.excludeSubmit, { huntId: first.huntId, row: '0', reason: 'x', scope: 'everything', expiry: '7' }, first.messageId);
      expect(cardText(scope)).toContain('Choose whether the exclusion covers this tool or every RMM tool.');
      expect(await bot.store.listExclusions()).toEqual([]);
    } finally {
      await bot.stop();
    }
  });
});

describe('audit', () => {
  test('hunts, exclusions, escalations and refusals are recorded; audit [n] shows the latest', async () => {
    const data = events();
    const { bot } = await harness(data, { access: { allowedTenants: '*', responders: [ANALYST.aadObjectId] } });
    try {
      const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
      await click(bot, VERBS.excludeSubmit, { huntId, row: rowKey(card, 'ws-fin-014'), reason: 'jump host', scope: 'tool', expiry: '7' }, messageId);
      await click(bot, VERBS.exclude, { huntId, row: rowKey(card, 'it-adm-001') }, messageId, BOB);
      const mark = bot.connector.calls.length;
      await bot.post(message(bot.connector.url, 'audit 5'));
      const [answer] = await bot.connector.waitFor((c: ConnectorCall) => posted(c) && bot.connector.calls.indexOf(c) >= mark);
      const text = cardText(cardOf(answer!));
      expect(text).toMatch(/Bob Builder: exclude devices \(refused\)[\s\S]*Ada Analyst: exclude[\s\S]*Ada Analyst: hunt/);
      expect(text).toContain('reason=jump host');
      expect(text).toContain(`huntId=${huntId}`);
    } finally {
      await bot.stop();
      data.remove();
    }
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
