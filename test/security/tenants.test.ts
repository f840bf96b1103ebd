/**
 * Only allowed tenants are served, at the HTTP level with genuine Bot Framework tokens: a user of
 * another tenant (or of none) gets a refusal card, the refusal is audited, and no hunt reaches the
 * backend; a user of the allowed tenant is served.
 */
import { cardOf, cardText } from '../support/bot-harness';
import { message, TENANT_ID } from '../support/teams-activities';
import { startAuthenticatedFixture, type AuthenticatedFixture } from './authenticated-fixture';

const OTHER_TENANT = '0f0e0d0c-0b0a-4909-8807-060504030201';

function fromTenant(serviceUrl: string, tenantId: string | undefined) {
  const activity = message(serviceUrl, 'hunt kaseya 5d');
  const { tenantId: _omitted, ...conversation } = activity.conversation;
  return {
    ...activity,
    conversation: tenantId === undefined ? conversation : { ...conversation, tenantId },
    channelData: tenantId === undefined ? {} : { tenant: { id: tenantId } },
  };
}

describe('allowed tenants over HTTP', () => {
  let f: AuthenticatedFixture;

  beforeAll(async () => {
    f = await startAuthenticatedFixture({ access: { allowedTenants: [TENANT_ID], responders: '*' } });
  });

  afterAll(async () => {
    await f.stop();
  });

  beforeEach(() => {
    f.connector.calls.length = 0;
  });

  test.each([
    ['another tenant', OTHER_TENANT],
    ['no tenant at all', undefined],
  ])('%s: a refusal card, audited, and no hunt', async (_name, tenantId) => {
    const queriesBefore = f.bot.backend.queries.length;
    const res = await f.bot.post(fromTenant(f.connector.url, tenantId), f.bearer(f.claims()));
    expect(res.status).toBe(200);
    const [reply] = await f.connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    expect(cardText(cardOf(reply!))).toContain('HuntOps is not enabled for your organisation');
    await f.bot.inFlight.drain(10_000);
    expect(f.connector.calls.map((c) => c.kind)).toEqual([reply!.kind]);
    expect(f.bot.backend.queries).toHaveLength(queriesBefore);
    const [latest] = await f.bot.store.listAudit({ limit: 1 });
    expect(latest).toMatchObject({ action: 'use', outcome: 'refused' });
  });

  test('the allowed tenant is served: the hunt runs', async () => {
    const res = await f.bot.post(fromTenant(f.connector.url, TENANT_ID), f.bearer(f.claims()));
    expect(res.status).toBe(200);
    const [progress] = await f.connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    expect(cardText(cardOf(progress!))).not.toContain('not enabled');
    await f.connector.waitFor((c) => c.kind === 'update');
    expect(f.bot.backend.queries).toHaveLength(1);
  });
});
