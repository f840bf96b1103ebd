/**
 * Whole turns over HTTP: Teams-shaped activities POSTed to the real bot server, its replies and
 * in-place updates captured by a fake Bot Connector on loopback (the activities' serviceUrl).
 */
import { createLocalBackend } from '../../src/backends/local';
import { VERBS } from '../../src/core/verbs';
import { parseWindow } from '../../src/hunt/window';
import { startBot, cardOf, cardText, type BotHarness } from '../support/bot-harness';
import { certificateEvent, eventFolder, type EventFolder } from '../support/event-files';
import { execute, message } from '../support/teams-activities';

const NOW = new Date('2026-11-29T12:00:00Z');

describe('turns over HTTP', () => {
  let events: EventFolder;
  let bot: BotHarness;

  beforeAll(async () => {
    events = eventFolder();
    events.write('DeviceFileCertificateInfo', [
      certificateEvent(NOW, 'ws-fin-014.contoso.com', 'Kaseya Holdings Inc.', 2),
      certificateEvent(NOW, 'ws-fin-014.contoso.com', 'Kaseya Holdings Inc.', 30),
      certificateEvent(NOW, 'it-adm-003.contoso.com', 'Kaseya Corporation', 50),
      certificateEvent(NOW, 'ws-hr-207.contoso.com', 'KaseyaTools Ltd', 3),
      certificateEvent(NOW, 'ws-old-001.contoso.com', 'Kaseya Holdings Inc.', 24 * 6),
      certificateEvent(NOW, 'ws-dev-020.contoso.com', 'Microsoft Corporation', 1),
      ...Array.from({ length: 23 }, (_, i) => certificateEvent(NOW, `lt-sales-${String(i).padStart(3, '0')}.contoso.com`, 'TeamViewer Germany GmbH', i + 1)),
    ]);
    bot = await startBot({ backend: createLocalBackend({ dataDir: events.dir, now: () => NOW, maxWindow: parseWindow('30d')!, label: 'test data' }), now: () => NOW });
  });

  afterAll(async () => {
    await bot.stop();
    events.remove();
  });

  beforeEach(() => {
    bot.connector.calls.length = 0;
  });

  test('personal chat: hunt kaseya 5d → a progress card, then the same message updated with the devices', async () => {
    const res = await bot.post(message(bot.connector.url, 'hunt kaseya 5d'));
    expect(res.status).toBe(200);
    const [progress] = await bot.connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    expect(progress!.conversationId).toBe('a:1personal-chat-with-ada');
    expect(cardText(cardOf(progress!))).toContain('Hunting Kaseya over the last 5 days…');
    const [update] = await bot.connector.waitFor((c) => c.kind === 'update');
    expect(update!.conversationId).toBe('a:1personal-chat-with-ada');
    expect(update!.activityId).toBe(progress!.responseId);
    const text = cardText(cardOf(update!));
    expect(text).toContain('Kaseya: 2 devices');
    expect(text).toContain('ws-fin-014.contoso.com');
    expect(text).toContain('it-adm-003.contoso.com');
    expect(text).not.toContain('ws-hr-207');
    expect(text).not.toContain('ws-old-001');
    expect(text).toContain('test data');
    expect(bot.connector.calls.filter((c) => c.status !== 200)).toEqual([]);
  });

  test('the update replaces exactly the progress message', async () => {
    await bot.post(message(bot.connector.url, 'hunt kaseya 5d'));
    const [update] = await bot.connector.waitFor((c) => c.kind === 'update');
    const progress = bot.connector.calls.find((c) => c.kind === 'send' || c.kind === 'reply')!;
    expect(progress.responseId).toMatch(/^a\d+$/);
    expect(update!.activityId).toBe(progress.responseId);
    expect(update!.body.id).toBe(progress.responseId);
    expect(bot.connector.calls.filter((c) => c.kind === 'update')).toHaveLength(1);
  });

  test('a channel thread with an @mention: answered in the thread', async () => {
    const activity = message(bot.connector.url, 'hunt KASEYA 2d', 'channel');
    await bot.post(activity);
    const [progress] = await bot.connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    expect(progress!.conversationId).toBe(activity.conversation.id);
    expect(progress!.conversationId).toMatch(/;messageid=/);
    const [update] = await bot.connector.waitFor((c) => c.kind === 'update');
    expect(update!.conversationId).toBe(activity.conversation.id);
    expect(cardText(cardOf(update!))).toContain('Kaseya: 1 device');
  });

  test('group chat with an @mention and a device filter', async () => {
    await bot.post(message(bot.connector.url, 'hunt kaseya 5d device IT-ADM-003', 'groupChat'));
    const [update] = await bot.connector.waitFor((c) => c.kind === 'update');
    const text = cardText(cardOf(update!));
    expect(text).toContain('Kaseya: 1 device');
    expect(text).toContain('it-adm-003.contoso.com');
    expect(text).not.toContain('ws-fin-014');
  });

  test('no devices: its own card', async () => {
    await bot.post(message(bot.connector.url, 'hunt anydesk 5d'));
    const [update] = await bot.connector.waitFor((c) => c.kind === 'update');
    expect(cardText(cardOf(update!))).toContain('AnyDesk: no devices');
  });

  test.each(([
    ['hunt', /What should I hunt for/],
    ['hunt kasea', /I don't know the tool 'kasea'/],
    ['hunt kaseya 5x', /'5x' is not a time window/],
    ['hunt kaseya 90d', /longer than test data can answer/],
    ['hunt kaseya device', /Which device/],
    ["hunt kaseya device a'b", /is not a device name/],
    ['hunt kaseya | take 1', /I didn't understand/],
    ['hunt kaseya reason "unclosed', /A quote is not closed/],
    ['hnut kaseya', /I don't know the command 'hnut'.*Did you mean hunt/s],
    ['DROP TABLE devices;', /I don't know the command 'DROP'/],
    ['x'.repeat(100_000), /too long/],
  ] as Array<[string, RegExp]>).map(([text, expected]) => [String(text).slice(0, 40), text as string, expected as RegExp] as const))('%s… gets a clear answer, never silence', async (_, text, expected) => {
    const res = await bot.post(message(bot.connector.url, text));
    expect(res.status).toBe(200);
    const [answer] = await bot.connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    expect(cardText(cardOf(answer!))).toMatch(expected);
    expect(bot.connector.calls.filter((c) => c.kind === 'update')).toEqual([]);
  });

  test('help and an empty mention both list the commands, generated from the command table', async () => {
    await bot.post(message(bot.connector.url, 'help'));
    await bot.post(message(bot.connector.url, '', 'channel'));
    const answers = await bot.connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply', 2);
    for (const answer of answers) {
      const text = cardText(cardOf(answer));
      expect(text).toContain('hunt ‹tool› [window] [proc|net] [device ‹name›] [in ‹workspace›]');
      expect(text).toContain('check ‹device› [window] [in ‹workspace›]');
      expect(text).toContain('tools [filter] [page]');
      expect(text).toContain('watch ‹tool› [window] [proc|net] [device ‹name›] [in ‹workspace›] every ‹interval›');
      expect(text).toContain('sanction ‹tool› [instance ‹domain›…] reason "‹why›"');
      expect(text).toContain('help');
    }
  });

  test('tools is paged; Next answers the invoke with the next page', async () => {
    await bot.post(message(bot.connector.url, 'tools'));
    const [first] = await bot.connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    const card = cardOf(first!);
    expect(cardText(card)).toContain('page 1 of');
    const next = card.actions.find((a: any) => a.title === 'Next');
    const res = await bot.post(execute(bot.connector.url, next.verb, next.data, first!.responseId!));
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(res.body.value)).toContain('page 2 of');
  });

  test('long results are paged; Next and Previous move through them', async () => {
    await bot.post(message(bot.connector.url, 'hunt teamviewer 5d'));
    const [update] = await bot.connector.waitFor((c) => c.kind === 'update');
    const card = cardOf(update!);
    expect(cardText(card)).toContain('TeamViewer: 23 devices');
    expect(cardText(card)).toContain('Page 1 of 3');
    const next = card.actions.find((a: any) => a.title === 'Next');
    const page2 = await bot.post(execute(bot.connector.url, next.verb, next.data, update!.activityId!));
    expect(cardText(page2.body.value)).toContain('Page 2 of 3');
    const last = await bot.post(execute(bot.connector.url, VERBS.huntPage, { ...next.data, page: 3 }, update!.activityId!));
    const lastText = cardText(last.body.value);
    expect(lastText).toContain('Page 3 of 3');
    expect(last.body.value.actions.map((a: any) => a.title)).toEqual(['Previous']);
    expect((lastText.match(/lt-sales-/g) ?? []).length).toBe(3);
  });

  test.each([
    ['unknown verb', 'delete', { huntId: 'AAAAAAAAAAAA', row: '0' }],
    ['unknown hunt', VERBS.exclude, { huntId: 'AAAAAAAAAAAA', row: '0' }],
    ['injected fields', VERBS.exclude, { huntId: 'AAAAAAAAAAAA', row: '0', deviceName: 'dc01' }],
    ['wrong types', VERBS.huntPage, { huntId: 42, page: '1; drop' }],
    ['no data', VERBS.exclude, undefined],
    ['a string', VERBS.exclude, 'x'],
    ['prototype pollution', VERBS.toolsPage, JSON.parse('{"__proto__": {"page": 2}}')],
  ])('forged action data (%s) is refused with a card, not an error', async (_, verb, data) => {
    const res = await bot.post(execute(bot.connector.url, verb, data, 'x'));
    expect(res.status).toBe(200);
    expect(cardText(res.body.value)).toMatch(/did not work|no longer available|not part of this hunt/);
  });

  test('a forged row key of a real hunt is refused', async () => {
    await bot.post(message(bot.connector.url, 'hunt kaseya 5d'));
    const [update] = await bot.connector.waitFor((c) => c.kind === 'update');
    const huntId = JSON.stringify(cardOf(update!)).match(/"huntId":"([^"]+)"/)![1];
    const res = await bot.post(execute(bot.connector.url, VERBS.escalate, { huntId, row: '99' }, update!.activityId!));
    expect(cardText(res.body.value)).toContain('That device is not part of this hunt');
  });

  test('an invoke that is not Action.Execute is a 400, not a crash', async () => {
    const activity = execute(bot.connector.url, VERBS.exclude, {}, 'x');
    const res = await bot.post({ ...activity, value: { action: { type: 'Action.Submit' } } });
    expect(res.status).toBe(400);
    const res2 = await bot.post({ ...activity, value: null });
    expect(res2.status).toBe(400);
  });

  test('a failed backend gets its own card', async () => {
    const empty = eventFolder();
    const failing = await startBot({ backend: createLocalBackend({ dataDir: empty.dir, now: () => NOW, maxWindow: parseWindow('30d')! }) });
    try {
      await failing.post(message(failing.connector.url, 'hunt kaseya 5d'));
      const [update] = await failing.connector.waitFor((c) => c.kind === 'update');
      const text = cardText(cardOf(update!));
      expect(text).toContain('Kaseya: the hunt failed');
      expect(text).toContain('DeviceFileCertificateInfo');
    } finally {
      await failing.stop();
      empty.remove();
    }
  });
});
