/**
 * Microsoft Sentinel with the bot as production runs it: its own process, configured by environment
 * only (`SENTINEL_WORKSPACE_RESOURCE_ID`, `AZURE_RESOURCE_MANAGER_URL`), `DefaultAzureCredential`
 * getting its token from the fake managed identity, the HTTPS fake of Resource Manager trusted
 * through NODE_EXTRA_CA_CERTS, replies to a fake Bot Connector, a SQLite store file read as another
 * process would. Escalate makes exactly one incident and one comment per later escalation, across a
 * lost answer, a SIGKILL between the Teams post and the incident call, 429s and 5xx; a 403 gets its
 * card; exclusions appear in the watchlist and disappear from it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { VERBS } from '../../src/core/verbs';
import { cardOf, cardText } from '../support/bot-harness';
import { startBotProcess, type BotProcess } from '../support/bot-process';
import { startFakeAzure, type FakeAzure } from '../support/fake-azure';
import { FakeConnector } from '../support/fake-connector';
import { CHANNEL_ID, execute, message } from '../support/teams-activities';
import { executes, waitUntil } from '../support/triage-turns';

jest.setTimeout(120_000);

const WORKSPACE = '/subscriptions/d0cfe6b2-9ac0-4464-9919-dccaee2e48c0/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/soc-sentinel';

let dir: string;
let azure: FakeAzure;
let connector: FakeConnector;
let bot: BotProcess | undefined;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-sentinel-'));
  azure = await startFakeAzure([], { sentinelWorkspaces: [WORKSPACE] });
  connector = await new FakeConnector().start();
  env = { HUNT_STORE: `sqlite:${path.join(dir, 'huntops.db')}`, SENTINEL_WORKSPACE_RESOURCE_ID: WORKSPACE, ...azure.env };
  bot = await startBotProcess(env);
});

afterEach(async () => {
  await bot?.stop();
  await connector.stop();
  await azure.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(activity: object): Promise<void> {
  const res = await fetch(bot!.endpoint, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(activity) });
  await res.text();
  expect(res.status).toBe(200);
}

/** The outbox's Sentinel items, read from the store file as another process would. */
function sentinelItems(): Array<{ status: string; attempts: number; last_error: string | null }> {
  const db = new Database(path.join(dir, 'huntops.db'), { readonly: true });
  try {
    return db.prepare(`SELECT status, attempts, last_error FROM outbox WHERE kind = 'sentinel' ORDER BY seq`).all() as Array<{ status: string; attempts: number; last_error: string | null }>;
  } finally {
    db.close();
  }
}

/** Sets the incident channel and runs `hunt kaseya 5d`; resolves with the result card's message and the data of its Escalate buttons. */
async function huntKaseya(): Promise<{ messageId: string; escalate: Array<{ huntId: string; row: string }> }> {
  await post(message(connector.url, 'incident channel here', 'channel'));
  await connector.waitFor((c) => c.kind === 'reply' && cardText(cardOf(c)).includes('Incident channel set'));
  await post(message(connector.url, 'hunt kaseya 5d'));
  const [update] = await connector.waitFor((c) => c.kind === 'update', 1, 20_000);
  const card = cardOf(update!);
  return { messageId: update!.activityId!, escalate: executes(card).filter((a) => a.verb === VERBS.escalate).map((a) => a.data) };
}

const incidents = () => azure.arm.sentinel(WORKSPACE).incidents;
const incidentPuts = () => azure.arm.requests.filter((r) => r.method === 'PUT' && /\/incidents\/[^/]+$/.test(r.path));

test('Escalate → exactly one incident and one comment per later escalation, across a lost answer, a SIGKILL between the Teams post and the incident call, 429s and 5xx', async () => {
  const { messageId, escalate } = await huntKaseya();
  const [first, second, third] = escalate;
  expect(third).toBeDefined();

  // The create reaches Sentinel but its answer is lost; the bot is killed before it tries again.
  azure.arm.loseNextWriteAnswer({ status: 504 });
  await post(execute(connector.url, VERBS.escalateSubmit, { ...first, note: 'Installed from Downloads', incident: 'new', title: 'Kaseya on a finance laptop', severity: 'High' }, messageId));
  const [root] = await connector.waitFor((c) => c.kind === 'createConversation' && c.status < 300, 1, 20_000);
  await waitUntil(() => sentinelItems()[0]?.status === 'pending' && sentinelItems()[0]!.attempts === 1, 'the lost create to be put back', 30_000);
  expect(sentinelItems()[0]!.last_error).toMatch(/unavailable \(504/);
  expect(incidents().size).toBe(1);
  await bot!.stop('SIGKILL');

  // After the restart the first request is throttled (429, Retry-After 1 s): the client waits and goes on.
  azure.arm.failNext({ kind: 'throttle', retryAfterSeconds: 1 });
  const restarted = azure.arm.requests.length;
  bot = await startBotProcess(env);
  await waitUntil(() => sentinelItems()[0]?.status === 'sent', 'the create to be done after the restart', 30_000);
  expect(incidents().size).toBe(1);
  expect(incidentPuts()).toHaveLength(1);
  const [incident] = [...incidents().values()];
  // The throttled read, the same read a second later, and nothing written: the incident was found.
  expect(azure.arm.requests.slice(restarted).map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`)).toEqual([`GET incidents/${incident!.name}`, `GET incidents/${incident!.name}`]);
  const rootId = /;messageid=(.+)$/.exec(root!.responseId!)![1]!;
  expect(incident!.properties).toMatchObject({ title: 'HuntOps: Kaseya on a finance laptop', severity: 'High', status: 'New' });
  expect(incident!.properties.description).toContain(`Teams thread: https://teams.microsoft.com/l/message/${encodeURIComponent(CHANNEL_ID)}/${rootId}`);
  expect(incident!.properties.description).toContain("Analyst's note:\nInstalled from Downloads");
  expect(JSON.stringify(root!.body.activity)).toContain(`/providers/Microsoft.SecurityInsights/incidents/${incident!.name}`);

  // Later escalations: a 503 on the comment (the client tries again), a double click: one comment each.
  azure.arm.failNextWrite({ kind: 'status', status: 503 });
  await post(execute(connector.url, VERBS.escalateSubmit, { ...second, note: 'second', incident: '1' }, messageId));
  const later = { ...third, note: 'third', incident: '1' };
  await Promise.all([post(execute(connector.url, VERBS.escalateSubmit, later, messageId)), post(execute(connector.url, VERBS.escalateSubmit, later, messageId))]);
  await waitUntil(() => sentinelItems().length === 3 && sentinelItems().every((i) => i.status === 'sent'), 'the comments', 30_000);
  expect(incidents().size).toBe(1);
  expect(incident!.comments.size).toBe(2);
  expect([...incident!.comments.values()].map((c) => /Analyst's note:\n(\w+)/.exec(c.message)?.[1]).sort()).toEqual(['second', 'third']);
  expect(connector.calls.filter((c) => c.kind === 'createConversation' && c.status < 300)).toHaveLength(1);
  expect(bot!.logs()).not.toContain('arm-token');
});

test('403: the card in the thread says the identity needs Microsoft Sentinel Responder, and HuntOps keeps working', async () => {
  azure.arm.deny('incidents');
  const { messageId, escalate } = await huntKaseya();
  const [first] = escalate;
  await post(execute(connector.url, VERBS.escalateSubmit, { ...first, note: '', incident: 'new', title: 'Kaseya' }, messageId));
  const [card] = await connector.waitFor((c) => c.kind === 'send' && c.status < 300 && cardText(cardOf(c)).includes('is not in Microsoft Sentinel'), 1, 30_000);
  const text = cardText(cardOf(card!));
  expect(text).toContain('The bot\'s identity needs the Microsoft Sentinel Responder role on workspace soc-sentinel (resource group soc-rg).');
  expect(executes(cardOf(card!))).toEqual([{ title: 'Retry', verb: VERBS.retrySentinel, data: { incident: 1 } }]);
  expect(sentinelItems()).toEqual([expect.objectContaining({ status: 'dead', attempts: 1 })]);
  expect(incidents().size).toBe(0);
  expect(connector.calls.filter((c) => c.kind === 'createConversation' && c.status < 300)).toHaveLength(1);
});

test('exclusions appear in the watchlist and disappear when removed', async () => {
  const items = () => [...(azure.arm.sentinel(WORKSPACE).watchlists.get('huntopsexclusions')?.items.values() ?? [])];
  await post(message(connector.url, 'exclude device ws-fin-014 reason "finance jump host" tool kaseya'));
  await waitUntil(() => items().length === 1, 'the item', 30_000);
  expect(items()[0]!.values).toMatchObject({ DeviceName: 'ws-fin-014', DevicePattern: 'ws-fin-014', Tool: 'kaseya', Reason: 'finance jump host' });
  await post(message(connector.url, 'unexclude ws-fin-014'));
  await waitUntil(() => items().length === 0, 'the item to go', 30_000);
  expect(azure.arm.sentinel(WORKSPACE).watchlists.size).toBe(1);
});
