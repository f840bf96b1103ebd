/**
 * Priorities under one concurrency cap (issue 13): watches query in the background and never make
 * an analyst's hunt wait behind them — they hold at most part of the slots, and a free slot goes to
 * a waiting analyst first. Observed at the Log Analytics fake, with the real backend (real SDK
 * client, real DefaultAzureCredential through the managed identity fake) behind the limiter.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { BackendError, type Backend, type QueryResult, type QueuedInfo } from '../../src/backends/backend';
import { ConcurrencyLimiter } from '../../src/backends/concurrency-limit-decorator';
import { createLogAnalyticsBackend } from '../../src/backends/log-analytics';
import { parseWindow } from '../../src/hunt/window';
import { FakeLogAnalytics } from '../support/fake-log-analytics';
import { FakeManagedIdentity } from '../support/fake-msi';
import { testCertificates, type TestCertificates } from '../support/tls';

const WORKSPACE = '0b9e5c5a-3c1d-4f6e-9a11-6d1f2e3a4b5c';
const TOKEN = 'la-token-priority';
const WINDOW = parseWindow('1h')!;
const KQL = "DeviceFileCertificateInfo | where Signer has 'Kaseya' | summarize Count=count() by DeviceName";

let certificates: TestCertificates;
let identity: FakeManagedIdentity;
let service: FakeLogAnalytics;
let restoreEnvironment: () => void;
let credential: DefaultAzureCredential;

beforeAll(async () => {
  certificates = await testCertificates();
  identity = await FakeManagedIdentity.start({ 'https://api.loganalytics.io': TOKEN });
  restoreEnvironment = identity.useInEnvironment();
  credential = new DefaultAzureCredential();
  service = await FakeLogAnalytics.start({
    certificates,
    workspaces: [WORKSPACE],
    acceptedTokens: [TOKEN],
    answer: () => ({ columns: [{ name: 'DeviceName', type: 'string' }], rows: [['WS-FIN-014']] }),
  });
});

afterAll(async () => {
  restoreEnvironment();
  await service.close();
  await identity.close();
});

beforeEach(() => {
  service.releaseAnswers();
  service.requests.length = 0;
  service.maxInFlight = 0;
});

/** The real Log Analytics backend, noting the order in which the limiter lets queries through. */
function logAnalytics(order: string[] = []): Backend {
  const backend = createLogAnalyticsBackend({
    workspaceId: WORKSPACE,
    alias: 'emea',
    credential,
    endpoint: service.endpoint,
    tlsOptions: { ca: certificates.caCert },
    deadlineMs: 10_000,
    retry: { maxRetries: 1, retryDelayMs: 10 },
  });
  return {
    ...backend,
    run: (request) => {
      order.push(/Query="(\w+)"/.exec(request.kql)?.[1] ?? '?');
      return backend.run(request);
    },
  };
}

const query = (name: string): string => `${KQL} | extend Query=${JSON.stringify(name)}`;

async function failure(run: Promise<QueryResult>): Promise<BackendError> {
  const error: unknown = await run.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(BackendError);
  return error as BackendError;
}

describe('interactive and background queries under one cap', () => {
  it('keeps background queries to their share of the slots, so an analyst’s hunt does not queue behind them', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 3 });
    const backend = logAnalytics();
    const watches = limiter.wrap(backend, { priority: 'background' });
    const hunts = limiter.wrap(backend);
    const queued: Array<{ name: string; queue: QueuedInfo }> = [];
    const run = (target: Backend, name: string) => target.run({ kql: query(name), window: WINDOW, onQueued: (queue) => queued.push({ name, queue }) });
    service.holdAnswers();

    const background = ['w1', 'w2', 'w3', 'w4'].map((name) => run(watches, name));
    await service.waitUntil(() => service.inFlight === 1);
    const first = run(hunts, 'h1');
    const second = run(hunts, 'h2');
    await service.waitUntil(() => service.inFlight === 3);
    const third = run(hunts, 'h3');
    expect(queued).toEqual([
      { name: 'w2', queue: { ahead: 0, limit: 3 } },
      { name: 'w3', queue: { ahead: 1, limit: 3 } },
      { name: 'w4', queue: { ahead: 2, limit: 3 } },
      { name: 'h3', queue: { ahead: 0, limit: 3 } },
    ]);
    expect(service.requests).toHaveLength(3);
    service.releaseAnswers();
    await Promise.all([...background, first, second, third]);

    expect(service.requests).toHaveLength(7);
    expect(service.maxInFlight).toBe(3);
  });

  it('gives a free slot to a waiting analyst before a waiting watch, whoever came first', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 2, maxBackground: 2 });
    const order: string[] = [];
    const backend = logAnalytics(order);
    const watches = limiter.wrap(backend, { priority: 'background' });
    const hunts = limiter.wrap(backend);
    const queued: string[] = [];
    const run = (target: Backend, name: string) => target.run({ kql: query(name), window: WINDOW, onQueued: (queue) => queued.push(`${name}:${queue.ahead}`) });
    service.holdAnswers();

    const running = [run(hunts, 'h1'), run(hunts, 'h2')];
    await service.waitUntil(() => service.inFlight === 2);
    const waiting = [run(watches, 'w1'), run(watches, 'w2')];
    await new Promise((resolve) => setImmediate(resolve));
    waiting.push(run(hunts, 'h3'), run(hunts, 'h4'));
    expect(queued).toEqual(['w1:0', 'w2:1', 'h3:0', 'h4:1']);
    service.releaseAnswers();
    await Promise.all([...running, ...waiting]);

    expect(order).toEqual(['h1', 'h2', 'h3', 'h4', 'w1', 'w2']);
    expect(service.maxInFlight).toBe(2);
  });

  it('refuses background queries when their queue is full, leaving the analysts’ queue alone', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 2, maxQueued: 1 });
    const backend = logAnalytics();
    const watches = limiter.wrap(backend, { priority: 'background' });
    const hunts = limiter.wrap(backend);
    service.holdAnswers();

    const w1 = watches.run({ kql: query('w1'), window: WINDOW });
    const w2 = watches.run({ kql: query('w2'), window: WINDOW });
    const refused = await failure(watches.run({ kql: query('w3'), window: WINDOW }));
    const h1 = hunts.run({ kql: query('h1'), window: WINDOW });
    await service.waitUntil(() => service.inFlight === 2);
    const h2 = hunts.run({ kql: query('h2'), window: WINDOW });
    service.releaseAnswers();
    await Promise.all([w1, w2, h1, h2]);

    expect(refused.failure).toBe('throttled');
    expect(refused.message).toBe('1 background queries are already waiting for Log Analytics workspace emea; retry in 60 s.');
    expect(service.requests).toHaveLength(4);
  });

  it('lets a queued watch give up without ever reaching the service, and passes its turn on', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1 });
    const order: string[] = [];
    const backend = logAnalytics(order);
    const watches = limiter.wrap(backend, { priority: 'background' });
    const hunts = limiter.wrap(backend);
    const controller = new AbortController();
    service.holdAnswers();

    const h1 = hunts.run({ kql: query('h1'), window: WINDOW });
    await service.waitUntil(() => service.inFlight === 1);
    const w1 = watches.run({ kql: query('w1'), window: WINDOW, signal: controller.signal });
    const w2 = watches.run({ kql: query('w2'), window: WINDOW });
    controller.abort();
    const error = await failure(w1);
    service.releaseAnswers();
    await Promise.all([h1, w2]);

    expect(error.failure).toBe('timeout');
    expect(order).toEqual(['h1', 'w2']);
  });

  it('refuses a background share that is not 1 to the number of slots', () => {
    expect(() => new ConcurrencyLimiter({ maxConcurrent: 5, maxBackground: 0 })).toThrow(RangeError);
    expect(() => new ConcurrencyLimiter({ maxConcurrent: 5, maxBackground: 6 })).toThrow(RangeError);
    expect(() => new ConcurrencyLimiter({ maxConcurrent: 5, maxBackground: 1.5 })).toThrow(RangeError);
    expect(() => new ConcurrencyLimiter({ maxConcurrent: 1 })).not.toThrow();
  });
});
