/**
 * Watches and sanctions through whole turns: the real bot in-process over a copy of the sample data
 * (the local backend), a SQLite store and the outbox posting to a fake Bot Connector, with a clock
 * the test moves and the watch scheduler ticked by the test. Every command (`watch`, `watches`,
 * `unwatch`, Stop, `sanction`, `sanctions`, `unsanction`), their refusals and audit entries; the
 * baseline post, a new device posted once with the usual row buttons, nothing posted when nothing
 * is new, excluded and sanctioned devices not reported, and the sanction marks on hunt and check
 * cards from the sample's two Kaseya stories.
 */
import { createLocalBackend } from '../../src/backends/local';
import { VERBS } from '../../src/core/verbs';
import { parseWindow } from '../../src/hunt/window';
import { cardOf, cardText, startBot, type BotHarness } from '../support/bot-harness';
import type { ConnectorCall } from '../support/fake-connector';
import { newKaseyaDevice, sampleCopy, type SampleCopy } from '../support/sample-copy';
import { ANALYST, CHANNEL_ID, execute, message, type Where } from '../support/teams-activities';

const START = new Date('2026-11-29T12:00:00Z');
const HOUR = 3_600_000;
const BOB = { id: '29:1bob', name: 'Bob Builder', aadObjectId: '0b0b0b0b-1111-2222-3333-444444444444' };
/** The devices `hunt kaseya 5d` finds in the sample (data/sample/README.md). */
const KASEYA = ['it-adm-003', 'lt-hr-207', 'srv-mgmt-01', 'ws-fin-014'];

let data: SampleCopy;
let bot: BotHarness;
let now: Date;

beforeEach(async () => {
  data = sampleCopy();
  now = START;
  const clock = () => now;
  bot = await startBot({
    backend: createLocalBackend({ dataDir: data.dir, now: clock, maxWindow: parseWindow('30d')!, label: 'sample data' }),
    now: clock,
    access: { allowedTenants: '*', responders: [ANALYST.aadObjectId] },
    watch: { minIntervalMs: 15 * 60_000 },
  });
});

afterEach(async () => {
  await bot.stop();
  data.remove();
});

/** Posts `text`; resolves with the card that finally answers it (a hunt's: its update) and the id of its message. */
async function ask(text: string, options: { where?: Where; from?: typeof ANALYST } = {}): Promise<{ card: any; messageId: string }> {
  const before = bot.connector.calls.length;
  await bot.post(message(bot.connector.url, text, options.where ?? 'personal', options.from ?? ANALYST));
  const mine = (c: ConnectorCall) => bot.connector.calls.indexOf(c) >= before;
  const [first] = await bot.connector.waitFor((c) => mine(c) && (c.kind === 'reply' || c.kind === 'send'));
  if (!/Hunting /.test(cardText(cardOf(first!)))) return { card: cardOf(first!), messageId: first!.responseId! };
  const [update] = await bot.connector.waitFor((c) => mine(c) && c.kind === 'update' && c.activityId === first!.responseId);
  return { card: cardOf(update!), messageId: first!.responseId! };
}

/** The watch posts the outbox sent so far (cards in the channel's thread, not answers to a command). */
function watchPosts(): ConnectorCall[] {
  return bot.connector.calls.filter((c) => c.kind === 'send' && c.status < 300 && /you will hear about new ones|new devices?[ .(]/.test(cardText(c.body)));
}

/** Moves the clock, runs the due watches and waits until the outbox worker has sent what they enqueued. */
async function tick(ms: number): Promise<void> {
  now = new Date(now.getTime() + ms);
  await bot.core.watches.runDue();
  const deadline = Date.now() + 10_000;
  while ((await bot.store.listOutbox()).some((item) => item.status !== 'sent')) {
    if (Date.now() > deadline) throw new Error(`the outbox was not delivered: ${JSON.stringify(await bot.store.listOutbox())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The device rows of a result card. */
function deviceRows(card: any): any[] {
  return card.body.flatMap((b: any) => (b.items ?? []).filter((i: any) => i.type === 'Table').flatMap((t: any) => t.rows.slice(1)));
}

function rowOf(card: any, device: string): any {
  return deviceRows(card).find((r: any) => JSON.stringify(r.cells[0]).includes(device));
}

async function audit(action: string) {
  return (await bot.store.listAudit({ limit: 100 })).filter((e) => e.action === action);
}

describe('watch', () => {
  test('posts a baseline into the thread it was typed in, then one post per new device, and nothing when nothing is new', async () => {
    const { card } = await ask('watch kaseya every 1h', { where: 'channel' });
    const text = cardText(card);
    expect(text).toContain('Watch 1 set: its first run posts here now, then every 1 hour only devices it has not reported.');
    expect(text).toMatch(/1 · Kaseya, every 1 hour/);
    expect(text).toContain('kaseya 5d · posts here · by Ada Analyst');
    expect(text).toContain('Not run yet');

    await tick(0);
    const [baseline] = watchPosts();
    expect(baseline!.conversationId).toMatch(new RegExp(`^${CHANNEL_ID.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')};messageid=\\d+$`));
    expect(cardText(baseline!.body)).toContain(`Kaseya: ${KASEYA.length} devices now — you will hear about new ones.`);
    expect(cardText(baseline!.body)).toContain('unwatch 1');

    await tick(HOUR);
    expect(watchPosts()).toHaveLength(1);

    data.append('DeviceFileCertificateInfo', [newKaseyaDevice(data, 'ws-new-001.corp.contoso.com')]);
    await tick(HOUR);
    const posts = watchPosts();
    expect(posts).toHaveLength(2);
    const post = cardOf(posts[1]!);
    expect(cardText(post)).toContain('Kaseya: 1 new device.');
    expect(deviceRows(post).map((r) => r.cells[0].items[0].text)).toEqual(['ws-new-001.corp.contoso.com']);
    expect(posts[1]!.conversationId).toBe(baseline!.conversationId);

    // The usual row buttons: they name the hunt the post keeps, and work like a hunt's.
    const actions = JSON.stringify(rowOf(post, 'ws-new-001'));
    const huntId = /"huntId":"([^"]+)"/.exec(actions)![1]!;
    expect(actions).toContain('"title":"Exclude"');
    expect(actions).toContain('"title":"Escalate"');
    const form = await bot.post(execute(bot.connector.url, VERBS.exclude, { huntId, row: '0' }, posts[1]!.responseId!, 'channel'));
    expect(cardText(form.body.value)).toContain('Exclude ws-new-001.corp.contoso.com');
    const excluded = await bot.post(
      execute(bot.connector.url, VERBS.excludeSubmit, { huntId, row: '0', reason: 'lab machine', scope: 'tool', expiry: '30' }, posts[1]!.responseId!, 'channel'),
    );
    expect(cardText(excluded.body.value)).toContain('Kaseya: 1 new device.');
    expect(cardText(excluded.body.value)).toContain('Excluded by Ada Analyst: lab machine');

    // The device stays in the data: it is never posted again, nor is anything else.
    await tick(HOUR);
    await tick(HOUR);
    expect(watchPosts()).toHaveLength(2);

    const posted = await audit('watch-post');
    expect(posted.map((e) => [e.actor.name, (e.details as { kind: string }).kind, (e.details as { devices: number }).devices])).toEqual([
      ['HuntOps', 'new-devices', 1],
      ['HuntOps', 'baseline', KASEYA.length],
    ]);
    const [created] = await audit('watch');
    expect(created).toMatchObject({ outcome: 'ok', actor: { name: 'Ada Analyst' }, details: { watchId: 1, hunt: 'kaseya 5d', intervalMs: HOUR, created: true } });
  });

  test('a device excluded before it shows up, and a tool sanctioned without instances, are not reported', async () => {
    await ask('watch all 2d every 1h', { where: 'channel' });
    await tick(0);
    expect(cardText(watchPosts()[0]!.body)).toMatch(/All RMM tools: \d+ devices now/);
    await ask('exclude device ws-lab-* reason "the lab" for 30d tool kaseya');
    await ask('sanction anydesk reason "IT support uses AnyDesk"');
    data.append('DeviceFileCertificateInfo', [
      newKaseyaDevice(data, 'ws-lab-007.corp.contoso.com'),
      { ...newKaseyaDevice(data, 'ws-any-001.corp.contoso.com'), Signer: 'AnyDesk Software GmbH' },
      newKaseyaDevice(data, 'ws-new-002.corp.contoso.com'),
    ]);
    await tick(HOUR);
    const posts = watchPosts();
    expect(posts).toHaveLength(2);
    const post = cardOf(posts[1]!);
    expect(cardText(post)).toContain('All RMM tools: 1 new device.');
    expect(deviceRows(post).map((r) => r.cells[0].items[0].text)).toEqual(['ws-new-002.corp.contoso.com']);
    const watches = cardText((await ask('watches')).card);
    expect(watches).toMatch(/Last run .*: 1 new device \(\d+ found, 1 excluded, 1 sanctioned\)\./);
  });

  test('a device whose Kaseya agent talks to an instance not sanctioned is reported with the instance', async () => {
    await ask('sanction kaseya instance vsa.contoso.com managedsupport.kaseya.net reason "Contoso IT\'s VSA"');
    await ask('watch kaseya every 1h', { where: 'channel' });
    await tick(0);
    // The baseline counts the one device that talks to another instance: ws-fin-014 (rmm-7731.kaseya.net).
    expect(cardText(watchPosts()[0]!.body)).toContain('Kaseya: 1 device now — you will hear about new ones.');
    const watches = cardText((await ask('watches')).card);
    expect(watches).toMatch(/Baseline: 1 device \(4 found, 3 sanctioned\)\./);
  });

  test('watches lists them with Stop; Stop and unwatch stop them for everyone, audited', async () => {
    await ask('watch kaseya 2d proc every 1h', { where: 'channel' });
    await ask('watch anydesk net every 2h');
    await tick(0);
    const { card, messageId } = await ask('watches', { where: 'channel' });
    const text = cardText(card);
    expect(text).toContain('2 active, page 1 of 1');
    expect(text).toMatch(/1 · Kaseya processes, every 1 hour/);
    expect(text).toContain('kaseya proc 2d · posts here · by Ada Analyst');
    expect(text).toMatch(/2 · AnyDesk network connections, every 2 hours/);
    expect(text).toContain('anydesk net 5d · posts in a personal chat');
    expect(text).toMatch(/Last run \{\{DATE\(2026-11-29T12:00:00Z,SHORT\)\}\} .*: Baseline: 3 devices/);

    const stop = JSON.parse(JSON.stringify(card.body)).flatMap((b: any) => JSON.stringify(b).match(/\{"type":"Action.Execute","title":"Stop"[^}]*\}[^}]*\}/g) ?? []);
    expect(stop).toHaveLength(2);
    const res = await bot.post(execute(bot.connector.url, VERBS.unwatch, { watchId: 1, page: 1 }, messageId, 'channel'));
    expect(cardText(res.body.value)).toContain('Stopped watch 1: it will not run again.');
    expect(cardText(res.body.value)).toContain('1 active, page 1 of 1');
    await bot.connector.waitFor((c) => c.kind === 'update' && c.activityId === messageId && cardText(c.body).includes('Stopped watch 1'));

    const again = cardText((await ask('unwatch 1')).card);
    expect(again).toContain('Watch 1 was already stopped by Ada Analyst.');
    expect(cardText((await ask('unwatch 2')).card)).toContain('Stopped watch 2');
    expect(cardText((await ask('unwatch 9')).card)).toContain('There is no watch 9');
    expect(cardText((await ask('watches')).card)).toContain('None. Start one with: watch ‹hunt› every ‹interval›');

    await tick(2 * HOUR);
    expect(watchPosts()).toHaveLength(2);
    expect((await audit('unwatch')).map((e) => [e.outcome, (e.details as { watchId: number }).watchId, (e.details as { stopped?: boolean }).stopped])).toEqual([
      ['ok', 2, true],
      ['ok', 1, false],
      ['ok', 1, true],
    ]);
  });

  test('watches is paged; its page buttons answer with the next page', async () => {
    for (let i = 0; i < 11; i += 1) await ask(`watch kaseya ${i + 1}d every 1h`);
    const { card, messageId } = await ask('watches');
    expect(cardText(card)).toContain('11 active, page 1 of 2');
    const next = card.actions.find((a: any) => a.title === 'Next');
    expect(next).toMatchObject({ verb: VERBS.watchesPage, data: { page: 2 } });
    const res = await bot.post(execute(bot.connector.url, next.verb, next.data, messageId));
    expect(cardText(res.body.value)).toContain('11 active, page 2 of 2');
    expect(cardText(res.body.value)).toMatch(/11 · Kaseya, every 1 hour/);
    expect(JSON.stringify(res.body.value)).toContain('"data":{"watchId":11,"page":2}');
  });

  test('what watch refuses: no interval, too short, a bad hunt, a non-responder (audited)', async () => {
    const noInterval = cardText((await ask('watch kaseya 5d')).card);
    expect(noInterval).toContain('How often?');
    expect(noInterval).toContain('watch ‹tool› [window] [proc|net] [device ‹name›] [in ‹workspace›] every ‹interval›');
    expect(cardText((await ask('watch kaseya every 5m')).card)).toContain('A watch runs at most every 15 minutes.');
    expect(cardText((await ask('watch kaseya every 8d')).card)).toContain('A watch runs at least every 7 days.');
    expect(cardText((await ask('watch kaseya every soon')).card)).toContain("'soon' is not an interval");
    expect(cardText((await ask('watch todesk file every 1h')).card)).toContain('ToDesk has no file signature hunt');
    expect(cardText((await ask('watch kasea every 1h')).card)).toContain("I don't know the tool 'kasea'");
    const refused = cardText((await ask('watch kaseya every 1h', { from: BOB })).card);
    expect(refused).toContain("You can't create watches here");
    expect(await bot.store.listWatches()).toEqual([]);
    expect(await audit('watch')).toMatchObject([{ outcome: 'refused', actor: { name: 'Bob Builder' }, details: { hunt: 'kaseya 5d', intervalMs: HOUR } }]);
    expect(cardText((await ask('unwatch 1', { from: BOB })).card)).toContain("You can't stop watches here");
  });
});

describe('sanction', () => {
  test('sanction, sanctions and unsanction; hunt and check cards mark the devices of the sample\'s two Kaseya stories', async () => {
    const made = cardText((await ask('sanction kaseya instance https://VSA.contoso.com/ managedsupport.kaseya.net reason "Contoso IT\'s VSA"')).card);
    expect(made).toContain("Sanctioned Kaseya (managedsupport.kaseya.net, vsa.contoso.com): Contoso IT's VSA");
    const listed = cardText((await ask('sanctions')).card);
    expect(listed).toContain('Instances: managedsupport.kaseya.net, vsa.contoso.com');
    expect(listed).toContain("Contoso IT's VSA");
    expect(listed).toContain('by Ada Analyst');

    const { card } = await ask('hunt kaseya 5d');
    const marks = Object.fromEntries(KASEYA.map((device) => [device, cardText(rowOf(card, device).cells[0])]));
    expect(marks['ws-fin-014']).toContain('Unsanctioned instance: rmm-7731.kaseya.net');
    for (const device of ['it-adm-003', 'srv-mgmt-01', 'lt-hr-207']) {
      expect(marks[device]).toContain('Sanctioned');
      expect(marks[device]).not.toContain('Unsanctioned');
    }
    const check = cardText((await ask('check ws-fin-014 5d')).card);
    expect(check).toContain('Unsanctioned instance: rmm-7731.kaseya.net');
    expect(cardText((await ask('check it-adm-003 5d')).card)).toMatch(/Kaseya[\s\S]*Sanctioned/);

    await ask('sanction anydesk reason "IT support"');
    const anydesk = (await ask('hunt anydesk 5d')).card;
    for (const row of deviceRows(anydesk)) expect(cardText(row.cells[0])).toContain('Sanctioned');

    expect(cardText((await ask('unsanction kaseya')).card)).toContain('Kaseya is no longer sanctioned: its devices are reported again.');
    expect(cardText((await ask('hunt kaseya 5d')).card)).not.toMatch(/Sanctioned|Unsanctioned/);
    expect(cardText((await ask('unsanction kaseya')).card)).toContain('Kaseya is not sanctioned');
    expect((await audit('sanction')).map((e) => (e.details as { toolId: string }).toolId)).toEqual(['anydesk', 'kaseya']);
    expect(await audit('unsanction')).toMatchObject([{ outcome: 'ok', details: { toolId: 'kaseya', instances: 'managedsupport.kaseya.net vsa.contoso.com' } }]);
  });

  test('sanctions is paged; its page buttons answer with the next page', async () => {
    const tools = ['kaseya', 'anydesk', 'teamviewer', 'atera', 'splashtop', 'action1', 'dwservice', 'todesk', 'hoptodesk', 'sunlogin', 'absolute'];
    for (const tool of tools) await ask(`sanction ${tool} reason "ours"`);
    const { card, messageId } = await ask('sanctions');
    expect(cardText(card)).toContain('11 sanctioned, page 1 of 2.');
    const next = card.actions.find((a: any) => a.title === 'Next');
    expect(next).toMatchObject({ verb: VERBS.sanctionsPage, data: { page: 2 } });
    const res = await bot.post(execute(bot.connector.url, next.verb, next.data, messageId));
    const page2 = cardText(res.body.value);
    expect(page2).toContain('11 sanctioned, page 2 of 2.');
    expect(page2.match(/^Instances: any instance$/gm)).toHaveLength(1);
  });

  test('what sanction refuses: no reason, a bad instance, an unknown tool, instances of a tool without network evidence, a non-responder', async () => {
    expect(cardText((await ask('sanction kaseya')).card)).toContain('Why?');
    expect(cardText((await ask('sanction kaseya instance *.contoso.com reason "x"')).card)).toContain("'*.contoso.com' is not an instance");
    expect(cardText((await ask('sanction kaseya instance reason "x"')).card)).toContain('Which instance?');
    expect(cardText((await ask('sanction kasea reason "x"')).card)).toContain("I don't know the tool 'kasea'");
    expect(cardText((await ask('sanction aspia instance aspia.contoso.com reason "x"')).card)).toContain('Aspia cannot be sanctioned by instance');
    expect(cardText((await ask('sanctions')).card)).toContain('None: every RMM tool is reported.');
    const refused = cardText((await ask('sanction kaseya reason "ours"', { from: BOB })).card);
    expect(refused).toContain("You can't sanction tools here");
    expect(await bot.store.listSanctions('72f988bf-86f1-41af-91ab-2d7cd011db47')).toEqual([]);
    expect(await audit('sanction')).toMatchObject([{ outcome: 'refused', details: { toolId: 'kaseya', reason: 'ours' } }]);
  });
});
