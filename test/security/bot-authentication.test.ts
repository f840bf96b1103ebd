/**
 * Who may talk to the bot, over HTTP, with an app registration (`MicrosoftAppId` set): botbuilder
 * validates each request's Bot Framework token against the OpenID metadata of a local fake (the
 * offline test endpoint), and replies go out with a managed identity token from a local fake of the
 * App Service identity endpoint. A genuine token is served; every forged, expired, misdirected or
 * malformed one is refused with 401 and the command never runs: no query reaches the backend, nothing
 * is audited, and no connector is called.
 */
import { cardOf, cardText } from '../support/bot-harness';
import { BOT_FRAMEWORK_ISSUER } from '../support/fake-bot-framework-auth';
import { recordingLog } from '../support/recording-log';
import { message } from '../support/teams-activities';
import { APP_ID, startAuthenticatedFixture, type AuthenticatedFixture } from './authenticated-fixture';
import { startSecuredBot, type SecuredBot } from './secured-bot';

describe('with an app registration, only genuine Bot Framework requests are served', () => {
  let f: AuthenticatedFixture;

  beforeAll(async () => {
    f = await startAuthenticatedFixture();
  });

  afterAll(async () => {
    await f.stop();
  });

  test('a genuine token: 200, the hunt runs and its card is posted with a managed identity token', async () => {
    const activity = message(f.connector.url, 'hunt kaseya 5d');
    const res = await f.bot.post(activity, f.bearer(f.claims()));
    expect(res.status).toBe(200);
    const [progress] = await f.connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    expect(cardText(cardOf(progress!))).toContain('Hunting Kaseya over the last 5 days');
    const [update] = await f.connector.waitFor((c) => c.kind === 'update');
    expect(update!.activityId).toBe(progress!.responseId);
    expect(f.bot.backend.queries).toHaveLength(1);
    expect(f.auth.requests).toEqual(['/v1/.well-known/openidconfiguration', '/v1/.well-known/keys']);
    expect(f.msi.requests.map((r) => r.resource)).toContain('https://api.botframework.com');
    await f.bot.inFlight.drain(10_000);
  });

  describe('refused with 401, and the command never runs', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: ReadonlyArray<[string, () => Record<string, string>, (activity: ReturnType<typeof message>) => void]> = [
      ['no Authorization header', () => ({}), () => {}],
      ['an empty Bearer', () => ({ authorization: 'Bearer ' }), () => {}],
      ['Basic credentials', () => ({ authorization: `Basic ${Buffer.from(`${APP_ID}:secret`).toString('base64')}` }), () => {}],
      ['a bearer that is not a JWT', () => ({ authorization: 'Bearer not-a-token' }), () => {}],
      ['three garbage segments', () => ({ authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJ9.c2ln' }), () => {}],
      ['a genuine token with its signature cut short', () => ({ authorization: `Bearer ${f.auth.token(f.claims()).slice(0, -10)}` }), () => {}],
      ['a genuine token with the scheme in lower case', () => ({ authorization: `bearer ${f.auth.token(f.claims())}` }), () => {}],
      ['signed by a key the metadata does not publish (same kid)', () => f.bearer(f.claims(), 'untrusted-key'), () => {}],
      ['signed under a key id the metadata does not list', () => f.bearer(f.claims(), 'unknown-kid'), () => {}],
      ['unsigned (alg none)', () => f.bearer(f.claims(), 'unsigned'), () => {}],
      ['HS256 with the public key as the secret', () => f.bearer(f.claims(), 'hmac-with-public-key'), () => {}],
      ['expired ten minutes ago (beyond the five minutes of clock skew allowed)', () => f.bearer({ ...f.claims(), nbf: now() - 3600, exp: now() - 600 }), () => {}],
      ['not valid for another ten minutes', () => f.bearer({ ...f.claims(), nbf: now() + 600 }), () => {}],
      ['for another bot (wrong audience)', () => f.bearer({ ...f.claims(), aud: '11111111-2222-4333-8444-555555555555' }), () => {}],
      ['without an audience', () => f.bearer({ iss: BOT_FRAMEWORK_ISSUER, serviceurl: f.connector.url, nbf: now() - 60, exp: now() + 3600 }), () => {}],
      ['from another issuer', () => f.bearer({ ...f.claims(), iss: 'https://login.botframework.com' }), () => {}],
      ['from an issuer that only starts like the Bot Framework', () => f.bearer({ ...f.claims(), iss: `${BOT_FRAMEWORK_ISSUER}.attacker.invalid` }), () => {}],
      ['for another service URL than the activity names', () => f.bearer({ ...f.claims(), serviceurl: 'https://smba.trafficmanager.net/amer/' }), () => {}],
      [
        'genuine, on an activity from a channel the signing key does not endorse',
        () => f.bearer(f.claims()),
        (activity) => {
          (activity as { channelId: string }).channelId = 'webchat';
        },
      ],
    ];

    test.each(cases)('%s', async (_name, headers, tamper) => {
      const queriesBefore = f.bot.backend.queries.length;
      const auditBefore = (await f.bot.store.listAudit({ limit: 1000 })).length;
      f.connector.calls.length = 0;
      const activity = message(f.connector.url, 'hunt kaseya 5d');
      tamper(activity);
      const res = await f.bot.post(activity, headers());
      expect(res.status).toBe(401);
      expect(f.bot.inFlight.size).toBe(0);
      expect(f.bot.backend.queries).toHaveLength(queriesBefore);
      expect(await f.bot.store.listAudit({ limit: 1000 })).toHaveLength(auditBefore);
      expect(f.connector.calls).toEqual([]);
    });
  });

  test('after all the refusals, a genuine token is still served (the refusals were not an outage)', async () => {
    f.connector.calls.length = 0;
    const res = await f.bot.post(message(f.connector.url, 'help'), f.bearer(f.claims()));
    expect(res.status).toBe(200);
    const [reply] = await f.connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    expect(cardText(cardOf(reply!))).toContain('hunt ‹tool›');
  });
});

describe('a client-secret (MultiTenant) registration refuses the same way', () => {
  let f: AuthenticatedFixture;
  let bot: SecuredBot;

  beforeAll(async () => {
    f = await startAuthenticatedFixture();
    bot = await startSecuredBot({
      bot: { mode: 'app', appId: APP_ID, appType: 'MultiTenant', password: 'not-a-real-secret', testEndpoints: { openIdMetadataUrl: f.auth.metadataUrl, connectorUrl: f.connector.url } },
      backend: f.bot.backend,
    });
  });

  afterAll(async () => {
    await bot.stop();
    await f.stop();
  });

  test.each([
    ['no token', () => ({})],
    ['signed by a key the metadata does not publish', () => f.bearer(f.claims(), 'untrusted-key')],
    ['for another bot', () => f.bearer({ ...f.claims(), aud: '11111111-2222-4333-8444-555555555555' })],
    ['expired', () => f.bearer({ ...f.claims(), nbf: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 600 })],
  ])('%s: 401, nothing runs', async (_name, headers) => {
    const res = await bot.post(message(f.connector.url, 'hunt kaseya 5d'), headers());
    expect(res.status).toBe(401);
    expect(bot.backend.queries).toEqual([]);
    expect(f.connector.calls).toEqual([]);
  });
});

describe('when the Bot Framework signing keys cannot be fetched, the channel is told to retry', () => {
  const log = recordingLog();
  let f: AuthenticatedFixture;

  beforeAll(async () => {
    f = await startAuthenticatedFixture({ log });
  });

  afterAll(async () => {
    await f.stop();
  });

  async function expectNothingRan(): Promise<void> {
    expect(f.bot.inFlight.size).toBe(0);
    expect(f.bot.backend.queries).toEqual([]);
    expect(await f.bot.store.listAudit({ limit: 1000 })).toEqual([]);
    expect(f.connector.calls).toEqual([]);
  }

  test.each([
    ['the keys endpoint answers 503', { endpoint: 'keys', status: 503 } as const, /Failed to load Keys: 503/],
    ['the OpenID metadata endpoint answers 500', { endpoint: 'metadata', status: 500 } as const, /Failed to load openID config: 500/],
    ['the key service resets every connection', { reset: true } as const, /socket hang up|ECONNRESET/],
  ])('%s: a genuine token is answered 503, the failure is logged, nothing runs', async (_name, outage, reason) => {
    f.auth.outage = outage;
    log.lines.length = 0;
    const res = await f.bot.post(message(f.connector.url, 'hunt kaseya 5d'), f.bearer(f.claims()));
    expect(res.status).toBe(503);
    expect(res.text).toContain('signing keys could not be fetched');
    await expectNothingRan();
    expect(log.lines).toEqual([
      { level: 'error', fields: { reason: expect.stringMatching(reason) }, message: expect.stringContaining('could not fetch the Bot Framework signing keys') },
    ]);
  });

  test.each([
    ['no Authorization header', () => ({})],
    ['a bearer that is not a JWT', () => ({ authorization: 'Bearer not-a-token' })],
    ['a token from another issuer', () => f.bearer({ ...f.claims(), iss: 'https://login.botframework.com' })],
  ])('during the outage, %s is still refused with 401', async (_name, headers) => {
    f.auth.outage = { endpoint: 'keys', status: 503 };
    const res = await f.bot.post(message(f.connector.url, 'hunt kaseya 5d'), headers());
    expect(res.status).toBe(401);
    await expectNothingRan();
  });

  test('once the key service is back, the same genuine token is served, and a forged one is refused with 401', async () => {
    f.auth.outage = undefined;
    const forged = await f.bot.post(message(f.connector.url, 'hunt kaseya 5d'), f.bearer(f.claims(), 'untrusted-key'));
    expect(forged.status).toBe(401);
    await expectNothingRan();
    const res = await f.bot.post(message(f.connector.url, 'help'), f.bearer(f.claims()));
    expect(res.status).toBe(200);
    const [reply] = await f.connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    expect(cardText(cardOf(reply!))).toContain('hunt ‹tool›');
  });
});
