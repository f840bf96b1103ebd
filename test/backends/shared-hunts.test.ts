/**
 * Sharing and limits (issue 4): identical hunts share one backend query, and a backend runs at most
 * N queries at once with a queue that says so. Observed where it matters, at the local fakes of the
 * services, with the real backends (real SDK clients, real DefaultAzureCredential through the
 * managed identity fake) behind the decorators.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { BackendError, type Backend, type QueryResult, type QueuedInfo } from '../../src/backends/backend';
import { ConcurrencyLimiter, limitConcurrency } from '../../src/backends/concurrency-limit-decorator';
import { createDefenderBackend } from '../../src/backends/defender';
import { createLogAnalyticsBackend } from '../../src/backends/log-analytics';
import { shareIdenticalHunts } from '../../src/backends/shared-hunts-decorator';
import { parseWindow } from '../../src/hunt/window';
import { FakeGraph } from '../support/fake-graph';
import { FakeLogAnalytics } from '../support/fake-log-analytics';
import { FakeManagedIdentity } from '../support/fake-msi';
import { testCertificates, type TestCertificates } from '../support/tls';

const WORKSPACE = '0b9e5c5a-3c1d-4f6e-9a11-6d1f2e3a4b5c';
const LA_TOKEN = 'la-token-shared';
const GRAPH_TOKEN = 'graph-token-shared';
const FIVE_DAYS = parseWindow('5d')!;
const KQL = "DeviceFileCertificateInfo | where Signer has 'Kaseya' | summarize Count=count() by DeviceName";

let certificates: TestCertificates;
let identity: FakeManagedIdentity;
let service: FakeLogAnalytics;
let graph: FakeGraph;
let restoreEnvironment: () => void;
let credential: DefaultAzureCredential;

beforeAll(async () => {
  certificates = await testCertificates();
  identity = await FakeManagedIdentity.start({ 'https://api.loganalytics.io': LA_TOKEN, 'https://graph.microsoft.com': GRAPH_TOKEN });
  restoreEnvironment = identity.useInEnvironment();
  credential = new DefaultAzureCredential();
  service = await FakeLogAnalytics.start({
    certificates,
    workspaces: [WORKSPACE],
    acceptedTokens: [LA_TOKEN],
    answer: (query) => ({
      columns: [
        { name: 'DeviceName', type: 'string' },
        { name: 'Query', type: 'string' },
      ],
      rows: [['WS-FIN-014', query]],
    }),
  });
  graph = await FakeGraph.start({
    certificates,
    acceptedTokens: [GRAPH_TOKEN],
    answer: () => ({ schema: [{ name: 'DeviceName', type: 'String' }], results: [{ DeviceName: 'WS-FIN-014' }] }),
  });
});

afterAll(async () => {
  restoreEnvironment();
  await service.close();
  await graph.close();
  await identity.close();
});

beforeEach(() => {
  service.releaseAnswers();
  service.clearFaults();
  service.requests.length = 0;
  service.maxInFlight = 0;
  graph.requests.length = 0;
});

function logAnalytics(): Backend {
  return createLogAnalyticsBackend({
    workspaceId: WORKSPACE,
    alias: 'emea',
    credential,
    endpoint: service.endpoint,
    tlsOptions: { ca: certificates.caCert },
    deadlineMs: 10_000,
    retry: { maxRetries: 1, retryDelayMs: 10 },
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

describe('identical hunts share one backend query', () => {
  it('sends one query for three analysts asking the same at once, and all get the answer', async () => {
    const backend = shareIdenticalHunts(logAnalytics());
    service.holdAnswers();

    const asks = [1, 2, 3].map(() => backend.run({ kql: KQL, window: FIVE_DAYS }));
    await service.waitUntil(() => service.requests.length === 1);
    service.releaseAnswers();
    const results = await Promise.all(asks);

    expect(service.requests).toHaveLength(1);
    for (const result of results) expect(result.rows).toEqual([{ DeviceName: 'WS-FIN-014', Query: KQL }]);
  });

  it('hands a complete answer to identical hunts within the share window, and asks again after it', async () => {
    let now = 1_000;
    const backend = shareIdenticalHunts(logAnalytics(), { shareWindowMs: 60_000, now: () => now });

    await backend.run({ kql: KQL, window: FIVE_DAYS });
    now += 59_000;
    const again = await backend.run({ kql: KQL, window: FIVE_DAYS });
    expect(service.requests).toHaveLength(1);
    expect(again.rows).toHaveLength(1);

    now += 2_000;
    await backend.run({ kql: KQL, window: FIVE_DAYS });
    expect(service.requests).toHaveLength(2);
  });

  it('hands a shared answer to its askers one per turn of the event loop, other work in between', async () => {
    const backend = shareIdenticalHunts(logAnalytics());
    service.holdAnswers();
    const order: string[] = [];
    const asks = [1, 2, 3, 4].map((n) => backend.run({ kql: KQL, window: FIVE_DAYS }).then(() => order.push(`hunt ${n}`)));
    await service.waitUntil(() => service.requests.length === 1);
    let turning = true;
    const turn = (): void => {
      order.push('turn');
      if (turning) setImmediate(turn);
    };
    setImmediate(turn);
    service.releaseAnswers();
    await Promise.all(asks);
    turning = false;

    const hunts = order.flatMap((entry, at) => (entry.startsWith('hunt') ? [at] : []));
    expect(order.filter((entry) => entry.startsWith('hunt'))).toEqual(['hunt 1', 'hunt 2', 'hunt 3', 'hunt 4']);
    for (let i = 1; i < hunts.length; i++) expect(order.slice(hunts[i - 1]! + 1, hunts[i]!)).toContain('turn');
  });

  it('does not share hunts that differ in query or window', async () => {
    const backend = shareIdenticalHunts(logAnalytics());

    await Promise.all([
      backend.run({ kql: KQL, window: FIVE_DAYS }),
      backend.run({ kql: `${KQL} | take 5`, window: FIVE_DAYS }),
      backend.run({ kql: KQL, window: parseWindow('6d')! }),
    ]);

    expect(service.requests.map((request) => `${request.timespan} ${request.query}`).sort()).toEqual(
      [`P5D ${KQL}`, `P5D ${KQL} | take 5`, `P6D ${KQL}`].sort(),
    );
  });

  it('gives every asker the same failure, and does not keep it', async () => {
    const backend = shareIdenticalHunts(logAnalytics());
    service.failNext({ kind: 'forbidden' });
    service.holdAnswers();

    const asks = [backend.run({ kql: KQL, window: FIVE_DAYS }), backend.run({ kql: KQL, window: FIVE_DAYS })];
    await service.waitUntil(() => service.requests.length === 1);
    service.releaseAnswers();
    const errors = await Promise.all(asks.map(failure));

    expect(errors.map((error) => error.failure)).toEqual(['auth', 'auth']);
    expect(errors[0]?.message).toBe(errors[1]?.message);
    expect(service.requests).toHaveLength(1);

    const retried = await backend.run({ kql: KQL, window: FIVE_DAYS });
    expect(retried.rows).toHaveLength(1);
    expect(service.requests).toHaveLength(2);
  });

  it('does not keep a partial answer for later askers', async () => {
    const backend = shareIdenticalHunts(logAnalytics());
    service.failNext({ kind: 'partial', keepRows: 0, message: 'Query result set has exceeded the internal record count limit' });

    const partial = await backend.run({ kql: KQL, window: FIVE_DAYS });
    const full = await backend.run({ kql: KQL, window: FIVE_DAYS });

    expect(partial.partial).toBeDefined();
    expect(full.partial).toBeUndefined();
    expect(service.requests).toHaveLength(2);
  });

  it('keeps the shared query running for the others when one asker gives up', async () => {
    const backend = shareIdenticalHunts(logAnalytics());
    service.holdAnswers();
    const leaving = new AbortController();

    const staying = backend.run({ kql: KQL, window: FIVE_DAYS });
    const left = backend.run({ kql: KQL, window: FIVE_DAYS, signal: leaving.signal });
    await service.waitUntil(() => service.requests.length === 1);
    leaving.abort();
    const error = await failure(left);
    service.releaseAnswers();

    expect(error.failure).toBe('timeout');
    expect(error.message).toBe('The hunt was cancelled before Log Analytics workspace emea answered.');
    expect((await staying).rows).toHaveLength(1);
    expect(service.requests).toHaveLength(1);
  });

  it('cancels the backend query when every asker has given up', async () => {
    const backend = shareIdenticalHunts(logAnalytics());
    service.holdAnswers();
    const controller = new AbortController();

    const ask = backend.run({ kql: KQL, window: FIVE_DAYS, signal: controller.signal });
    await service.waitUntil(() => service.inFlight === 1);
    controller.abort();
    await failure(ask);

    await service.waitUntil(() => service.inFlight === 0);
    service.releaseAnswers();
    const fresh = await backend.run({ kql: KQL, window: FIVE_DAYS });
    expect(fresh.rows).toHaveLength(1);
    expect(service.requests).toHaveLength(2);
  });

  it('shares identical Defender hunts too (counted at the Graph fake)', async () => {
    const backend = shareIdenticalHunts(
      createDefenderBackend({ credential, baseUrl: graph.baseUrl, tlsOptions: { ca: certificates.caCert }, deadlineMs: 10_000 }),
    );
    graph.holdAnswers();

    const asks = [1, 2, 3, 4].map(() => backend.run({ kql: KQL, window: FIVE_DAYS }));
    await graph.waitUntil(() => graph.requests.length === 1);
    graph.releaseAnswers();
    const results = await Promise.all(asks);

    expect(graph.requests).toHaveLength(1);
    expect(results.map((result) => result.rows[0]?.DeviceName)).toEqual(['WS-FIN-014', 'WS-FIN-014', 'WS-FIN-014', 'WS-FIN-014']);
  });
});

describe('concurrent queries per backend are capped', () => {
  it('runs at most 5 queries at once against Log Analytics and tells the others they are queued', async () => {
    const backend = limitConcurrency(logAnalytics());
    const queued: Array<{ hunt: number; queue: QueuedInfo }> = [];
    service.holdAnswers();

    const hunts = [1, 2, 3, 4, 5, 6, 7, 8].map((hunt) =>
      backend.run({ kql: `${KQL} | extend Hunt=${hunt}`, window: FIVE_DAYS, onQueued: (queue) => queued.push({ hunt, queue }) }),
    );
    await service.waitUntil(() => service.inFlight === 5);
    expect(queued).toEqual([
      { hunt: 6, queue: { ahead: 0, limit: 5 } },
      { hunt: 7, queue: { ahead: 1, limit: 5 } },
      { hunt: 8, queue: { ahead: 2, limit: 5 } },
    ]);
    expect(service.requests).toHaveLength(5);
    service.releaseAnswers();
    const results = await Promise.all(hunts);

    expect(results).toHaveLength(8);
    expect(service.requests).toHaveLength(8);
    expect(service.maxInFlight).toBe(5);
  });

  it('refuses a hunt as throttled when the queue is full', async () => {
    const backend = limitConcurrency(logAnalytics(), { maxConcurrent: 1, maxQueued: 1 });
    service.holdAnswers();

    const running = backend.run({ kql: `${KQL} | take 1`, window: FIVE_DAYS });
    const waiting = backend.run({ kql: `${KQL} | take 2`, window: FIVE_DAYS });
    const refused = await failure(backend.run({ kql: `${KQL} | take 3`, window: FIVE_DAYS }));
    service.releaseAnswers();
    await Promise.all([running, waiting]);

    expect(refused.failure).toBe('throttled');
    expect(refused.message).toBe('1 hunts are already waiting for Log Analytics workspace emea; retry in 60 s.');
    expect(refused.options.retryAfterMs).toBe(60_000);
    expect(service.requests).toHaveLength(2);
  });

  it('lets a queued hunt give up without ever reaching the service', async () => {
    const backend = limitConcurrency(logAnalytics(), { maxConcurrent: 1 });
    service.holdAnswers();
    const controller = new AbortController();

    const running = backend.run({ kql: `${KQL} | take 1`, window: FIVE_DAYS });
    const queued = backend.run({ kql: `${KQL} | take 2`, window: FIVE_DAYS, signal: controller.signal });
    await service.waitUntil(() => service.inFlight === 1);
    controller.abort();
    const error = await failure(queued);
    service.releaseAnswers();
    await running;
    const next = await backend.run({ kql: `${KQL} | take 3`, window: FIVE_DAYS });

    expect(error.failure).toBe('timeout');
    expect(next.rows).toHaveLength(1);
    expect(service.requests.map((request) => request.query)).toEqual([`${KQL} | take 1`, `${KQL} | take 3`]);
  });

  it('composes: shared hunts take one slot, and everyone sharing a queued hunt hears it is queued', async () => {
    const backend = shareIdenticalHunts(limitConcurrency(logAnalytics(), { maxConcurrent: 1 }));
    const heard: string[] = [];
    service.holdAnswers();

    const first = backend.run({ kql: `${KQL} | take 1`, window: FIVE_DAYS });
    const asks = ['alice', 'bob'].map((analyst) =>
      backend.run({ kql: KQL, window: FIVE_DAYS, onQueued: (queue) => heard.push(`${analyst}:${queue.ahead}`) }),
    );
    await service.waitUntil(() => service.requests.length === 1);
    expect(heard).toEqual(['alice:0', 'bob:0']);
    service.releaseAnswers();
    await Promise.all([first, ...asks]);

    expect(service.requests.map((request) => request.query)).toEqual([`${KQL} | take 1`, KQL]);
    expect(service.maxInFlight).toBe(1);
  });
});

describe('one limiter for several workspaces of one identity', () => {
  it('caps the queries of every workspace backend it wraps together', async () => {
    const other = await FakeLogAnalytics.start({
      certificates,
      workspaces: ['7d2c1b0a-9e8f-4a6b-8c7d-1e2f3a4b5c6d'],
      acceptedTokens: [LA_TOKEN],
      answer: () => ({ columns: [{ name: 'DeviceName', type: 'string' }], rows: [['SRV-APAC-1']] }),
    });
    try {
      const limiter = new ConcurrencyLimiter({ maxConcurrent: 2 });
      const emea = limiter.wrap(logAnalytics());
      const apac = limiter.wrap(
        createLogAnalyticsBackend({
          workspaceId: '7d2c1b0a-9e8f-4a6b-8c7d-1e2f3a4b5c6d',
          alias: 'apac',
          credential,
          endpoint: other.endpoint,
          tlsOptions: { ca: certificates.caCert },
          deadlineMs: 10_000,
        }),
      );
      const queued: string[] = [];
      service.holdAnswers();
      other.holdAnswers();

      const hunts = [emea, apac, emea, apac].map((backend, index) =>
        backend.run({ kql: `${KQL} | extend Hunt=${index}`, window: FIVE_DAYS, onQueued: () => queued.push(backend.source) }),
      );
      await service.waitUntil(() => service.inFlight === 1);
      await other.waitUntil(() => other.inFlight === 1);
      expect(queued).toEqual(['Log Analytics workspace emea', 'Log Analytics workspace apac']);
      service.releaseAnswers();
      other.releaseAnswers();
      await Promise.all(hunts);

      expect(service.requests).toHaveLength(2);
      expect(other.requests).toHaveLength(2);
    } finally {
      await other.close();
    }
  });
});
