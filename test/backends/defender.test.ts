/**
 * The `defender` backend end to end: the Azure SDK pipeline with the real `DefaultAzureCredential`
 * (App Service managed identity protocol, Graph scope) against local fakes of Microsoft Graph's
 * runHuntingQuery (HTTPS, test CA) and of the identity endpoint. Every fault becomes the right
 * BackendError (or a partial result) in bounded time.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { BackendError, type QueryResult } from '../../src/backends/backend';
import { createDefenderBackend, type DefenderBackendOptions } from '../../src/backends/defender';
import { parseWindow } from '../../src/hunt/window';
import { FakeGraph, type HuntingResult } from '../support/fake-graph';
import { FakeManagedIdentity } from '../support/fake-msi';
import { testCertificates, type TestCertificates } from '../support/tls';

const GRAPH_TOKEN = 'graph-token-51c9';
const KQL = [
  'DeviceFileCertificateInfo',
  '| where Timestamp between (ago(5d) .. now())',
  "| where Signer has 'Kaseya'",
  '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count() by DeviceId, DeviceName',
].join('\n');
const FIVE_DAYS = parseWindow('5d')!;
const PERMISSION = 'The bot\'s identity needs the Microsoft Graph application permission ThreatHunting.Read.All, with admin consent.';

const DEVICES: HuntingResult = {
  schema: [
    { name: 'DeviceId', type: 'String' },
    { name: 'DeviceName', type: 'String' },
    { name: 'FirstSeen', type: 'DateTime' },
    { name: 'LastSeen', type: 'DateTime' },
    { name: 'Report', type: 'Dynamic' },
    { name: 'Count', type: 'Int64' },
  ],
  results: [
    { DeviceId: 'dev-1', DeviceName: 'WS-FIN-014', FirstSeen: '2024-05-01T10:00:00.1234567Z', LastSeen: '2024-05-03T11:30:00Z', Report: [11, 12], Count: 2 },
    { DeviceId: 'dev-2', DeviceName: 'IT-ADM-02', FirstSeen: '2024-05-02T08:15:00Z', LastSeen: '2024-05-02T08:15:00Z', Report: '[21]', Count: 1 },
  ],
};

let certificates: TestCertificates;
let identity: FakeManagedIdentity;
let graph: FakeGraph;
let restoreEnvironment: () => void;
let credential: DefaultAzureCredential;

beforeAll(async () => {
  certificates = await testCertificates();
  identity = await FakeManagedIdentity.start({ 'https://graph.microsoft.com': GRAPH_TOKEN });
  restoreEnvironment = identity.useInEnvironment();
  credential = new DefaultAzureCredential();
  graph = await FakeGraph.start({ certificates, acceptedTokens: [GRAPH_TOKEN], answer: () => DEVICES });
});

afterAll(async () => {
  restoreEnvironment();
  await graph.close();
  await identity.close();
});

beforeEach(() => {
  graph.clearFaults();
  graph.requests.length = 0;
});

function backend(options: Partial<DefenderBackendOptions> = {}) {
  return createDefenderBackend({
    credential,
    baseUrl: graph.baseUrl,
    tlsOptions: { ca: certificates.caCert },
    deadlineMs: 8000,
    retry: { maxRetries: 2, retryDelayMs: 10, maxRetryDelayMs: 40, throttleBudgetMs: 5000 },
    ...options,
  });
}

async function failure(run: Promise<QueryResult>): Promise<BackendError> {
  const error: unknown = await run.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BackendError);
  return error as BackendError;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

describe('defender backend: answers', () => {
  it('runs the hunt and maps schema and results: Kusto type names, ISO datetimes, dynamic parsed', async () => {
    const result = await backend().run({ kql: KQL, window: FIVE_DAYS });

    expect(result.partial).toBeUndefined();
    expect(result.columns.map((column) => `${column.name}:${column.type}`)).toEqual([
      'DeviceId:string',
      'DeviceName:string',
      'FirstSeen:datetime',
      'LastSeen:datetime',
      'Report:dynamic',
      'Count:long',
    ]);
    expect(result.rows).toEqual([
      { DeviceId: 'dev-1', DeviceName: 'WS-FIN-014', FirstSeen: '2024-05-01T10:00:00.123Z', LastSeen: '2024-05-03T11:30:00.000Z', Report: [11, 12], Count: 2 },
      { DeviceId: 'dev-2', DeviceName: 'IT-ADM-02', FirstSeen: '2024-05-02T08:15:00.000Z', LastSeen: '2024-05-02T08:15:00.000Z', Report: [21], Count: 1 },
    ]);
  });

  it('sends { Query, Timespan } exactly, with the Graph token of the managed identity', async () => {
    await backend().run({ kql: KQL, window: parseWindow('12h')! });

    expect(graph.requests).toHaveLength(1);
    const [seen] = graph.requests;
    expect(seen?.query).toBe(KQL);
    expect(seen?.timespan).toBe('PT12H');
    expect(seen?.token).toBe(GRAPH_TOKEN);
    expect(seen?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(identity.requests.some((request) => request.resource === 'https://graph.microsoft.com')).toBe(true);
  });

  it('reads the schema written { Name, Type } as well', async () => {
    const pascal = await FakeGraph.start({ certificates, acceptedTokens: [GRAPH_TOKEN], answer: () => DEVICES, schemaCase: 'pascal' });
    try {
      const result = await backend({ baseUrl: pascal.baseUrl }).run({ kql: KQL, window: FIVE_DAYS });

      expect(result.columns.map((column) => column.name)).toEqual(['DeviceId', 'DeviceName', 'FirstSeen', 'LastSeen', 'Report', 'Count']);
      expect(result.rows[0]?.DeviceName).toBe('WS-FIN-014');
    } finally {
      await pascal.close();
    }
  });

  it('is the Timestamp dialect with a 30-day maximum, and refuses longer windows without calling Graph', async () => {
    const defender = backend();
    expect(defender.kind).toBe('defender');
    expect(defender.dialect).toBe('defender');
    expect(defender.maxWindow).toEqual(parseWindow('30d'));

    const error = await failure(defender.run({ kql: KQL, window: parseWindow('31d')! }));

    expect(error.failure).toBe('query');
    expect(error.message).toBe('Defender XDR keeps 30 days of data for advanced hunting; ask for a shorter window.');
    expect(graph.requests).toHaveLength(0);
  });

  it('reports a result at the row cap as partial', async () => {
    graph.failNext({ kind: 'partial', keepRows: 1, message: 'row cap' });

    const result = await backend({ rowLimit: 1 }).run({ kql: KQL, window: FIVE_DAYS });

    expect(result.rows.map((row) => row.DeviceName)).toEqual(['WS-FIN-014']);
    expect(result.partial?.message).toBe('Defender XDR returns at most 1 rows, so this result may be cut short.');
  });
});

describe('defender backend: throttling', () => {
  it('waits out a Retry-After that fits in the budget, then answers', async () => {
    graph.failNext({ kind: 'throttle', retryAfterSeconds: 1 });

    const { value, ms } = await timed(() => backend().run({ kql: KQL, window: FIVE_DAYS }));

    expect(value.rows).toHaveLength(2);
    expect(graph.requests).toHaveLength(2);
    expect(ms).toBeGreaterThanOrEqual(900);
  }, 15_000);

  it('does not wait out a Retry-After beyond the budget: throttled, retry in N s', async () => {
    graph.failAlways({ kind: 'throttle', retryAfterSeconds: 90 });

    const { value: error, ms } = await timed(() => failure(backend().run({ kql: KQL, window: FIVE_DAYS })));

    expect(error.failure).toBe('throttled');
    expect(error.message).toBe('Defender XDR is throttling queries (429); retry in 90 s.');
    expect(error.options.retryAfterMs).toBe(90_000);
    expect(graph.requests).toHaveLength(1);
    expect(ms).toBeLessThan(5000);
  });
});

describe('defender backend: service failures', () => {
  it('retries a 500 and answers', async () => {
    graph.failNext({ kind: 'status', status: 500 });

    const result = await backend().run({ kql: KQL, window: FIVE_DAYS });

    expect(result.rows).toHaveLength(2);
    expect(graph.requests).toHaveLength(2);
  });

  it.each([500, 503])('gives up on a lasting %d after bounded retries: unavailable', async (status) => {
    graph.failAlways({ kind: 'status', status });

    const { value: error, ms } = await timed(() => failure(backend().run({ kql: KQL, window: FIVE_DAYS })));

    const code = status === 500 ? 'InternalServerError' : 'ServiceUnavailable';
    expect(error.failure).toBe('unavailable');
    expect(error.message).toBe(`Defender XDR is unavailable (${status} ${code}) after 3 attempts; try again in a few minutes.`);
    expect(graph.requests).toHaveLength(3);
    expect(ms).toBeLessThan(5000);
  });

  it('gives up on a connection dropped every time: unavailable, bounded', async () => {
    graph.failAlways({ kind: 'reset' });

    const error = await failure(backend().run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('unavailable');
    expect(error.message).toBe('Defender XDR could not be reached (ECONNRESET) after 3 attempts; try again in a few minutes.');
    expect(graph.requests).toHaveLength(3);
  });

  it('reports a malformed answer as unavailable', async () => {
    graph.failNext({ kind: 'malformed' });

    const error = await failure(backend().run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('unavailable');
    expect(error.message).toBe('Defender XDR sent an answer that is not valid JSON; try again later.');
  });

  it("shows Graph's message for a query it cannot run", async () => {
    graph.failNext({ kind: 'queryError', message: "Query could not be parsed at 'Signr' on line [3,8]" });

    const error = await failure(backend().run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('query');
    expect(error.message).toBe("Defender XDR rejected the query: Query could not be parsed at 'Signr' on line [3,8]");
    expect(graph.requests).toHaveLength(1);
  });

  it('names the permission the identity needs on 401', async () => {
    graph.failNext({ kind: 'unauthorized' });

    const error = await failure(backend().run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('auth');
    expect(error.message).toBe(
      `Defender XDR did not accept the bot's credentials (401 InvalidAuthenticationToken: Access token has expired or is not yet valid.). ${PERMISSION}`,
    );
  });

  it('names the permission the identity needs on 403', async () => {
    graph.failNext({ kind: 'forbidden' });

    const error = await failure(backend().run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('auth');
    expect(error.message).toBe(
      `Defender XDR refused the query (403 Forbidden: Missing role permissions on the request. API requires one of 'ThreatHunting.Read.All'.). ${PERMISSION}`,
    );
    expect(graph.requests).toHaveLength(1);
  });

  it('reports a wrong base URL as not found', async () => {
    const error = await failure(backend({ baseUrl: `${graph.origin}/beta` }).run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('unavailable');
    expect(error.message).toContain(`Defender XDR was not found (404 UnknownError`);
    expect(error.message).toContain(`Check the Microsoft Graph base URL ${graph.origin}/beta.`);
  });
});

describe('defender backend: time limits and transport', () => {
  it('stops waiting at its own deadline and abandons the request', async () => {
    graph.failNext({ kind: 'slow', ms: 60_000 });

    const { value: error, ms } = await timed(() => failure(backend({ deadlineMs: 700 }).run({ kql: KQL, window: FIVE_DAYS })));

    expect(error.failure).toBe('timeout');
    expect(error.message).toBe('Defender XDR did not answer within 1 s, so the hunt was stopped. Narrow the window or try again later.');
    expect(ms).toBeLessThan(5000);
    await graph.waitUntil(() => graph.inFlight === 0);
    expect(graph.requests).toHaveLength(1);
  });

  it('reports a gateway timeout (504) without retrying', async () => {
    graph.failNext({ kind: 'status', status: 504 });

    const error = await failure(backend().run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('timeout');
    expect(error.message).toBe(
      'Defender XDR stopped the query at its time limit (504 GatewayTimeout: The service answered 504.). Narrow the window or the device and try again.',
    );
    expect(graph.requests).toHaveLength(1);
  });

  it('gives up at once when the caller cancels', async () => {
    graph.failNext({ kind: 'slow', ms: 60_000 });
    const controller = new AbortController();

    const run = backend().run({ kql: KQL, window: FIVE_DAYS, signal: controller.signal });
    await graph.waitUntil(() => graph.inFlight === 1);
    controller.abort();
    const error = await failure(run);

    expect(error.failure).toBe('timeout');
    expect(error.message).toBe('The hunt was cancelled before Defender XDR answered.');
    await graph.waitUntil(() => graph.inFlight === 0);
  });

  it('refuses a server whose certificate it does not trust (TLS verification stays on)', async () => {
    const error = await failure(createDefenderBackend({ credential, baseUrl: graph.baseUrl }).run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('unavailable');
    expect(error.message).toMatch(/^Defender XDR could not be reached securely \([A-Z_]+\): its TLS certificate is not trusted\.$/);
    expect(graph.requests).toHaveLength(0);
  });

  it('rejects a plain-http base URL at construction', () => {
    expect(() => backend({ baseUrl: 'http://127.0.0.1:1/v1.0' })).toThrow('must be https');
  });
});
