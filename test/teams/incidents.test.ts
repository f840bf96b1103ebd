/**
 * The incident life cycle through whole HTTP turns: `incidents` lists the open incidents with Close;
 * Close on the list or on the incident's root card asks for a reason, closes once, posts the closing
 * note in the thread through the outbox, shows the root card closed, drops the incident from the
 * Escalate form, and is audited; only responders may.
 */
import { createLocalBackend } from '../../src/backends/local';
import { incidentTeam } from '../../src/core/incident-target';
import { VERBS } from '../../src/core/verbs';
import { parseWindow } from '../../src/hunt/window';
import { cardOf, cardText, startBot, type BotHarness, type BotOptions } from '../support/bot-harness';
import type { ConnectorCall } from '../support/fake-connector';
import { certificateEvent, eventFolder, type EventFolder } from '../support/event-files';
import { ANALYST, CHANNEL_ID, TENANT_ID } from '../support/teams-activities';
import { click, executes, hunt, rowKey, say, setIncidentChannel, waitUntil } from '../support/triage-turns';

const START = new Date('2026-11-29T12:00:00Z');
const HOUR = 3_600_000;
const BOB = { id: '29:1bob', name: 'Bob Builder', aadObjectId: '0b0b0b0b-1111-2222-3333-444444444444' };
const TEAM = incidentTeam(TENANT_ID);

function events(): EventFolder {
  const folder = eventFolder();
  folder.write('DeviceFileCertificateInfo', [
    certificateEvent(START, 'ws-fin-014.contoso.com', 'Kaseya Holdings Inc.', 2),
    certificateEvent(START, 'it-adm-001.contoso.com', 'Kaseya Holdings Inc.', 3),
    certificateEvent(START, 'it-adm-003.contoso.com', 'Kaseya Holdings Inc.', 4),
    certificateEvent(START, 'srv-mgmt-01.contoso.com', 'Kaseya Holdings Inc.', 5),
  ]);
  return folder;
}

let data: EventFolder;
let bot: BotHarness;
let advance: (ms: number) => void;

async function start(options: Partial<BotOptions> = {}): Promise<void> {
  let now = START;
  data = events();
  bot = await startBot({
    backend: createLocalBackend({ dataDir: data.dir, now: () => now, maxWindow: parseWindow('30d')!, label: 'test data' }),
    now: () => now,
    ...options,
  });
  advance = (ms) => (now = new Date(now.getTime() + ms));
}

afterEach(async () => {
  await bot.stop();
  data.remove();
});

const roots = () => bot.connector.calls.filter((c) => c.kind === 'createConversation' && c.status < 300);
const rootId = (call: ConnectorCall) => /;messageid=(.+)$/.exec(call.responseId ?? '')![1]!;
const threadPosts = (root: string) => bot.connector.calls.filter((c) => c.kind === 'send' && c.conversationId === `${CHANNEL_ID};messageid=${root}` && c.status < 300);

/** Escalates three findings: two into incident 1, one into incident 2; resolves once both threads are posted. */
async function twoIncidents(): Promise<{ huntId: string; messageId: string; card: any; root1: string; root2: string }> {
  await setIncidentChannel(bot);
  const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
  await click(bot, VERBS.escalateSubmit, { huntId, row: rowKey(card, 'ws-fin-014'), note: 'not IT', incident: 'new', title: 'Kaseya on a finance laptop' }, messageId);
  await bot.connector.waitFor((c) => c.kind === 'createConversation' && c.status < 300);
  await click(bot, VERBS.escalateSubmit, { huntId, row: rowKey(card, 'it-adm-003'), note: '', incident: 'new', title: 'Admin box' }, messageId);
  await click(bot, VERBS.escalateSubmit, { huntId, row: rowKey(card, 'it-adm-001'), note: 'second laptop', incident: '1' }, messageId);
  await waitUntil(async () => (await bot.store.listOutbox({ team: TEAM })).every((i) => i.status === 'sent'), 'the escalations to be posted');
  const [first, second] = roots();
  return { huntId, messageId, card, root1: rootId(first!), root2: rootId(second!) };
}

describe('incidents', () => {
  beforeEach(() => start());

  test('lists the open incidents with their findings, who opened them and for how long, each with Close', async () => {
    expect(cardText(await say(bot, 'incidents'))).toContain('None: every incident is closed.');
    await twoIncidents();
    advance(3 * HOUR);
    const list = await say(bot, 'incidents');
    const text = cardText(list);
    expect(text).toContain('2 open, page 1 of 1');
    expect(text).toContain('Incident 1: Kaseya on a finance laptop');
    expect(text).toContain('2 findings · opened by Ada Analyst · open for 3 hours');
    expect(text).toContain('Incident 2: Admin box');
    expect(text).toContain('1 finding · opened by Ada Analyst · open for 3 hours');
    expect(executes(list)).toEqual([
      { title: 'Close', verb: VERBS.closeIncident, data: { incident: 1, from: 'list', page: 1 } },
      { title: 'Close', verb: VERBS.closeIncident, data: { incident: 2, from: 'list', page: 1 } },
    ]);
    expect(text).not.toContain('Sentinel');
  });

  test('Close from the list asks for a reason, closes once, posts the note in the thread, shows the root card closed, leaves the Escalate form and is audited', async () => {
    const { huntId, messageId, card, root1, root2 } = await twoIncidents();
    const listMessage = (await (async () => {
      const before = bot.connector.calls.length;
      await say(bot, 'incidents');
      return bot.connector.calls.slice(before).find((c) => c.kind === 'send' || c.kind === 'reply')!;
    })()).responseId!;

    const form = await click(bot, VERBS.closeIncident, { incident: 1, from: 'list', page: 1 }, listMessage);
    expect(cardText(form)).toContain('Close incident 1');
    const reason = form.body.find((b: any) => b.id === 'reason');
    expect(reason).toMatchObject({ type: 'Input.ChoiceSet', isRequired: true });
    expect(reason.choices.map((c: any) => c.value)).toEqual(['expected', 'malicious', 'false-positive', 'bad-data', 'undetermined']);
    expect(form.body.find((b: any) => b.id === 'note')).toMatchObject({ type: 'Input.Text' });

    const refused = await click(bot, VERBS.closeIncidentSubmit, { incident: 1, from: 'list', page: 1, reason: '', note: 'no reason' }, listMessage);
    expect(cardText(refused)).toContain('Choose why the incident is closed.');
    expect((await bot.store.getIncident(TEAM, 1))?.status).toBe('open');

    advance(HOUR);
    const submit = { incident: 1, from: 'list', page: 1, reason: 'expected', note: 'IT confirmed the Kaseya rollout' };
    const answers = await Promise.all([click(bot, VERBS.closeIncidentSubmit, submit, listMessage), click(bot, VERBS.closeIncidentSubmit, submit, listMessage)]);
    const texts = answers.map(cardText).join('\n');
    expect(texts).toContain('Closed incident 1: Kaseya on a finance laptop. The closing note is being posted in its thread.');
    expect(texts).toContain('Incident 1 was already closed by Ada Analyst.');
    for (const answer of answers) {
      expect(cardText(answer)).not.toContain('Incident 1: Kaseya');
      expect(executes(answer).map((a) => a.data.incident)).toEqual([2]);
    }
    const [forEveryone] = await bot.connector.waitFor((c) => c.kind === 'update' && c.activityId === listMessage);
    expect(cardText(cardOf(forEveryone!))).toContain('1 open, page 1 of 1');

    expect(await bot.store.getIncident(TEAM, 1)).toMatchObject({
      status: 'closed',
      closedBy: { aadObjectId: ANALYST.aadObjectId, name: 'Ada Analyst' },
      closedAt: new Date(START.getTime() + HOUR),
      closeReason: 'expected',
      closeNote: 'IT confirmed the Kaseya rollout',
    });

    // The closing note goes into the thread (once), after the root card is shown closed.
    const [note] = await bot.connector.waitFor((c) => threadPosts(root1).includes(c) && cardText(cardOf(c)).includes('Incident 1 closed'));
    expect(cardText(cardOf(note!))).toContain('Closed by Ada Analyst at 2026-11-29T13:00:00Z: Expected IT activity. IT confirmed the Kaseya rollout');
    const rootUpdates = bot.connector.calls.filter((c) => c.kind === 'update' && c.activityId === root1 && c.status < 300);
    expect(rootUpdates).toHaveLength(1);
    expect(bot.connector.calls.indexOf(rootUpdates[0]!)).toBeLessThan(bot.connector.calls.indexOf(note!));
    const closedRoot = cardOf(rootUpdates[0]!);
    expect(cardText(closedRoot)).toContain('Incident 1: Kaseya on a finance laptop');
    expect(cardText(closedRoot)).toContain('Closed by Ada Analyst at 2026-11-29T13:00:00Z: Expected IT activity.');
    expect(cardText(closedRoot)).toContain('ws-fin-014.contoso.com');
    expect(executes(closedRoot)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(threadPosts(root1).filter((c) => cardText(cardOf(c)).includes('closed'))).toHaveLength(1);
    expect(threadPosts(root2)).toEqual([]);

    // The closed incident is no longer offered on the Escalate form.
    const escalate = await click(bot, VERBS.escalate, { huntId, row: rowKey(card, 'srv-mgmt-01') }, messageId);
    expect(escalate.body.find((b: any) => b.id === 'incident').choices).toEqual([
      { title: 'A new incident', value: 'new' },
      { title: 'Incident 2: Admin box', value: '2' },
    ]);
    const late = await click(bot, VERBS.escalateSubmit, { huntId, row: rowKey(card, 'srv-mgmt-01'), note: '', incident: '1' }, messageId);
    expect(cardText(late)).toContain('Incident 1 is not open any more');

    const audit = (await bot.store.listAudit({ limit: 50 })).filter((e) => e.action === 'close-incident');
    expect(audit).toHaveLength(2);
    expect(audit.map((e) => e.details)).toEqual(
      expect.arrayContaining([
        { incident: 1, reason: 'expected', note: 'IT confirmed the Kaseya rollout', closed: true },
        { incident: 1, reason: 'expected', note: 'IT confirmed the Kaseya rollout', closed: false },
      ]),
    );
    expect(audit.every((e) => e.outcome === 'ok' && e.actor.aadObjectId === ANALYST.aadObjectId)).toBe(true);
  });

  test('Close on the root card: the form replaces it for whoever clicked, Cancel brings it back, closing shows it closed for everyone', async () => {
    const { root1 } = await twoIncidents();
    const [rootPost] = roots();
    const posted = rootPost!.body.activity.attachments[0].content;
    expect(executes(posted)).toEqual([{ title: 'Close', verb: VERBS.closeIncident, data: { incident: 1, from: 'root' } }]);
    const replies = threadPosts(root1);
    expect(replies).toHaveLength(1);
    expect(executes(cardOf(replies[0]!))).toEqual([]);

    const form = await click(bot, VERBS.closeIncident, { incident: 1, from: 'root' }, root1, { where: 'channel' });
    expect(cardText(form)).toContain('Close incident 1');
    const cancel = executes(form).find((a) => a.title === 'Cancel')!;
    expect(cancel).toEqual({ title: 'Cancel', verb: VERBS.incidentCard, data: { incident: 1 } });
    const back = await click(bot, cancel.verb, cancel.data, root1, { where: 'channel' });
    expect(cardText(back)).toContain('Incident 1: Kaseya on a finance laptop');
    expect(executes(back)).toEqual([{ title: 'Close', verb: VERBS.closeIncident, data: { incident: 1, from: 'root' } }]);

    const submit = executes(form).find((a) => a.verb === VERBS.closeIncidentSubmit)!;
    expect(submit.data).toEqual({ incident: 1, from: 'root', page: 1 });
    const closed = await click(bot, VERBS.closeIncidentSubmit, { ...submit.data, reason: 'malicious', note: '' }, root1, { where: 'channel' });
    expect(cardText(closed)).toContain('Closed by Ada Analyst at 2026-11-29T12:00:00Z: Malicious or unauthorised.');
    expect(cardText(closed)).toContain('ws-fin-014.contoso.com');
    expect(executes(closed)).toEqual([]);
    await bot.connector.waitFor((c) => c.kind === 'update' && c.activityId === root1 && cardText(cardOf(c)).includes('Malicious or unauthorised'), 2);
    const [note] = await bot.connector.waitFor((c) => threadPosts(root1).includes(c) && cardText(cardOf(c)).includes('Incident 1 closed'));
    expect(cardText(cardOf(note!))).toContain('Malicious or unauthorised');

    const again = await click(bot, VERBS.closeIncident, { incident: 1, from: 'root' }, root1, { where: 'channel' });
    expect(cardText(again)).toContain('Closed by Ada Analyst');
    expect(executes(again)).toEqual([]);
  });

  test('forged or stale data is refused without closing anything', async () => {
    await twoIncidents();
    expect(cardText(await click(bot, VERBS.closeIncidentSubmit, { incident: 99, from: 'list', reason: 'expected' }, 'm1'))).toContain('That incident does not exist');
    expect(cardText(await click(bot, VERBS.closeIncidentSubmit, { incident: 1, from: 'list', reason: 'pwned' }, 'm1'))).toContain('Choose why the incident is closed.');
    expect(cardText(await click(bot, VERBS.closeIncident, { incident: '1; drop', from: 'list' }, 'm1'))).toContain('That button did not work');
    expect((await bot.store.listOpenIncidents(TEAM)).map((i) => i.number)).toEqual([1, 2]);
  });
});

describe('who may close', () => {
  beforeEach(() => start({ access: { allowedTenants: [TENANT_ID], responders: [ANALYST.aadObjectId] } }));

  test('anyone reads the list; only responders close, and refusals are audited', async () => {
    await twoIncidents();
    expect(cardText(await say(bot, 'incidents', 'personal', BOB))).toContain('Incident 1: Kaseya on a finance laptop');
    for (const verb of [VERBS.closeIncident, VERBS.closeIncidentSubmit]) {
      const answer = await click(bot, verb, { incident: 1, from: 'list', reason: 'expected' }, 'm1', { from: BOB });
      expect(cardText(answer)).toContain("You can't close incidents here");
    }
    expect((await bot.store.getIncident(TEAM, 1))?.status).toBe('open');
    const refused = (await bot.store.listAudit({ limit: 50 })).filter((e) => e.action === 'close-incident');
    expect(refused.map((e) => [e.outcome, e.actor.name, e.details])).toEqual([
      ['refused', 'Bob Builder', { incident: 1, from: 'list' }],
      ['refused', 'Bob Builder', { incident: 1, from: 'list' }],
    ]);
  });
});
