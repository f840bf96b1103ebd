/**
 * Issue #11, finding 4 (the outbox): escalations that can always arrive. When Teams refuses a card
 * for its size (413 `MessageSizeTooBig`) a reduced card is posted instead; when an incident's
 * opening post dies, a later escalation opens a new thread root and its replies are not left
 * pending; and no post stays pending without bound: after the documented age it is given up,
 * audited, and the channel is told. Whole HTTP turns against the fake connector.
 */
import { VERBS } from '../../src/core/verbs';
import { DEFAULT_OUTBOX_MAX_AGE_MS } from '../../src/core/outbox-worker';
import { cardText, type BotHarness } from '../support/bot-harness';
import type { ConnectorCall } from '../support/fake-connector';
import { certificateEvent, eventFolder, type EventFolder } from '../support/event-files';
import { CHANNEL_ID } from '../support/teams-activities';
import { click, hunt, rowKeys, say, START, triageBot, waitUntil } from '../support/triage-turns';

let data: EventFolder;
let bot: BotHarness;
let advance: (ms: number) => Date;

beforeEach(async () => {
  data = eventFolder();
  data.write(
    'DeviceFileCertificateInfo',
    ['ws-fin-014.contoso.com', 'it-adm-001.contoso.com', 'it-adm-003.contoso.com'].map((name, i) => certificateEvent(START, name, 'Kaseya Holdings Inc.', i + 2)),
  );
  ({ bot, advance } = await triageBot(data));
  await say(bot, 'incident channel here', 'channel');
});
afterEach(async () => {
  await bot.stop();
  data.remove();
});

const created = (c: ConnectorCall) => c.kind === 'createConversation' && c.status < 300;
const cardOfCreated = (c: ConnectorCall) => cardText(c.body.activity.attachments[0].content);
const inThread = (c: ConnectorCall) => c.kind === 'send' && c.conversationId?.startsWith(`${CHANNEL_ID};messageid=`) === true && c.status < 300;

async function escalate(card: any, messageId: string, huntId: string, index: number, incident: string, note = 'n'): Promise<void> {
  const answer = await click(bot, VERBS.escalateSubmit, { huntId, row: rowKeys(card)[index]!, note, incident, title: 'Kaseya spread' }, messageId);
  expect(cardText(answer)).toContain('Escalated ');
}

test('a busy device\'s escalation carries a bounded sample of its report ids, and how many there were', async () => {
  data.write('DeviceFileCertificateInfo', Array.from({ length: 3000 }, (_, i) => certificateEvent(START, 'ws-busy.contoso.com', 'Kaseya Holdings Inc.', 1 + i / 100)));
  const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
  const [finding] = await bot.store.listFindings(huntId);
  expect(finding).toMatchObject({ deviceName: 'ws-busy.contoso.com', count: 3000, reportCount: 3000 });
  expect(finding!.reportIds).toHaveLength(20);
  await escalate(card, messageId, huntId, 0, 'new');
  const [post] = await bot.connector.waitFor(created);
  const [item] = await bot.store.listOutbox();
  expect(item!.payload).toMatchObject({ reportCount: 3000 });
  expect((item!.payload as { reportIds: string[] }).reportIds).toHaveLength(20);
  expect(JSON.stringify(post!.body.activity).length * 2).toBeLessThan(28 * 1024);
});

test('a card Teams refuses for its size is posted again, reduced, and that is audited', async () => {
  bot.connector.limitMessageSize(7_000);
  const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
  await escalate(card, messageId, huntId, 0, 'new', `Unexpected agent. ${'Observed behaviour, in detail. '.repeat(60)}`);
  const [refused] = await bot.connector.waitFor((c) => c.kind === 'createConversation' && c.status === 413);
  expect(refused!.body.activity).toBeDefined();
  const [reduced] = await bot.connector.waitFor(created);
  const text = cardOfCreated(reduced!);
  expect(text).toContain('Incident 1: Kaseya spread');
  expect(text).toContain('ws-fin-014.contoso.com');
  expect(text).toMatch(/too large for Teams/);
  expect(JSON.stringify(reduced!.body).length * 2).toBeLessThan(7_000);
  await waitUntil(async () => (await bot.store.listOutbox())[0]?.status === 'sent');
  const audit = await bot.store.listAudit({ limit: 10 });
  expect(audit.find((e) => e.action === 'post-escalation')).toMatchObject({ outcome: 'ok', details: { reduced: true, incident: 1 } });
});

test('an incident whose opening post died is re-rooted: a later escalation opens a new thread, and its replies follow it', async () => {
  bot.connector.fail({ status: 403, times: 1, kind: 'createConversation' });
  const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
  await escalate(card, messageId, huntId, 0, 'new');
  await waitUntil(async () => (await bot.store.listOutbox({ status: 'dead' })).length === 1);

  await escalate(card, messageId, huntId, 1, '1');
  await escalate(card, messageId, huntId, 2, '1');
  const opened = await bot.connector.waitFor((c) => created(c) && cardOfCreated(c).includes('it-adm-001'));
  const root = opened[0]!.responseId!.replace(/^.*;messageid=/, '');
  const [reply] = await bot.connector.waitFor((c) => inThread(c) && cardText(c.body.attachments[0].content).includes('it-adm-003'));
  expect(reply!.conversationId).toBe(`${CHANNEL_ID};messageid=${root}`);
  expect((await bot.store.getIncident((await bot.store.listOutbox())[0]!.team, 1))?.threadRootActivityId).toBe(root);

  const told = await bot.connector.waitFor((c) => created(c) && /could not be posted/.test(cardOfCreated(c)));
  expect(cardOfCreated(told[0]!)).toContain('Incident 1');
  await waitUntil(async () => (await bot.store.listOutbox({ status: 'pending' })).length === 0);
});

test('a post still unsent after the documented age is given up, audited, and the channel is told', async () => {
  expect(DEFAULT_OUTBOX_MAX_AGE_MS).toBe(24 * 3_600_000);
  bot.connector.fail({ status: 503, times: 100, kind: 'createConversation' });
  const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
  await escalate(card, messageId, huntId, 0, 'new');
  await escalate(card, messageId, huntId, 1, '1');
  const rootTried = (n: number) => async () => (await bot.store.listOutbox()).some((i) => i.kind === 'new-thread' && i.status === 'pending' && i.attempts === n);
  await waitUntil(rootTried(1));
  advance(DEFAULT_OUTBOX_MAX_AGE_MS - 60_000);
  bot.outbox.notify();
  await waitUntil(rootTried(2));
  expect(await bot.store.listOutbox({ status: 'dead' })).toEqual([]);

  advance(2 * 60_000);
  bot.outbox.notify();
  await waitUntil(async () => (await bot.store.listOutbox({ status: 'dead' })).length === 2);
  bot.connector.recover();
  advance(60_000);
  bot.outbox.notify();
  const told = await bot.connector.waitFor((c) => created(c) && /could not be posted/.test(cardOfCreated(c)));
  expect(cardOfCreated(told[0]!)).toMatch(/Incident 1[\s\S]*24 hours/);
  const items = await bot.store.listOutbox();
  expect(items.filter((i) => i.incidentNumber === 1).map((i) => [i.status, i.lastError])).toEqual([
    ['dead', 'gave up after 24 hours'],
    ['dead', 'gave up after 24 hours'],
  ]);
  const audit = (await bot.store.listAudit({ limit: 20 })).filter((e) => e.action === 'post-escalation');
  expect(audit).toHaveLength(2);
  expect(audit.every((e) => e.outcome === 'failed' && (e.details as { reason: string }).reason === 'gave up after 24 hours')).toBe(true);
});
