/**
 * The Graph fake and the managed identity fake fail closed, so that a client that strays from the
 * protocol fails its tests instead of passing them.
 */
import { FakeGraph } from '../support/fake-graph';
import { FakeManagedIdentity } from '../support/fake-msi';
import { httpsRequest } from '../support/https-request';
import { testCertificates, type TestCertificates } from '../support/tls';

const TOKEN = 'graph-token-closed';
const ROUTE = '/v1.0/security/runHuntingQuery';

let certificates: TestCertificates;
let graph: FakeGraph;

beforeAll(async () => {
  certificates = await testCertificates();
  graph = await FakeGraph.start({
    certificates,
    acceptedTokens: [TOKEN],
    answer: () => ({ schema: [{ name: 'DeviceName', type: 'String' }], results: [{ DeviceName: 'WS-1' }] }),
  });
});

afterAll(() => graph.close());

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return httpsRequest(`${graph.origin}${path}`, {
    ca: certificates.caCert,
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

it('answers a well-formed hunting query with the Graph shape', async () => {
  const answer = await post(ROUTE, { Query: 'DeviceInfo | take 1', Timespan: 'P1D' });

  expect(answer.status).toBe(200);
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(body.schema).toEqual([{ name: 'DeviceName', type: 'String' }]);
  expect(body.results).toEqual([{ DeviceName: 'WS-1' }]);
  expect(body['@odata.context']).toBe('https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults');
});

it.each([
  ['an unknown path', '/v1.0/security/runHuntingQueries', { Query: 'T' }, {}, 404, 'UnknownError'],
  ['no token', ROUTE, { Query: 'T' }, { authorization: '' }, 401, 'InvalidAuthenticationToken'],
  ['an unknown token', ROUTE, { Query: 'T' }, { authorization: 'Bearer forged' }, 401, 'InvalidAuthenticationToken'],
  ['lower-case parameters', ROUTE, { query: 'T' }, {}, 400, 'BadRequest'],
  ['a body that is not JSON', ROUTE, 'Query=T', {}, 400, 'BadRequest'],
  ['a Timespan that is not ISO 8601', ROUTE, { Query: 'T', Timespan: '30 days' }, {}, 400, 'BadRequest'],
])('refuses %s', async (_what, path, body, headers, status, code) => {
  const answer = await post(path, body, headers as Record<string, string>);

  expect(answer.status).toBe(status);
  expect((JSON.parse(answer.body) as { error?: { code?: unknown } }).error?.code).toBe(code);
});

describe('managed identity fake', () => {
  it('hands out the token of a resource only with the right secret and api-version', async () => {
    const identity = await FakeManagedIdentity.start({ 'https://graph.microsoft.com': TOKEN });
    try {
      const ask = async (query: string, secret: string | undefined) => {
        const response = await fetch(`${identity.endpoint}?${query}`, { headers: secret ? { 'X-IDENTITY-HEADER': secret } : {} });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };

      const granted = await ask('api-version=2019-08-01&resource=https://graph.microsoft.com', identity.secret);
      expect(granted.status).toBe(200);
      expect(granted.body.access_token).toBe(TOKEN);
      expect(granted.body.token_type).toBe('Bearer');
      expect(Number(granted.body.expires_on)).toBeGreaterThan(Date.now() / 1000);

      expect((await ask('api-version=2019-08-01&resource=https://graph.microsoft.com', 'wrong')).status).toBe(401);
      expect((await ask('api-version=2019-08-01&resource=https://graph.microsoft.com', undefined)).status).toBe(401);
      expect((await ask('api-version=2017-09-01&resource=https://graph.microsoft.com', identity.secret)).status).toBe(400);
      expect((await ask('api-version=2019-08-01&resource=https://api.loganalytics.io', identity.secret)).status).toBe(400);
    } finally {
      await identity.close();
    }
  });
});
