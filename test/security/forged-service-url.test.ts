/**
 * A forged activity or a tampered conversation reference cannot make the bot call an address other
 * than Teams' own (with an app registration) or loopback (anonymous). The forged address is always a
 * second loopback listener, named directly or as `0.0.0.0` / `[::ffff:127.0.0.1]` (which reach the
 * same listener), so that a call the guard let through would be seen there and nothing ever leaves
 * the machine. Each refusal is paired with the same call to the allowed connector, which succeeds.
 */
import type { ConversationReference } from 'botbuilder';
import { createLocalBackend } from '../../src/backends/local';
import { notice } from '../../src/core/views';
import { parseWindow } from '../../src/hunt/window';
import type { ClaimedOutboxItem } from '../../src/store/store';
import { PostFailure } from '../../src/core/outbox-worker';
import { ServiceUrlRefused } from '../../src/teams/service-url';
import { cardOf, cardText } from '../support/bot-harness';
import { certificateEvent, eventFolder, type EventFolder } from '../support/event-files';
import { FakeConnector } from '../support/fake-connector';
import { BOT, CHANNEL_ID, message, TENANT_ID } from '../support/teams-activities';
import { APP_ID, NOW, startAuthenticatedFixture, type AuthenticatedFixture } from './authenticated-fixture';
import { startSecuredBot, type SecuredBot } from './secured-bot';

/** The same listener, by names the policy does not take for loopback. */
function aliasesOf(url: string): string[] {
  const { port } = new URL(url);
  return [`http://0.0.0.0:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`];
}

function reference(serviceUrl: string): Partial<ConversationReference> {
  return {
    serviceUrl,
    channelId: 'msteams',
    bot: BOT,
    conversation: { id: 'a:1personal-chat-with-ada', conversationType: 'personal', tenantId: TENANT_ID, isGroup: false, name: '' },
  };
}

function outboxItem(serviceUrl: string): ClaimedOutboxItem {
  return {
    id: 'o1',
    kind: 'new-thread',
    team: TENANT_ID,
    status: 'pending',
    attempts: 1,
    nextAttemptAt: NOW,
    createdAt: NOW,
    target: { reference: reference(serviceUrl), channelId: CHANNEL_ID },
    payload: notice('Incident 1', 'forged'),
    lease: { id: 'o1', token: 'lease' },
  } as unknown as ClaimedOutboxItem;
}

describe('with an app registration: only Teams service URLs (and the offline test connector)', () => {
  let f: AuthenticatedFixture;

  beforeAll(async () => {
    f = await startAuthenticatedFixture();
  });

  afterAll(async () => {
    await f.stop();
  });

  beforeEach(() => {
    f.connector.calls.length = 0;
    f.forbidden.calls.length = 0;
  });

  afterEach(() => {
    expect(f.forbidden.calls).toEqual([]);
  });

  test('a genuine token and activity naming another address: 401, nothing runs, nobody is called', async () => {
    for (const serviceUrl of [() => f.forbidden.url, ...aliasesOf(f.forbidden.url).map((u) => () => u)]) {
      const url = serviceUrl();
      const res = await f.bot.post(message(url, 'hunt kaseya 5d'), f.bearer(f.claims(url)));
      expect({ url, status: res.status }).toEqual({ url, status: 401 });
    }
    expect(f.bot.backend.queries).toEqual([]);
    expect(f.connector.calls).toEqual([]);
  });

  test('a token for the connector on an activity naming another address: 401 (botbuilder checks the serviceurl claim)', async () => {
    const res = await f.bot.post(message(f.forbidden.url, 'hunt kaseya 5d'), f.bearer(f.claims(f.connector.url)));
    expect(res.status).toBe(401);
    expect(f.bot.backend.queries).toEqual([]);
  });

  test('the same genuine request naming the allowed connector is served (the contrast)', async () => {
    const res = await f.bot.post(message(f.connector.url, 'help'), f.bearer(f.claims()));
    expect(res.status).toBe(200);
    const [reply] = await f.connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    expect(cardText(cardOf(reply!))).toContain('hunt ‹tool›');
  });

  test('a proactive update of a stored reference naming another address is refused before any call', async () => {
    await expect(f.bot.updater.update(reference(f.forbidden.url), 'a1', notice('Interrupted', 'forged'))).rejects.toBeInstanceOf(ServiceUrlRefused);
    for (const alias of aliasesOf(f.forbidden.url)) {
      await expect(f.bot.updater.update(reference(alias), 'a1', notice('Interrupted', 'forged'))).rejects.toBeInstanceOf(ServiceUrlRefused);
    }
    await f.bot.updater.update(reference(f.connector.url), 'a1', notice('Interrupted', 'genuine'));
    expect(f.connector.calls.map((c) => `${c.kind} ${c.activityId}`)).toEqual(['update a1']);
  });

  test('an escalation whose stored incident channel names another address is not posted there', async () => {
    const failure = await f.bot.poster.post(outboxItem(f.forbidden.url)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PostFailure);
    expect((failure as Error).message).toMatch(/not one this bot may post to/);
    expect((failure as PostFailure).options.retryable).toBe(false);
    const posted = await f.bot.poster.post(outboxItem(f.connector.url));
    expect(posted.activityId).toMatch(/^a\d+$/);
    expect(f.connector.calls.map((c) => c.kind)).toEqual(['createConversation']);
  });

  test('a new conversation on another address is refused by the adapter itself', async () => {
    const create = (serviceUrl: string) =>
      f.bot.adapter.createConversationAsync(APP_ID, 'msteams', serviceUrl, 'https://api.botframework.com', { isGroup: false, bot: BOT, members: [], activity: {} as never, tenantId: TENANT_ID, channelData: {} }, async () => {});
    await expect(create(f.forbidden.url)).rejects.toBeInstanceOf(ServiceUrlRefused);
    await create(f.connector.url);
    expect(f.connector.calls.map((c) => c.kind)).toEqual(['createConversation']);
  });
});

describe('anonymous: loopback service URLs only', () => {
  let events: EventFolder;
  let bot: SecuredBot;
  let connector: FakeConnector;
  let forbidden: FakeConnector;

  beforeAll(async () => {
    events = eventFolder();
    events.write('DeviceFileCertificateInfo', [certificateEvent(NOW, 'ws-fin-014.contoso.com', 'Kaseya Holdings Inc.', 2)]);
    connector = await new FakeConnector().start();
    forbidden = await new FakeConnector().start();
    bot = await startSecuredBot({
      bot: { mode: 'anonymous' },
      backend: createLocalBackend({ dataDir: events.dir, now: () => NOW, maxWindow: parseWindow('30d')!, label: 'test data' }),
      now: () => NOW,
    });
  });

  afterAll(async () => {
    await bot.stop();
    await Promise.all([connector.stop(), forbidden.stop()]);
    events.remove();
  });

  afterEach(() => {
    expect(forbidden.calls).toEqual([]);
  });

  test('an activity naming a service URL that is not loopback: 401, nothing runs, nobody is called', async () => {
    for (const url of aliasesOf(forbidden.url)) {
      const res = await bot.post(message(url, 'hunt kaseya 5d'));
      expect({ url, status: res.status }).toEqual({ url, status: 401 });
    }
    const missing = { ...message(connector.url, 'hunt kaseya 5d'), serviceUrl: undefined };
    expect((await bot.post(missing)).status).toBe(401);
    expect(bot.backend.queries).toEqual([]);
    expect(connector.calls).toEqual([]);
  });

  test('a loopback service URL is served (the contrast)', async () => {
    const res = await bot.post(message(connector.url, 'help'));
    expect(res.status).toBe(200);
    await connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
  });

  test('a proactive update naming a service URL that is not loopback is refused before any call', async () => {
    for (const alias of aliasesOf(forbidden.url)) {
      await expect(bot.updater.update(reference(alias), 'a1', notice('Interrupted', 'forged'))).rejects.toBeInstanceOf(ServiceUrlRefused);
    }
  });
});
