/**
 * The bot as production starts it (its own process, configured by environment variables only):
 * anonymous, it refuses to start on anything but loopback and binds nothing else; with an app
 * registration and the offline test endpoints (`HUNT_TEST_OPENID_METADATA_URL`,
 * `HUNT_TEST_CONNECTOR_URL`), it serves a genuine token and refuses a forged one or a forged
 * service URL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { cardOf, cardText } from '../support/bot-harness';
import { runBotProcess, startBotProcess, type BotProcess } from '../support/bot-process';
import { FakeBotFrameworkAuth } from '../support/fake-bot-framework-auth';
import { FakeConnector } from '../support/fake-connector';
import { FakeManagedIdentity } from '../support/fake-msi';
import { message, TENANT_ID } from '../support/teams-activities';
import { APP_ID, BOT_TENANT } from './authenticated-fixture';
import { listeningSockets } from './listening-sockets';

async function post(bot: BotProcess, activity: object, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${bot.origin}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
  await res.text();
  return res.status;
}

describe('anonymous mode is loopback only', () => {
  test.each(['0.0.0.0', '::', '192.168.1.10', 'bot.contoso.com', '127.0.0.1.attacker.invalid'])('HOST=%s without an app id: the configuration refuses it', (host) => {
    expect(() => loadConfig({ HOST: host })).toThrow(/only listens on loopback/);
  });

  test('HOST=0.0.0.0 without an app id: the process exits before listening', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-bind-'));
    try {
      const { code, output } = await runBotProcess({ HOST: '0.0.0.0', HUNT_STORE: `sqlite:${path.join(dir, 'huntops.db')}` });
      expect(code).toBe(1);
      expect(output).toMatch(/only listens on loopback/);
      expect(output).not.toMatch(/"listening"|"url":/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);

  test('started anonymous, the process listens on 127.0.0.1 and nowhere else', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-bind-'));
    const bot = await startBotProcess({ HUNT_STORE: `sqlite:${path.join(dir, 'huntops.db')}` });
    try {
      const port = Number(new URL(bot.origin).port);
      const sockets = listeningSockets(bot.child.pid!);
      expect(sockets).toContainEqual({ address: '127.0.0.1', port });
      expect(sockets.filter((s) => s.address !== '127.0.0.1')).toEqual([]);
    } finally {
      await bot.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});

describe('with an app registration, configured by environment variables only', () => {
  let dir: string;
  let auth: FakeBotFrameworkAuth;
  let connector: FakeConnector;
  let forbidden: FakeConnector;
  let msi: FakeManagedIdentity;
  let bot: BotProcess;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-app-'));
    auth = await FakeBotFrameworkAuth.start();
    connector = await new FakeConnector().start();
    forbidden = await new FakeConnector().start();
    msi = await FakeManagedIdentity.start({ 'https://api.botframework.com': 'bot-connector-token' });
    bot = await startBotProcess({
      MicrosoftAppId: APP_ID,
      MicrosoftAppType: 'UserAssignedMSI',
      MicrosoftAppTenantId: BOT_TENANT,
      HUNT_ALLOWED_TENANTS: TENANT_ID,
      HUNT_STORE: `sqlite:${path.join(dir, 'huntops.db')}`,
      HUNT_TEST_OPENID_METADATA_URL: auth.metadataUrl,
      HUNT_TEST_CONNECTOR_URL: connector.url,
      IDENTITY_ENDPOINT: msi.endpoint,
      IDENTITY_HEADER: msi.secret,
    });
  }, 40_000);

  afterAll(async () => {
    await bot?.stop();
    await Promise.all([auth.close(), connector.stop(), forbidden.stop(), msi.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  test('a genuine token is served; the reply reaches the connector', async () => {
    const status = await post(bot, message(connector.url, 'help'), { authorization: `Bearer ${auth.token(auth.claims(APP_ID, connector.url))}` });
    expect(status).toBe(200);
    const [reply] = await connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    expect(cardText(cardOf(reply!))).toContain('hunt ‹tool›');
  });

  test('no token, or a forged one: 401', async () => {
    expect(await post(bot, message(connector.url, 'help'))).toBe(401);
    expect(await post(bot, message(connector.url, 'help'), { authorization: `Bearer ${auth.token(auth.claims(APP_ID, connector.url), 'untrusted-key')}` })).toBe(401);
  });

  test('a genuine token naming another service URL: 401, and that address is never called', async () => {
    const status = await post(bot, message(forbidden.url, 'help'), { authorization: `Bearer ${auth.token(auth.claims(APP_ID, forbidden.url))}` });
    expect(status).toBe(401);
    expect(forbidden.calls).toEqual([]);
  });
});
