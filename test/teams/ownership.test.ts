/**
 * Issue #11, finding 6: hunt and finding ids in card data belong to the conversation and tenant
 * that asked the hunt. A click elsewhere naming them is answered as if the hunt did not exist; the
 * responder check still comes first; and the message overwritten for everyone is the hunt's own
 * stored message, never the invoke's replyToId. Whole HTTP turns.
 */
import { VERBS } from '../../src/core/verbs';
import { cardOf, cardText, type BotHarness } from '../support/bot-harness';
import { certificateEvent, eventFolder, type EventFolder } from '../support/event-files';
import { ANALYST, execute, TENANT_ID } from '../support/teams-activities';
import { click, hunt, rowKeys, START, triageBot } from '../support/triage-turns';

const OTHER_TENANT = '11111111-2222-3333-4444-555555555555';
const BOB = { id: '29:1bob', name: 'Bob Builder', aadObjectId: '0b0b0b0b-1111-2222-3333-444444444444' };

let data: EventFolder;
let bot: BotHarness;

beforeEach(async () => {
  data = eventFolder();
  data.write('DeviceFileCertificateInfo', [
    certificateEvent(START, 'ws-fin-014.contoso.com', 'Kaseya Holdings Inc.', 2),
    certificateEvent(START, 'it-adm-001.contoso.com', 'Kaseya Holdings Inc.', 3),
  ]);
  ({ bot } = await triageBot(data, { access: { allowedTenants: [TENANT_ID, OTHER_TENANT], responders: [ANALYST.aadObjectId] } }));
});
afterEach(async () => {
  await bot.stop();
  data.remove();
});

/** An invoke from another tenant (same user shape, same conversation id). */
function fromOtherTenant(activity: ReturnType<typeof execute>) {
  return { ...activity, conversation: { ...activity.conversation, tenantId: OTHER_TENANT }, channelData: { ...activity.channelData, tenant: { id: OTHER_TENANT } } };
}

const SUBMIT = { reason: 'x', scope: 'tool', expiry: '7' };

test('a hunt\'s ids clicked in another conversation or another tenant are answered as unknown, and change nothing', async () => {
  const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
  const row = rowKeys(card)[0]!;
  const elsewhere = await click(bot, VERBS.excludeSubmit, { huntId, row, ...SUBMIT }, messageId, { where: 'groupChat' });
  expect(cardText(elsewhere)).toContain('That hunt is no longer available');
  const page = await click(bot, VERBS.huntPage, { huntId, page: 1 }, messageId, { where: 'groupChat' });
  expect(cardText(page)).toContain('That hunt is no longer available');

  const res = await bot.post(fromOtherTenant(execute(bot.connector.url, VERBS.escalate, { huntId, row }, messageId)));
  expect(cardText(res.body.value)).toContain('That hunt is no longer available');
  expect(await bot.store.listExclusions()).toEqual([]);

  const home = await click(bot, VERBS.excludeSubmit, { huntId, row, ...SUBMIT }, messageId);
  expect(cardText(home)).toContain('Excluded ws-fin-014.contoso.com');
});

test('the responder check comes before the lookup: a non-responder naming a foreign hunt is refused as a non-responder', async () => {
  const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
  const answer = await click(bot, VERBS.exclude, { huntId, row: rowKeys(card)[0]! }, messageId, { from: BOB, where: 'groupChat' });
  expect(cardText(answer)).toContain("You can't exclude devices here");
  const [entry] = await bot.store.listAudit({ limit: 1 });
  expect(entry).toMatchObject({ action: 'exclude', outcome: 'refused' });
});

test('the message updated for everyone is the hunt\'s own, whatever replyToId the invoke names', async () => {
  const first = await hunt(bot, 'hunt kaseya 5d');
  const second = await hunt(bot, 'hunt kaseya 5d device it-adm-001');
  expect(second.messageId).not.toBe(first.messageId);
  const before = bot.connector.calls.length;
  await click(bot, VERBS.excludeSubmit, { huntId: first.huntId, row: rowKeys(first.card)[0]!, ...SUBMIT }, second.messageId);
  await bot.connector.waitFor((c) => bot.connector.calls.indexOf(c) >= before && c.kind === 'update' && cardText(cardOf(c)).includes('Excluded by'));
  await bot.inFlight.drain(10_000);
  const updates = bot.connector.calls.slice(before).filter((c) => c.kind === 'update');
  expect(updates.map((c) => c.activityId)).toEqual([first.messageId]);
});
