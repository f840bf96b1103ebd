/**
 * Outbox items are read back through a versioned schema. An item written by the first release
 * (its payload the escalation card's view itself, no version) still posts into the incident
 * thread after an upgrade; an item no version wrote goes dead, audited, without reaching Teams.
 */
import { createLocalBackend } from '../../src/backends/local';
import { SAMPLE_DATA_DIR } from '../../src/config';
import { incidentTeam } from '../../src/core/incident-target';
import { parseWindow } from '../../src/hunt/window';
import { cardOf, cardText, startBot, type BotHarness } from '../support/bot-harness';
import { message, TENANT_ID } from '../support/teams-activities';

/** An escalation's outbox payload exactly as the first release stored it. */
const FIRST_RELEASE_PAYLOAD = {
  name: 'escalation',
  incident: { number: 7, title: 'Kaseya on ws-fin-014' },
  deviceName: 'ws-fin-014.contoso.com',
  deviceId: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
  toolName: 'Kaseya',
  windowText: '5 days',
  firstSeen: '2026-11-25T08:00:00Z',
  lastSeen: '2026-11-28T17:30:00Z',
  count: 12,
  reportIds: ['1201', '1202'],
  kql: 'DeviceFileCertificateInfo\n| where Signer has_any (\'Kaseya\')',
  source: 'sample data',
  by: 'Ada Analyst',
  note: 'posted by the previous version',
  at: '2026-11-29T12:00:00Z',
};

let bot: BotHarness;

beforeAll(async () => {
  bot = await startBot({ backend: createLocalBackend({ dataDir: SAMPLE_DATA_DIR, maxWindow: parseWindow('30d')!, label: 'sample data' }) });
  await bot.post(message(bot.connector.url, 'incident channel here', 'channel'));
  await bot.connector.waitFor((c) => (c.kind === 'reply' || c.kind === 'send') && cardText(cardOf(c)).includes('Incident channel set'));
});

afterAll(() => bot.stop());

async function channelTarget(): Promise<unknown> {
  const channel = await bot.store.getIncidentChannel(incidentTeam(TENANT_ID));
  if (!channel) throw new Error('the incident channel was not stored');
  return channel.conversation;
}

test('an item in the first release\'s format (a view, no version) still posts', async () => {
  const { record } = await bot.store.enqueueOutbox({ key: 'first-release', team: incidentTeam(TENANT_ID), kind: 'new-thread', target: await channelTarget(), payload: FIRST_RELEASE_PAYLOAD });
  bot.outbox.notify();
  const [post] = await bot.connector.waitFor((c) => c.kind === 'createConversation' && c.status < 300);
  const text = cardText(post!.body.activity.attachments[0].content);
  expect(text).toContain('Incident 7');
  expect(text).toContain('ws-fin-014.contoso.com');
  expect(text).toContain('posted by the previous version');
  expect(text).toContain('5 days');
  await waitFor(async () => (await bot.store.getOutboxItem(record.team, record.id))?.status === 'sent');
});

test('an item no version wrote is not posted: it goes dead and the failure is audited', async () => {
  const before = bot.connector.calls.length;
  const { record } = await bot.store.enqueueOutbox({ key: 'unknown-shape', team: incidentTeam(TENANT_ID), kind: 'new-thread', target: await channelTarget(), payload: { name: 'escalation', forged: true } });
  bot.outbox.notify();
  await waitFor(async () => (await bot.store.getOutboxItem(record.team, record.id))?.status === 'dead');
  expect(bot.connector.calls.slice(before).filter((c) => c.kind === 'createConversation')).toEqual([]);
  const [entry] = await bot.store.listAudit({ limit: 1 });
  expect(entry).toMatchObject({ action: 'post-escalation', outcome: 'failed' });
});

test("a watch's post that cannot be delivered goes dead and is audited as a watch's, not an escalation's", async () => {
  const before = bot.connector.calls.length;
  const team = incidentTeam(TENANT_ID);
  const payload = { version: 1, kind: 'watch-post', watch: { id: 4, intervalMs: 3_600_000, createdBy: 'Ada' }, subject: 'Kaseya', batch: 'baseline', devices: 4, unsanctioned: 0 };
  const noReference = await bot.store.enqueueOutbox({ key: 'watch:4:baseline', team, kind: 'post', target: { conversation: 'not a reference' }, payload });
  const forged = await bot.store.enqueueOutbox({ key: 'watch:4:run-1', team, kind: 'post', target: await channelTarget(), payload: { ...payload, kind: 'watch-posts' } });
  bot.outbox.notify();
  for (const { record } of [noReference, forged]) await waitFor(async () => (await bot.store.getOutboxItem(record.team, record.id))?.status === 'dead');
  expect(bot.connector.calls.slice(before)).toEqual([]);
  const entries = (await bot.store.listAudit({ limit: 2 })).map((e) => [e.action, e.outcome, (e.details as { key: string }).key]);
  expect(entries.sort()).toEqual([
    ['post-watch', 'failed', 'watch:4:baseline'],
    ['post-watch', 'failed', 'watch:4:run-1'],
  ]);
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
