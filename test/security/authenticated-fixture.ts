/**
 * The bot with an app registration, offline: a user-assigned managed identity (`MicrosoftAppType=
 * UserAssignedMSI`) whose outbound tokens come from a local fake of the App Service identity endpoint,
 * incoming tokens checked against a local fake of the Bot Framework's OpenID metadata, replies posted
 * to a fake Bot Connector, and a second loopback listener that stands for any other address: the bot
 * must never call it.
 */
import { createLocalBackend } from '../../src/backends/local';
import type { AccessConfig, BotAuth } from '../../src/config';
import type { Log } from '../../src/core/log';
import { parseWindow } from '../../src/hunt/window';
import { certificateEvent, eventFolder, type EventFolder } from '../support/event-files';
import { FakeBotFrameworkAuth, type Signing } from '../support/fake-bot-framework-auth';
import { FakeConnector } from '../support/fake-connector';
import { FakeManagedIdentity } from '../support/fake-msi';
import { startSecuredBot, type SecuredBot } from './secured-bot';

/** The bot's app id. */
export const APP_ID = '5b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
/** The tenant of the bot's app registration. */
export const BOT_TENANT = 'a0b1c2d3-e4f5-4607-8899-aabbccddeeff';
/** The data's clock. */
export const NOW = new Date('2026-11-29T12:00:00Z');

/** A running authenticated bot and its fakes. */
export interface AuthenticatedFixture {
  readonly bot: SecuredBot;
  readonly auth: FakeBotFrameworkAuth;
  /** The Bot Connector the bot may post to (its origin is the offline test connector URL). */
  readonly connector: FakeConnector;
  /** Any other address: it must see no call. */
  readonly forbidden: FakeConnector;
  readonly msi: FakeManagedIdentity;
  /** `Authorization` header of a genuine token for activities naming `serviceUrl`, or as `signing` says. */
  bearer(claims: object, signing?: Signing): Record<string, string>;
  /** Genuine claims for activities naming `serviceUrl` (default: the allowed connector). */
  claims(serviceUrl?: string): object;
  stop(): Promise<void>;
}

/** Starts the fakes and the bot. */
export async function startAuthenticatedFixture(options: { access?: AccessConfig; log?: Log } = {}): Promise<AuthenticatedFixture> {
  const events: EventFolder = eventFolder();
  events.write('DeviceFileCertificateInfo', [certificateEvent(NOW, 'ws-fin-014.contoso.com', 'Kaseya Holdings Inc.', 2)]);
  const auth = await FakeBotFrameworkAuth.start();
  const connector = await new FakeConnector().start();
  const forbidden = await new FakeConnector().start();
  const msi = await FakeManagedIdentity.start({ 'https://api.botframework.com': 'bot-connector-token' });
  const restoreEnvironment = msi.useInEnvironment();
  const identity: BotAuth = {
    mode: 'app',
    appId: APP_ID,
    appType: 'UserAssignedMSI',
    tenantId: BOT_TENANT,
    testEndpoints: { openIdMetadataUrl: auth.metadataUrl, connectorUrl: connector.url },
  };
  const bot = await startSecuredBot({
    bot: identity,
    backend: createLocalBackend({ dataDir: events.dir, now: () => NOW, maxWindow: parseWindow('30d')!, label: 'test data' }),
    now: () => NOW,
    ...(options.access ? { access: options.access } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return {
    bot,
    auth,
    connector,
    forbidden,
    msi,
    bearer: (claims, signing = 'trusted') => ({ authorization: `Bearer ${auth.token(claims, signing)}` }),
    claims: (serviceUrl = connector.url) => auth.claims(APP_ID, serviceUrl),
    async stop() {
      await bot.stop();
      restoreEnvironment();
      await Promise.all([auth.close(), connector.stop(), forbidden.stop(), msi.close()]);
      events.remove();
    },
  };
}
