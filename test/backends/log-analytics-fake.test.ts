/**
 * The Log Analytics fake fails closed, so that a client that strays from the service's protocol
 * fails its tests instead of passing them.
 */
import { FakeLogAnalytics } from '../support/fake-log-analytics';
import { httpsRequest } from '../support/https-request';
import { testCertificates, type TestCertificates } from '../support/tls';

const WORKSPACE = '0b9e5c5a-3c1d-4f6e-9a11-6d1f2e3a4b5c';
const TOKEN = 'la-token-closed';

let certificates: TestCertificates;
let service: FakeLogAnalytics;

beforeAll(async () => {
  certificates = await testCertificates();
  service = await FakeLogAnalytics.start({
    certificates,
    workspaces: [WORKSPACE],
    acceptedTokens: [TOKEN],
    answer: () => ({ columns: [{ name: 'N', type: 'long' }], rows: [[1]] }),
  });
});

afterAll(() => service.close());

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return httpsRequest(`${service.origin}${path}`, {
    ca: certificates.caCert,
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function errorCode(body: string): unknown {
  return (JSON.parse(body) as { error?: { code?: unknown } }).error?.code;
}

it('answers a well-formed query with the service shape', async () => {
  const answer = await post(`/v1/workspaces/${WORKSPACE}/query`, { query: 'T | count', timespan: 'P1D' });

  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.body)).toEqual({ tables: [{ name: 'PrimaryResult', columns: [{ name: 'N', type: 'long' }], rows: [[1]] }] });
});

it.each([
  ['an unknown path', '/v1/workspaces/x/search', { query: 'T' }, {}, 404, 'PathNotFoundError'],
  ['no token', `/v1/workspaces/${WORKSPACE}/query`, { query: 'T' }, { authorization: '' }, 401, 'AuthenticationFailed'],
  ['an unknown token', `/v1/workspaces/${WORKSPACE}/query`, { query: 'T' }, { authorization: 'Bearer forged' }, 401, 'AuthenticationFailed'],
  ['an unexpected body property', `/v1/workspaces/${WORKSPACE}/query`, { query: 'T', Query: 'T' }, {}, 400, 'BadArgumentError'],
  ['a body that is not JSON', `/v1/workspaces/${WORKSPACE}/query`, 'query=T', {}, 400, 'BadArgumentError'],
  ['a missing query', `/v1/workspaces/${WORKSPACE}/query`, { timespan: 'P1D' }, {}, 400, 'BadArgumentError'],
  ['a timespan that is not ISO 8601', `/v1/workspaces/${WORKSPACE}/query`, { query: 'T', timespan: '5d' }, {}, 400, 'BadArgumentError'],
  ['a wrong content type', `/v1/workspaces/${WORKSPACE}/query`, { query: 'T' }, { 'content-type': 'text/plain' }, 400, 'BadArgumentError'],
  ['an unknown workspace', '/v1/workspaces/11111111-2222-3333-4444-555555555555/query', { query: 'T' }, {}, 404, 'WorkspaceNotFoundError'],
])('refuses %s', async (_what, path, body, headers, status, code) => {
  const answer = await post(path, body, headers as Record<string, string>);

  expect(answer.status).toBe(status);
  expect(errorCode(answer.body)).toBe(code);
});

it('refuses other methods on the query route', async () => {
  const answer = await httpsRequest(`${service.origin}/v1/workspaces/${WORKSPACE}/query`, { ca: certificates.caCert });
  expect(answer.status).toBe(405);
});
