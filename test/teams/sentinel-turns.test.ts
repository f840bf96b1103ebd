/**
 * Microsoft Sentinel as the system of record, through whole HTTP turns of the in-process bot, its
 * Sentinel client talking HTTPS to the fake Resource Manager with `DefaultAzureCredential` and the
 * fake managed identity: Escalate makes one incident (severity from the form, the finding, the note,
 * labels, owner, the thread's link) and one comment per later escalation, both sides link to each
 * other, Close closes it with its classification; retries and 429s through the outbox; 403 cards and
 * Retry; exclusions in the watchlist (added, removed, expired), `exclusions sync` and its drift.
 */
import { sentinelServices } from '../../src/app/sentinel-services';
import { createLocalBackend } from '../../src/backends/local';
import { incidentTeam } from '../../src/core/incident-target';
import { VERBS } from '../../src/core/verbs';
import { parseWindow } from '../../src/hunt/window';
import { exclusionItemId } from '../../src/sentinel/exclusion-item';
import { sentinelCommentId, sentinelIncidentId } from '../../src/sentinel/sentinel-ids';
import { cardOf, cardText, startBot, type BotHarness } from '../support/bot-harness';
import { certificateEvent, eventFolder, type EventFolder } from '../support/event-files';
import { ANALYST, CHANNEL_ID, TENANT_ID } from '../support/teams-activities';
import { testCertificates } from '../support/tls';
import { click, executes, hunt, rowKey, say, setIncidentChannel, waitUntil } from '../support/triage-turns';
import { startSentinelFixture, WORKSPACE_RESOURCE_ID, type SentinelFixture } from '../sentinel/sentinel-fixture';

jest.setTimeout(60_000);

const START = new Date('2026-11-29T12:00:00Z');
const DAY = 86_400_000;
const TEAM = incidentTeam(TENANT_ID);
const WATCHLIST = 'HuntOpsExclusions';

let fixture: SentinelFixture;
let data: EventFolder;
let bot: BotHarness;
let advance: (ms: number) => void;

beforeAll(async () => {
  fixture = await startSentinelFixture();
  data = eventFolder();
  data.write('DeviceFileCertificateInfo', [
    certificateEvent(START, 'ws-fin-014.contoso.com', 'Kaseya Holdings Inc.', 2),
    certificateEvent(START, 'it-adm-001.contoso.com', 'Kaseya Holdings Inc.', 3),
    certificateEvent(START, 'it-adm-003.contoso.com', 'Kaseya Holdings Inc.', 4),
  ]);
});

afterAll(async () => {
  data.remove();
  await fixture.close();
});

beforeEach(async () => {
  const { caCert } = await testCertificates();
  let now = START;
  bot = await startBot({
    backend: createLocalBackend({ dataDir: data.dir, now: () => now, maxWindow: parseWindow('30d')!, label: 'test data' }),
    now: () => now,
    sentinel: (store) =>
      sentinelServices(
        { workspaceResourceId: WORKSPACE_RESOURCE_ID, workspaceFrom: 'SENTINEL_WORKSPACE_RESOURCE_ID', watchlist: WATCHLIST, resourceManagerUrl: fixture.arm.origin },
        store,
        { credential: fixture.credential, tlsOptions: { ca: caCert }, now: () => now },
      ),
  });
  advance = (ms) => {
    now = new Date(now.getTime() + ms);
    bot.outbox.notify();
  };
});

afterEach(async () => {
  await bot.stop();
  fixture.arm.clearFaults();
  fixture.arm.allowAll();
  const sentinel = fixture.arm.sentinel();
  sentinel.incidents.clear();
  sentinel.watchlists.clear();
});

const sentinel = () => fixture.arm.sentinel();
const roots = () => bot.connector.calls.filter((c) => c.kind === 'createConversation' && c.status < 300);
const rootIdOf = (responseId: string | undefined) => /;messageid=(.+)$/.exec(responseId ?? '')![1]!;
const sentinelItems = async () => (await bot.store.listOutbox()).filter((i) => i.kind === 'sentinel');
const allSent = async () => (await bot.store.listOutbox()).every((i) => i.status === 'sent');

/** The HuntOps incident's Sentinel id. */
async function sentinelIdOf(number: number): Promise<string> {
  const incident = (await bot.store.getIncident(TEAM, number))!;
  return sentinelIncidentId({ team: incident.team, number, openedAt: incident.createdAt });
}

async function escalateNew(device: string, extra: Record<string, unknown> = {}): Promise<{ huntId: string; messageId: string; card: any }> {
  await setIncidentChannel(bot);
  const found = await hunt(bot, 'hunt kaseya 5d');
  await click(bot, VERBS.escalateSubmit, { huntId: found.huntId, row: rowKey(found.card, device), note: 'Installed from Downloads', incident: 'new', title: 'Kaseya on a finance laptop', ...extra }, found.messageId);
  return found;
}

describe('incidents in Sentinel', () => {
  test('Escalate creates one incident with the form\'s severity, the finding, the note, labels, owner and the thread\'s link; the thread card links to it; later escalations add one comment each', async () => {
    await setIncidentChannel(bot);
    const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
    const form = await click(bot, VERBS.escalate, { huntId, row: rowKey(card, 'ws-fin-014') }, messageId);
    const severity = form.body.find((b: any) => b.id === 'severity');
    expect(severity).toMatchObject({ type: 'Input.ChoiceSet', value: 'Medium' });
    expect(severity.choices.map((c: any) => c.value)).toEqual(['High', 'Medium', 'Low', 'Informational']);

    const submit = { huntId, row: rowKey(card, 'ws-fin-014'), note: 'Installed from Downloads', incident: 'new', title: 'Kaseya on a finance laptop', severity: 'High' };
    await Promise.all([click(bot, VERBS.escalateSubmit, submit, messageId), click(bot, VERBS.escalateSubmit, submit, messageId)]);
    await waitUntil(allSent, 'the post and the Sentinel call');
    const incidentId = await sentinelIdOf(1);
    expect([...sentinel().incidents.keys()]).toEqual([incidentId]);
    const incident = sentinel().incidents.get(incidentId)!;
    const root = rootIdOf(roots()[0]!.responseId);
    const threadUrl = `https://teams.microsoft.com/l/message/${encodeURIComponent(CHANNEL_ID)}/${root}?tenantId=${TENANT_ID}&parentMessageId=${root}`;
    expect(incident.properties).toMatchObject({
      title: 'HuntOps: Kaseya on a finance laptop',
      severity: 'High',
      status: 'New',
      labels: [
        { labelName: 'HuntOps', labelType: 'User' },
        { labelName: 'Kaseya', labelType: 'User' },
      ],
      owner: { objectId: ANALYST.aadObjectId },
    });
    const description = incident.properties.description as string;
    expect(description).toContain('Escalated from HuntOps by Ada Analyst');
    expect(description).toContain("Analyst's note:\nInstalled from Downloads");
    expect(description).toContain('Device: ws-fin-014.contoso.com');
    expect(description).toContain("| where Signer has 'Kaseya'");
    expect(description).toContain(`Teams thread: ${threadUrl}`);

    // The thread's root card links to the incident.
    const posted = roots()[0]!.body.activity.attachments[0].content;
    const link = JSON.stringify(posted).match(/"type":"Action\.OpenUrl","title":"Open in Sentinel","url":"([^"]+)"/)?.[1];
    expect(link).toBe(`https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${WORKSPACE_RESOURCE_ID}/providers/Microsoft.SecurityInsights/incidents/${incidentId}`);

    // A later escalation into the same incident: one comment, whatever the clicks.
    const later = { huntId, row: rowKey(card, 'it-adm-003'), note: 'Same tenant', incident: '1' };
    await Promise.all([click(bot, VERBS.escalateSubmit, later, messageId), click(bot, VERBS.escalateSubmit, later, messageId)]);
    await waitUntil(async () => (await sentinelItems()).length === 2 && (await allSent()), 'the comment');
    const [, second] = await bot.store.listEscalations({ team: TEAM, incidentNumber: 1 });
    expect([...incident.comments.keys()]).toEqual([sentinelCommentId(second!.id)]);
    const comment = incident.comments.get(sentinelCommentId(second!.id))!.message;
    expect(comment).toContain('Another finding escalated from HuntOps by Ada Analyst');
    expect(comment).toContain('Device: it-adm-003.contoso.com');
    expect(comment).toContain(`Teams thread: ${threadUrl}`);
    expect(sentinel().incidents.size).toBe(1);
  });

  test('Close from Teams closes the Sentinel incident with the reason\'s classification', async () => {
    await escalateNew('ws-fin-014');
    await waitUntil(allSent, 'the escalation');
    const root = rootIdOf(roots()[0]!.responseId);
    const form = await click(bot, VERBS.closeIncident, { incident: 1, from: 'root' }, root, { where: 'channel' });
    expect(cardText(form)).toContain('closed in Microsoft Sentinel with this classification');
    await click(bot, VERBS.closeIncidentSubmit, { incident: 1, from: 'root', reason: 'false-positive', note: 'The agent is our own VSA' }, root, { where: 'channel' });
    await waitUntil(async () => (await sentinelItems()).length === 2 && (await allSent()), 'the close');
    expect(sentinel().incidents.get(await sentinelIdOf(1))!.properties).toMatchObject({
      status: 'Closed',
      classification: 'FalsePositive',
      classificationReason: 'IncorrectAlertLogic',
      classificationComment: 'Closed from HuntOps in Teams by Ada Analyst (Wrong detection): The agent is our own VSA',
    });
    const note = bot.connector.calls.find((c) => c.kind === 'send' && cardText(cardOf(c)).includes('Incident 1 closed'))!;
    expect(executes(cardOf(note))).toEqual([]);
    expect(JSON.stringify(cardOf(note))).not.toContain('Action.Execute');
  });

  test('a 429 beyond the client\'s budget is retried by the outbox after Retry-After, a 5xx by the client: one incident', async () => {
    fixture.arm.failNext({ kind: 'throttle', retryAfterSeconds: 90 });
    await escalateNew('ws-fin-014');
    await waitUntil(async () => (await sentinelItems())[0]?.status === 'pending' && (await sentinelItems())[0]!.attempts === 1, 'the throttled call to be put back');
    const [backedOff] = await sentinelItems();
    expect(backedOff!.lastError).toMatch(/throttling the bot \(429\).*try again in 90 s/);
    expect(backedOff!.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(START.getTime() + 90_000);
    expect(sentinel().incidents.size).toBe(0);
    fixture.arm.failNextWrite({ kind: 'status', status: 503 });
    advance(90_000);
    await waitUntil(allSent, 'the retried call');
    expect((await sentinelItems())[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect([...sentinel().incidents.keys()]).toEqual([await sentinelIdOf(1)]);
  });

  test('a create whose answer was lost is not made twice when the outbox tries again', async () => {
    const before = fixture.arm.requests.length;
    fixture.arm.loseNextWriteAnswer({ status: 504 });
    await escalateNew('ws-fin-014');
    await waitUntil(async () => (await sentinelItems())[0]?.status === 'pending' && (await sentinelItems())[0]!.attempts === 1, 'the call to be put back');
    expect((await sentinelItems())[0]!.lastError).toMatch(/unavailable \(504/);
    await waitUntil(async () => {
      advance(5_000);
      return allSent();
    }, 'the retried call');
    const puts = fixture.arm.requests.slice(before).filter((r) => r.method === 'PUT' && r.path.includes('/incidents/'));
    expect(puts).toHaveLength(1);
    expect(sentinel().incidents.size).toBe(1);
    const incident = sentinel().incidents.get(await sentinelIdOf(1))!;
    expect(incident.comments.size).toBe(0);
    expect(incident.properties.description).toContain('Device: ws-fin-014.contoso.com');
    expect((await sentinelItems())[0]).toMatchObject({ status: 'sent', attempts: 2 });
  });

  test('403: a card in the thread says the identity needs Microsoft Sentinel Responder; Retry after the role is granted creates the incident once', async () => {
    fixture.arm.deny('incidents');
    await escalateNew('ws-fin-014');
    const root = await (async () => {
      await waitUntil(() => roots().length === 1, 'the thread');
      return rootIdOf(roots()[0]!.responseId);
    })();
    const [refusal] = await bot.connector.waitFor((c) => c.kind === 'send' && c.conversationId === `${CHANNEL_ID};messageid=${root}` && cardText(cardOf(c)).includes('is not in Microsoft Sentinel'));
    const text = cardText(cardOf(refusal!));
    expect(text).toContain('Incident 1 is not in Microsoft Sentinel');
    expect(text).toContain('Microsoft Sentinel Responder');
    expect(text).toContain('soc-sentinel');
    const [item] = await sentinelItems();
    expect(item).toMatchObject({ status: 'dead', attempts: 1 });
    const audit = (await bot.store.listAudit({ limit: 20 })).find((e) => e.action === 'sentinel');
    expect(audit).toMatchObject({ outcome: 'failed' });

    const notYet = await click(bot, VERBS.retrySentinel, { incident: 1 }, refusal!.responseId!, { where: 'channel' });
    expect(cardText(notYet)).toContain('Retrying incident 1 in Microsoft Sentinel');
    await waitUntil(async () => (await sentinelItems()).filter((i) => i.status === 'dead').length === 2, 'the retry to be refused too');
    await bot.connector.waitFor((c) => c.kind === 'send' && cardText(cardOf(c)).includes('is not in Microsoft Sentinel'), 2);

    fixture.arm.allowAll();
    const retried = await click(bot, VERBS.retrySentinel, { incident: 1 }, refusal!.responseId!, { where: 'channel' });
    expect(cardText(retried)).toContain('One call goes to Microsoft Sentinel again');
    await waitUntil(async () => sentinel().incidents.size === 1, 'the incident');
    const again = await click(bot, VERBS.retrySentinel, { incident: 1 }, refusal!.responseId!, { where: 'channel' });
    expect(cardText(again)).toContain('Nothing to retry for incident 1');
    expect(sentinel().incidents.get(await sentinelIdOf(1))!.properties.description).toContain('Device: ws-fin-014.contoso.com');
  });
});

describe('exclusions in the watchlist', () => {
  const items = () => [...(sentinel().watchlists.get(WATCHLIST.toLowerCase())?.items.values() ?? [])];
  const mirrorDone = async () => (await sentinelItems()).every((i) => i.status === 'sent' || i.status === 'dead');

  test('an exclusion appears in the watchlist (created if missing), and disappears when removed or when it expires', async () => {
    const { card, messageId, huntId } = await hunt(bot, 'hunt kaseya 5d');
    await click(bot, VERBS.excludeSubmit, { huntId, row: rowKey(card, 'it-adm-003'), reason: 'IT admin box', scope: 'tool', expiry: '7' }, messageId);
    await say(bot, 'exclude device IT-ADM-* reason "IT admin workstations" for 90d');
    await waitUntil(async () => items().length === 2 && (await mirrorDone()), 'the items');
    const [fromRow, pattern] = (await bot.store.listExclusions());
    expect(sentinel().watchlists.get(WATCHLIST.toLowerCase())!.properties).toMatchObject({ provider: 'HuntOps', itemsSearchKey: 'ExclusionId' });
    const rowItem = sentinel().watchlists.get(WATCHLIST.toLowerCase())!.items.get(exclusionItemId(fromRow!))!;
    expect(rowItem.values).toMatchObject({
      ExclusionId: fromRow!.id,
      DeviceId: 'itadm003contosocom0000000000000000000000',
      DeviceName: 'it-adm-003.contoso.com',
      Tool: 'kaseya',
      Reason: 'IT admin box',
      ExcludedBy: 'Ada Analyst',
      ExpiresAt: new Date(START.getTime() + 7 * DAY).toISOString(),
    });
    expect(await bot.store.listMirroredExclusions()).toEqual([fromRow!.id, pattern!.id].sort());

    await say(bot, 'unexclude IT-ADM-*');
    await waitUntil(async () => items().length === 1 && (await mirrorDone()), 'the removed exclusion\'s item to go');
    expect(items()[0]!.values.ExclusionId).toBe(fromRow!.id);

    // Expiry: nothing announces it; the periodic pass finds it.
    advance(8 * DAY);
    expect(await bot.core.mirror!.pass()).toBe(1);
    expect(await bot.core.mirror!.pass()).toBe(0);
    await waitUntil(async () => items().length === 0 && (await mirrorDone()), 'the expired exclusion\'s item to go');
    expect(await bot.store.listMirroredExclusions()).toEqual([]);
  });

  test('exclusions sync reports drift both ways: deleted in Sentinel (reported, then added again on request), edited, foreign, never written', async () => {
    await say(bot, 'exclude device IT-ADM-* reason "IT admin workstations" for 90d');
    await say(bot, 'exclude device SRV-MGMT-01 reason "management server" for never');
    await waitUntil(async () => items().length === 2 && (await mirrorDone()), 'the items');
    const [admins, server] = await bot.store.listExclusions();
    const watchlist = sentinel().watchlists.get(WATCHLIST.toLowerCase())!;
    // In the portal: one item deleted, one edited, one added by hand.
    watchlist.items.delete(exclusionItemId(admins!).toLowerCase());
    watchlist.items.get(exclusionItemId(server!).toLowerCase())!.values.Reason = 'edited in the portal';
    watchlist.items.set('0f0f0f0f-0000-4000-8000-000000000001', { id: '0f0f0f0f-0000-4000-8000-000000000001', etag: '"x"', values: { ExclusionId: 'by-hand', DevicePattern: 'LAB-*' }, created: '', updated: '' });
    // An exclusion whose item was never written (its change was never announced).
    await bot.store.addExclusion({ key: 'written-elsewhere', pattern: 'WS-OLD-*', scope: { kind: 'all' }, reason: 'old lab', createdBy: { aadObjectId: 'x', name: 'Someone' }, expiresAt: null });

    const mark = bot.connector.calls.length;
    const progress = await say(bot, 'exclusions sync');
    expect(cardText(progress)).toContain('Syncing exclusions with Microsoft Sentinel');
    const [update] = await bot.connector.waitFor((c) => c.kind === 'update' && bot.connector.calls.indexOf(c) >= mark);
    const report = cardOf(update!);
    const text = cardText(report);
    expect(text).toMatch(/Added \(never written\)\n1\n/);
    expect(text).toMatch(/Rewritten \(edited in Sentinel\)\n1\n/);
    expect(text).toMatch(/Deleted in Sentinel \(reported\)\n1\n/);
    expect(text).toMatch(/Not HuntOps items \(left alone\)\n1\n/);
    expect(text).toContain('IT-ADM-* (every RMM hunt), excluded by Ada Analyst: IT admin workstations');
    expect(text).toContain('LAB-* (item 0f0f0f0f-0000-4000-8000-000000000001)');
    expect(watchlist.items.get(exclusionItemId(admins!).toLowerCase())).toBeUndefined();
    expect(watchlist.items.get(exclusionItemId(server!).toLowerCase())!.values.Reason).toBe('management server');
    expect(watchlist.items.size).toBe(3);

    const restore = executes(report).find((a) => a.title === 'Add them again')!;
    expect(restore).toEqual({ title: 'Add them again', verb: VERBS.syncExclusions, data: { restore: true } });
    await click(bot, restore.verb, restore.data, update!.activityId!);
    await waitUntil(() => watchlist.items.has(exclusionItemId(admins!).toLowerCase()), 'the deleted item to be added again');
    const audit = (await bot.store.listAudit({ limit: 20 })).filter((e) => e.action === 'sync-exclusions');
    expect(audit.map((e) => (e.details as { restore: boolean }).restore).sort()).toEqual([false, true]);
  });

  test('without Microsoft Sentinel Contributor the exclusions card and the sync card say so, and exclusions keep working', async () => {
    fixture.arm.deny('watchlists', ['GET', 'PUT', 'DELETE']);
    await say(bot, 'exclude device ws-fin-014 reason "finance jump host"');
    await waitUntil(async () => (await sentinelItems())[0]?.status === 'dead', 'the mirror to give up');
    const card = cardText(await say(bot, 'exclusions'));
    expect(card).toContain(`One exclusion is not in Microsoft Sentinel's watchlist ${WATCHLIST}`);
    expect(card).toContain('Microsoft Sentinel Contributor');
    expect(card).toContain('type exclusions sync');
    const later = await hunt(bot, 'hunt kaseya 5d');
    expect(cardText(later.card)).not.toContain('ws-fin-014');

    const mark = bot.connector.calls.length;
    await say(bot, 'exclusions sync');
    const [update] = await bot.connector.waitFor((c) => c.kind === 'update' && bot.connector.calls.indexOf(c) >= mark);
    expect(cardText(cardOf(update!))).toContain('Microsoft Sentinel refused the sync');
    expect(cardText(cardOf(update!))).toContain('Microsoft Sentinel Contributor');

    fixture.arm.allowAll();
    const mark2 = bot.connector.calls.length;
    await say(bot, 'exclusions sync');
    const [synced] = await bot.connector.waitFor((c) => c.kind === 'update' && bot.connector.calls.indexOf(c) >= mark2);
    expect(cardText(cardOf(synced!))).toMatch(/Added \(never written\)\n1\n/);
    expect(cardText(await say(bot, 'exclusions'))).not.toContain('not in Microsoft Sentinel');
  });
});
