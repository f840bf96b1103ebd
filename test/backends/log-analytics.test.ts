/**
 * The `loganalytics` backend end to end: the real `LogsQueryClient` and the real
 * `DefaultAzureCredential` (through the App Service managed identity protocol) against local fakes of
 * the Log Analytics query API (HTTPS, test CA) and of the identity endpoint. Every fault the service
 * can answer with becomes the right BackendError (or a partial result) in bounded time.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { BackendError, type QueryResult } from '../../src/backends/backend';
import { createLogAnalyticsBackend, type LogAnalyticsBackendOptions } from '../../src/backends/log-analytics';
import { parseWindow } from '../../src/hunt/window';
import { FakeLogAnalytics, type LogAnalyticsTable } from '../support/fake-log-analytics';
import { FakeManagedIdentity } from '../support/fake-msi';
import { testCertificates, type TestCertificates } from '../support/tls';

const WORKSPACE = '0b9e5c5a-3c1d-4f6e-9a11-6d1f2e3a4b5c';
const OTHER_WORKSPACE = '7d2c1b0a-9e8f-4a6b-8c7d-1e2f3a4b5c6d';
const LA_TOKEN = 'la-token-7f3e';
const KQL = [
  'DeviceFileCertificateInfo',
  '| where TimeGenerated between (ago(5d) .. now())',
  "| where Signer has 'Kaseya'",
  '| summarize FirstSeen=min(TimeGenerated), LastSeen=max(TimeGenerated), Report=make_set(ReportId), Count=count() by DeviceId, DeviceName',
].join('\n');
const FIVE_DAYS = parseWindow('5d')!;

const DEVICES: LogAnalyticsTable = {
  columns: [
    { name: 'DeviceId', type: 'string' },
    { name: 'DeviceName', type: 'string' },
    { name: 'FirstSeen', type: 'datetime' },
    { name: 'LastSeen', type: 'datetime' },
    { name: 'Report', type: 'dynamic' },
    { name: 'Count', type: 'long' },
  ],
  rows: [
    ['dev-1', 'WS-FIN-014', '2024-05-01T10:00:00Z', '2024-05-03T11:30:00.25Z', '["r-11","r-12"]', 2],
    ['dev-2', 'IT-ADM-02', '2024-05-02T08:15:00Z', '2024-05-02T08:15:00Z', '["r-21"]', 1],
    ['dev-3', 'SRV-MGMT-1', '2024-05-02T09:00:00Z', '2024-05-04T09:00:00Z', '["r-31","r-32","r-33"]', 3],
  ],
};

let certificates: TestCertificates;
let identity: FakeManagedIdentity;
let service: FakeLogAnalytics;
let restoreEnvironment: () => void;
let credential: DefaultAzureCredential;

beforeAll(async () => {
  certificates = await testCertificates();
  identity = await FakeManagedIdentity.start({ 'https://api.loganalytics.io': LA_TOKEN });
  restoreEnvironment = identity.useInEnvironment();
  credential = new DefaultAzureCredential();
  service = await FakeLogAnalytics.start({
    certificates,
    workspaces: [WORKSPACE, OTHER_WORKSPACE],
    acceptedTokens: [LA_TOKEN],
    answer: () => DEVICES,
  });
});

afterAll(async () => {
  restoreEnvironment();
  await service.close();
  await identity.close();
});

beforeEach(() => {
  service.clearFaults();
  service.requests.length = 0;
});

function backend(options: Partial<LogAnalyticsBackendOptions> = {}) {
  return createLogAnalyticsBackend({
    workspaceId: WORKSPACE,
    credential,
    endpoint: service.endpoint,
    tlsOptions: { ca: certificates.caCert },
    serverTimeoutSeconds: 30,
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

describe('loganalytics backend: answers', () => {
  it('runs the hunt through LogsQueryClient and maps rows: datetimes as ISO text, dynamic parsed', async () => {
    const result = await backend({ serverTimeoutSeconds: 45 }).run({ kql: KQL, window: FIVE_DAYS });

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
      {
        DeviceId: 'dev-1',
        DeviceName: 'WS-FIN-014',
        FirstSeen: '2024-05-01T10:00:00.000Z',
        LastSeen: '2024-05-03T11:30:00.250Z',
        Report: ['r-11', 'r-12'],
        Count: 2,
      },
      {
        DeviceId: 'dev-2',
        DeviceName: 'IT-ADM-02',
        FirstSeen: '2024-05-02T08:15:00.000Z',
        LastSeen: '2024-05-02T08:15:00.000Z',
        Report: ['r-21'],
        Count: 1,
      },
      {
        DeviceId: 'dev-3',
        DeviceName: 'SRV-MGMT-1',
        FirstSeen: '2024-05-02T09:00:00.000Z',
        LastSeen: '2024-05-04T09:00:00.000Z',
        Report: ['r-31', 'r-32', 'r-33'],
        Count: 3,
      },
    ]);
  });

  it('sends the query text exactly, the window as ISO timespan, Prefer: wait and the managed identity token', async () => {
    await backend({ serverTimeoutSeconds: 45 }).run({ kql: KQL, window: parseWindow('36h')! });

    expect(service.requests).toHaveLength(1);
    const [seen] = service.requests;
    expect(seen?.workspaceId).toBe(WORKSPACE);
    expect(seen?.query).toBe(KQL);
    expect(seen?.timespan).toBe('P1DT12H');
    expect(seen?.prefer).toBe('wait=45');
    expect(seen?.token).toBe(LA_TOKEN);
    expect(identity.requests.some((request) => request.resource === 'https://api.loganalytics.io' && request.apiVersion === '2019-08-01')).toBe(true);
  });

  it('names the workspace it used, by alias, one backend per workspace', async () => {
    const emea = backend({ alias: 'emea' });
    const apac = backend({ alias: 'apac', workspaceId: OTHER_WORKSPACE });

    await emea.run({ kql: KQL, window: FIVE_DAYS });
    await apac.run({ kql: KQL, window: FIVE_DAYS });

    expect(emea.source).toBe('Log Analytics workspace emea');
    expect(apac.source).toBe('Log Analytics workspace apac');
    expect(service.requests.map((request) => request.workspaceId)).toEqual([WORKSPACE, OTHER_WORKSPACE]);
    expect(emea.kind).toBe('loganalytics');
    expect(emea.dialect).toBe('loganalytics');
  });

  it('refuses a window longer than its maximum (90 days by default) without calling the service', async () => {
    const log = backend();
    expect(log.maxWindow).toEqual(parseWindow('90d'));

    const error = await failure(log.run({ kql: KQL, window: parseWindow('91d')! }));

    expect(error.failure).toBe('query');
    expect(error.message).toBe('Log Analytics workspace 0b9e5c5a-3c1d-4f6e-9a11-6d1f2e3a4b5c answers hunts over at most 90 days; ask for a shorter window.');
    expect(service.requests).toHaveLength(0);
  });

  it('keeps the rows of a PartialFailure and says why the result is partial', async () => {
    service.failNext({ kind: 'partial', keepRows: 2, message: 'Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE)' });

    const result = await backend({ alias: 'emea' }).run({ kql: KQL, window: FIVE_DAYS });

    expect(result.rows.map((row) => row.DeviceName)).toEqual(['WS-FIN-014', 'IT-ADM-02']);
    expect(result.partial?.message).toBe(
      'Log Analytics workspace emea returned only part of the result: There were some errors when processing your query: Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE)',
    );
  });
});

describe('loganalytics backend: throttling', () => {
  it('waits out a Retry-After that fits in the budget, then answers', async () => {
    service.failNext({ kind: 'throttle', retryAfterSeconds: 1 });

    const { value, ms } = await timed(() => backend().run({ kql: KQL, window: FIVE_DAYS }));

    expect(value.rows).toHaveLength(3);
    expect(service.requests).toHaveLength(2);
    expect(ms).toBeGreaterThanOrEqual(900);
  }, 15_000);

  it('does not wait out a Retry-After beyond the budget: throttled, retry in N s', async () => {
    service.failNext({ kind: 'throttle', retryAfterSeconds: 120 });

    const { value: error, ms } = await timed(() => failure(backend({ alias: 'emea' }).run({ kql: KQL, window: FIVE_DAYS })));

    expect(error.failure).toBe('throttled');
    expect(error.message).toBe('Log Analytics workspace emea is throttling queries (429); retry in 120 s.');
    expect(error.options.retryAfterMs).toBe(120_000);
    expect(service.requests).toHaveLength(1);
    expect(ms).toBeLessThan(5000);
  });

  it('stops honouring Retry-After once the budget is spent', async () => {
    service.failAlways({ kind: 'throttle', retryAfterSeconds: 1 });

    const { value: error, ms } = await timed(() =>
      failure(backend({ retry: { maxRetries: 5, retryDelayMs: 10, throttleBudgetMs: 1000 } }).run({ kql: KQL, window: FIVE_DAYS })),
    );

    expect(error.failure).toBe('throttled');
    expect(error.options.retryAfterMs).toBe(1000);
    expect(service.requests).toHaveLength(2);
    expect(ms).toBeLessThan(8000);
  }, 15_000);
});

describe('loganalytics backend: service failures', () => {
  it('retries a 503 and answers', async () => {
    service.failNext({ kind: 'status', status: 503 });

    const result = await backend().run({ kql: KQL, window: FIVE_DAYS });

    expect(result.rows).toHaveLength(3);
    expect(service.requests).toHaveLength(2);
  });

  it.each([500, 503])('gives up on a lasting %d after bounded retries: unavailable', async (status) => {
    service.failAlways({ kind: 'status', status });

    const { value: error, ms } = await timed(() => failure(backend({ alias: 'emea' }).run({ kql: KQL, window: FIVE_DAYS })));

    expect(error.failure).toBe('unavailable');
    const code = status === 500 ? 'InternalServerError' : 'ServiceUnavailable';
    expect(error.message).toBe(`Log Analytics workspace emea is unavailable (${status} ${code}) after 3 attempts; try again in a few minutes.`);
    expect(service.requests).toHaveLength(3);
    expect(ms).toBeLessThan(5000);
  });

  it('gives up on a connection dropped every time: unavailable, bounded', async () => {
    service.failAlways({ kind: 'reset' });

    const error = await failure(backend({ alias: 'emea' }).run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('unavailable');
    expect(error.message).toBe('Log Analytics workspace emea could not be reached (ECONNRESET) after 3 attempts; try again in a few minutes.');
    expect(service.requests).toHaveLength(3);
  });

  it('reports a malformed answer as unavailable', async () => {
    service.failNext({ kind: 'malformed' });

    const error = await failure(backend({ alias: 'emea' }).run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('unavailable');
    expect(error.message).toBe('Log Analytics workspace emea sent an answer that is not valid JSON; try again later.');
  });

  it("shows the service's message for a query it cannot run", async () => {
    service.failNext({ kind: 'queryError', message: "Query could not be parsed at 'Signr' on line [3,8]" });

    const error = await failure(backend({ alias: 'emea' }).run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('query');
    expect(error.message).toBe(
      "Log Analytics workspace emea rejected the query: The request had some invalid properties: Query could not be parsed at 'Signr' on line [3,8]",
    );
    expect(service.requests).toHaveLength(1);
  });

  it('names the role the identity needs on 401', async () => {
    service.failNext({ kind: 'unauthorized' });

    const error = await failure(backend({ alias: 'emea' }).run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('auth');
    expect(error.message).toBe(
      `Log Analytics workspace emea did not accept the bot's credentials (401 InvalidAuthenticationToken: The access token is invalid.). The bot's identity needs the Log Analytics Reader role on workspace ${WORKSPACE}.`,
    );
  });

  it('names the role the identity needs on 403', async () => {
    service.failNext({ kind: 'forbidden' });

    const error = await failure(backend({ alias: 'emea' }).run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('auth');
    expect(error.message).toBe(
      `Log Analytics workspace emea refused the query (403 InsufficientAccessError: The provided credentials have insufficient access to perform the requested operation). The bot's identity needs the Log Analytics Reader role on workspace ${WORKSPACE}.`,
    );
    expect(service.requests).toHaveLength(1);
  });

  it('says which workspace id to check when the service does not know it', async () => {
    const unknown = '11111111-2222-3333-4444-555555555555';

    const error = await failure(backend({ workspaceId: unknown }).run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('unavailable');
    expect(error.message).toContain(`Log Analytics workspace ${unknown} was not found (404 WorkspaceNotFoundError`);
    expect(error.message).toContain(`Check the workspace id ${unknown}`);
  });
});

describe('loganalytics backend: time limits', () => {
  it('stops waiting at its own deadline and abandons the request', async () => {
    service.failNext({ kind: 'slow', ms: 60_000 });

    const { value: error, ms } = await timed(() => failure(backend({ alias: 'emea', deadlineMs: 700 }).run({ kql: KQL, window: FIVE_DAYS })));

    expect(error.failure).toBe('timeout');
    expect(error.message).toBe('Log Analytics workspace emea did not answer within 1 s, so the hunt was stopped. Narrow the window or try again later.');
    expect(ms).toBeLessThan(5000);
    await service.waitUntil(() => service.inFlight === 0);
    expect(service.requests).toHaveLength(1);
  });

  it('reports the server-side time limit (Prefer: wait, answered 504) without retrying', async () => {
    service.failNext({ kind: 'slow', ms: 60_000 });

    const error = await failure(backend({ alias: 'emea', serverTimeoutSeconds: 1 }).run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('timeout');
    expect(error.message).toBe(
      'Log Analytics workspace emea stopped the query at its time limit (504 GatewayTimeout: The query did not complete within 1 seconds.). Narrow the window or the device and try again.',
    );
    expect(service.requests).toHaveLength(1);
    expect(service.requests[0]?.prefer).toBe('wait=1');
  }, 15_000);

  it('gives up at once when the caller cancels', async () => {
    service.failNext({ kind: 'slow', ms: 60_000 });
    const controller = new AbortController();

    const run = backend({ alias: 'emea' }).run({ kql: KQL, window: FIVE_DAYS, signal: controller.signal });
    await service.waitUntil(() => service.inFlight === 1);
    controller.abort();
    const error = await failure(run);

    expect(error.failure).toBe('timeout');
    expect(error.message).toBe('The hunt was cancelled before Log Analytics workspace emea answered.');
    await service.waitUntil(() => service.inFlight === 0);
  });
});

describe('loganalytics backend: identity and transport', () => {
  it('refuses a server whose certificate it does not trust (TLS verification stays on)', async () => {
    const error = await failure(createLogAnalyticsBackend({ workspaceId: WORKSPACE, credential, endpoint: service.endpoint, alias: 'emea' }).run({ kql: KQL, window: FIVE_DAYS }));

    expect(error.failure).toBe('unavailable');
    expect(error.message).toMatch(/^Log Analytics workspace emea could not be reached securely \([A-Z_]+\): its TLS certificate is not trusted\.$/);
    expect(service.requests).toHaveLength(0);
  });

  it('rejects a plain-http endpoint and an out-of-range server timeout at construction', () => {
    expect(() => backend({ endpoint: 'http://127.0.0.1:1/v1' })).toThrow('must be https');
    expect(() => backend({ serverTimeoutSeconds: 601 })).toThrow('1-600 seconds');
  });
});
