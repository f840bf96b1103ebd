/**
 * Sentinel (Log Analytics) and Defender XDR through whole chat turns: the real bot process,
 * configured by environment variables only, talking through the real Azure SDK clients and
 * DefaultAzureCredential (App Service managed identity protocol) to local HTTPS fakes of the
 * services that inject the faults those services really produce. For each: the bot stays up, the
 * analyst sees the right card, and nothing retries forever.
 */
import { gunzipSync } from 'node:zlib';
import { buildHuntQuery } from '../../src/hunt/kql-builder';
import { loadCatalog } from '../../src/hunt/catalog';
import { parseWindow } from '../../src/hunt/window';
import { cardOf, cardText } from '../support/bot-harness';
import { startBotProcess, type BotProcess } from '../support/bot-process';
import { FakeConnector, type ConnectorCall } from '../support/fake-connector';
import type { FakeGraph } from '../support/fake-graph';
import type { Fault } from '../support/fake-https-service';
import type { FakeLogAnalytics, LogAnalyticsTable } from '../support/fake-log-analytics';
import { ANALYST, message } from '../support/teams-activities';
import { startFakeAzure, type FakeAzure } from '../support/fake-azure';

const EMEA = '3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01';
const APAC = '9b1d2c3e-4f50-4a61-8b72-93a4b5c6d7e8';
const EMEA_RESOURCE = '/subscriptions/1111/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/emea-sentinel';

const COLUMNS = ['DeviceId', 'DeviceName', 'FirstSeen', 'LastSeen', 'Report', 'Count', 'Total'];
function devices(names: readonly string[], total = names.length): LogAnalyticsTable {
  return {
    name: 'PrimaryResult',
    columns: COLUMNS.map((name) => ({ name, type: { FirstSeen: 'datetime', LastSeen: 'datetime', Report: 'dynamic', Count: 'long', Total: 'long' }[name] ?? 'string' })),
    rows: names.map((n, i) => [`${String(i).padStart(40, 'd')}`, n, '2026-11-27T10:00:00Z', `2026-11-29T0${i % 10}:00:00Z`, '[1,2]', 2, total]),
  };
}

let windows = 0;
/**
 * A window no other hunt in this file used: identical hunts share answers for a minute, and each
 * test must reach the fake.
 */
function fresh(): string {
  windows += 1;
  return `${24 + windows}h`;
}

/** Posts `text` as an analyst in their own personal chat; resolves with the final card of that hunt. */
async function hunt(bot: BotProcess, connector: FakeConnector, text: string, who = ANALYST): Promise<any> {
  const before = connector.calls.length;
  const activity = message(connector.url, text, 'personal', who);
  const conversation = `a:personal-${who.id}`;
  const res = await fetch(`${bot.origin}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ ...activity, conversation: { ...activity.conversation, id: conversation } }),
  });
  expect(res.status).toBe(200);
  await res.text();
  const mine = (c: ConnectorCall) => connector.calls.indexOf(c) >= before && c.conversationId === conversation;
  const [progress] = await connector.waitFor((c) => mine(c) && c.kind === 'reply', 1, 20_000);
  if (!cardText(cardOf(progress!)).includes('Hunting')) return cardOf(progress!);
  const final = (c: ConnectorCall) => mine(c) && c.kind === 'update' && c.activityId === progress!.responseId && !/Queued: /.test(cardText(cardOf(c)));
  const [update] = await connector.waitFor(final, 1, 60_000);
  return cardOf(update!);
}

function portalQuery(card: any): { url: string; query: string } {
  const link = card.actions.find((a: any) => a.type === 'Action.OpenUrl');
  const url: string = link.url;
  const defender = /[?&]query=([^&]+)/.exec(url);
  if (defender) return { url, query: gunzipSync(Buffer.from(defender[1]!, 'base64url')).toString('utf16le') };
  const logs = /\/q\/([^/]+)\/timespan\//.exec(url)!;
  return { url, query: gunzipSync(Buffer.from(decodeURIComponent(decodeURIComponent(logs[1]!)), 'base64')).toString('utf8') };
}

describe('Log Analytics (Sentinel), whole turns', () => {
  let azure: FakeAzure;
  let logAnalytics: FakeLogAnalytics;
  let connector: FakeConnector;
  let bot: BotProcess;

  beforeAll(async () => {
    azure = await startFakeAzure([EMEA, APAC]);
    logAnalytics = azure.logAnalytics;
    connector = await new FakeConnector().start();
    bot = await startBotProcess({
      HUNT_BACKEND: 'loganalytics',
      LOG_ANALYTICS_WORKSPACES: `emea=${EMEA}@${EMEA_RESOURCE},apac=${APAC}`,
      LOG_ANALYTICS_ENDPOINT: logAnalytics.endpoint,
      HUNT_QUERY_TIMEOUT: '2',
      HUNT_MAX_DEVICES: '3',
      HUNT_STORE: 'sqlite::memory:',
      // One analyst runs every hunt of this suite: the per-user rate is not what it tests.
      HUNT_USER_RATE: '1000',
      ...azure.env,
    });
  });

  afterAll(async () => {
    await bot?.stop();
    await connector?.stop();
    await azure?.close();
  });

  beforeEach(() => {
    logAnalytics.clearFaults();
    logAnalytics.answerWith(devices(['ws-fin-014.contoso.com', 'srv-mgmt-01.contoso.com']));
    logAnalytics.requests.length = 0;
  });

  test('the default workspace answers; the card names it, says "showing N of M", and links to the same query in Sentinel', async () => {
    logAnalytics.answerWith(devices(['a.contoso.com', 'b.contoso.com', 'c.contoso.com'], 1234));
    const card = await hunt(bot, connector, 'hunt kaseya 5d');
    const text = cardText(card);
    expect(text).toContain('Kaseya: 3 devices');
    expect(text).toContain('Log Analytics workspace emea');
    expect(text).toContain('Showing the 3 devices seen most recently of 1,234 devices found');
    const [request] = logAnalytics.requests;
    expect(request).toMatchObject({ workspaceId: EMEA, timespan: 'P5D', token: 'la-token', prefer: expect.stringContaining('wait=2') });
    const expected = buildHuntQuery({ tool: loadCatalog().find('kaseya')!, window: parseWindow('5d')! }, { dialect: 'loganalytics', maxDevices: 3 });
    expect(request!.query).toBe(expected);
    const { url, query } = portalQuery(card);
    expect(url).toContain(encodeURIComponent(EMEA_RESOURCE));
    expect(query).toBe(expected);
  });

  test('hunt … in apac runs in that workspace; an unknown workspace gets the list', async () => {
    const card = await hunt(bot, connector, 'hunt anydesk 2d net in APAC');
    expect(cardText(card)).toContain('Log Analytics workspace apac');
    expect(logAnalytics.requests.map((r) => r.workspaceId)).toEqual([APAC]);
    expect(logAnalytics.requests[0]!.query).toContain('DeviceNetworkEvents');
    expect(card.actions.filter((a: any) => a.type === 'Action.OpenUrl')).toEqual([]);
    const refused = await hunt(bot, connector, 'hunt kaseya 5d in amer');
    expect(cardText(refused)).toContain("There is no workspace 'amer'");
    expect(cardText(refused)).toContain('Workspaces: emea, apac');
  });

  test.each<[string, Fault, RegExp]>([
    ['429 past the retry budget', { kind: 'throttle', retryAfterSeconds: 120 }, /throttling queries \(429\); retry in 120 s/],
    ['401', { kind: 'unauthorized' }, /did not accept the bot's credentials \(401[\s\S]*Log Analytics Reader role on workspace/],
    ['403', { kind: 'forbidden' }, /refused the query \(403[\s\S]*Log Analytics Reader role on workspace/],
    ['a query error', { kind: 'queryError', message: "Failed to resolve column 'Signer'" }, /rejected the query: .*Failed to resolve column 'Signer'/],
    ['malformed JSON', { kind: 'malformed' }, /not valid JSON/],
    ['500 every time', { kind: 'status', status: 500 }, /unavailable \(500/],
    ['an answer slower than the deadline', { kind: 'slow', ms: 30_000 }, /time limit|did not answer within/],
  ])('%s: the analyst gets a clear card, the bot stays up', async (_, fault, expected) => {
    logAnalytics.failAlways(fault);
    const started = Date.now();
    const card = await hunt(bot, connector, `hunt kaseya ${fresh()}`);
    expect(cardText(card)).toMatch(/Kaseya: the hunt failed/);
    expect(cardText(card)).toMatch(expected);
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(logAnalytics.requests.length).toBeLessThanOrEqual(4);
    logAnalytics.clearFaults();
    expect(cardText(await hunt(bot, connector, `hunt kaseya ${fresh()}`))).toContain('Kaseya: 2 devices');
  }, 60_000);

  test('a 429 with a short Retry-After is honoured and the hunt succeeds', async () => {
    logAnalytics.failNext({ kind: 'throttle', retryAfterSeconds: 1 });
    const card = await hunt(bot, connector, `hunt kaseya ${fresh()}`);
    expect(cardText(card)).toContain('Kaseya: 2 devices');
    expect(logAnalytics.requests).toHaveLength(2);
  });

  test('a partial result is shown with a warning', async () => {
    logAnalytics.failNext({ kind: 'partial', message: 'Query execution has exceeded the allowed limits', keepRows: 1 });
    const card = await hunt(bot, connector, `hunt kaseya ${fresh()}`);
    expect(cardText(card)).toContain('Kaseya: 1 device');
    expect(cardText(card)).toMatch(/Partial result: .*only part of the result/);
  });

  test('identical hunts share one query; every analyst gets the answer', async () => {
    logAnalytics.holdAnswers();
    const analysts = [0, 1, 2].map((i) => ({ ...ANALYST, id: `29:analyst-${i}`, name: `Analyst ${i}` }));
    const window = fresh();
    const cards = Promise.all(analysts.map((who) => hunt(bot, connector, `hunt teamviewer ${window}`, who)));
    await logAnalytics.waitUntil(() => logAnalytics.requests.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    logAnalytics.releaseAnswers();
    for (const card of await cards) expect(cardText(card)).toContain('TeamViewer: 2 devices');
    expect(logAnalytics.requests).toHaveLength(1);
  });

  test('at most 5 queries run at once; the others say they are queued, then answer', async () => {
    logAnalytics.holdAnswers();
    const tools = ['kaseya', 'anydesk', 'teamviewer', 'atera', 'splashtop', 'action1', 'netsupport'];
    const before = connector.calls.length;
    const window = fresh();
    const cards = Promise.all(tools.map((tool, i) => hunt(bot, connector, `hunt ${tool} ${window}`, { ...ANALYST, id: `29:q-${i}`, name: `Q ${i}` })));
    await logAnalytics.waitUntil(() => logAnalytics.requests.length === 5);
    const queued = await connector.waitFor((c) => connector.calls.indexOf(c) >= before && c.kind === 'update' && /Queued: Hunting/.test(cardText(cardOf(c))), 2);
    expect(queued).toHaveLength(2);
    expect(logAnalytics.maxInFlight).toBeLessThanOrEqual(5);
    logAnalytics.releaseAnswers();
    expect((await cards).every((card) => /: 2 devices/.test(cardText(card)))).toBe(true);
    expect(logAnalytics.requests).toHaveLength(7);
    expect(logAnalytics.maxInFlight).toBe(5);
  });
});

describe('Defender XDR, whole turns', () => {
  let azure: FakeAzure;
  let graph: FakeGraph;
  let connector: FakeConnector;
  let bot: BotProcess;

  const answer = {
    schema: COLUMNS.map((name) => ({ name, type: { FirstSeen: 'DateTime', LastSeen: 'DateTime', Report: 'Object', Count: 'Int64', Total: 'Int64' }[name] ?? 'String' })),
    results: ['ws-fin-014.contoso.com', 'it-adm-003.contoso.com'].map((n, i) => ({
      DeviceId: String(i).padStart(40, 'e'),
      DeviceName: n,
      FirstSeen: '2026-11-27T10:00:00Z',
      LastSeen: `2026-11-29T0${i}:00:00Z`,
      Report: [7, 8],
      Count: 4,
      Total: 2,
    })),
  };

  beforeAll(async () => {
    azure = await startFakeAzure([]);
    graph = azure.graph;
    connector = await new FakeConnector().start();
    bot = await startBotProcess({
      HUNT_BACKEND: 'defender',
      DEFENDER_GRAPH_URL: graph.baseUrl,
      HUNT_QUERY_TIMEOUT: '2',
      HUNT_STORE: 'sqlite::memory:',
      HUNT_USER_RATE: '1000',
      ...azure.env,
    });
  });

  afterAll(async () => {
    await bot?.stop();
    await connector?.stop();
    await azure?.close();
  });

  beforeEach(() => {
    graph.clearFaults();
    graph.answerWith(answer);
    graph.requests.length = 0;
  });

  test('runHuntingQuery with the Timestamp dialect and the window as Timespan; the card links to advanced hunting', async () => {
    const card = await hunt(bot, connector, 'hunt kaseya 5d');
    expect(cardText(card)).toContain('Kaseya: 2 devices');
    expect(cardText(card)).toContain('Defender XDR');
    const [request] = graph.requests;
    expect(request!.token).toBe('graph-token');
    expect(request!.timespan).toBe('P5D');
    expect(request!.query).toContain('| where Timestamp between (Time_start..Time_end)');
    expect(portalQuery(card).query).toBe(request!.query);
  });

  test('windows past 30 days are refused before anything is asked', async () => {
    const card = await hunt(bot, connector, 'hunt kaseya 31d');
    expect(cardText(card)).toMatch(/That window is longer than Defender XDR.* can answer/);
    expect(graph.requests).toHaveLength(0);
  });

  test.each<[string, Fault, RegExp]>([
    ['429', { kind: 'throttle', retryAfterSeconds: 300 }, /throttling queries \(429\); retry in 300 s/],
    ['401', { kind: 'unauthorized' }, /ThreatHunting\.Read\.All/],
    ['403', { kind: 'forbidden' }, /ThreatHunting\.Read\.All/],
    ['a query error', { kind: 'queryError', message: 'Syntax error on line 3' }, /rejected the query: .*Syntax error on line 3/],
    ['malformed JSON', { kind: 'malformed' }, /not valid JSON/],
    ['503', { kind: 'status', status: 503 }, /unavailable \(503/],
    ['slow', { kind: 'slow', ms: 30_000 }, /did not answer within/],
  ])('%s: a clear card', async (_, fault, expected) => {
    graph.failAlways(fault);
    const card = await hunt(bot, connector, `hunt kaseya ${fresh()}`);
    expect(cardText(card)).toMatch(expected);
    expect(graph.requests.length).toBeLessThanOrEqual(4);
  }, 60_000);
});
