/**
 * The bot as production runs it: its own process, configured by environment variables only. The Log
 * Analytics path goes through the real LogsQueryClient and DefaultAzureCredential, to local fakes of
 * the query API (HTTPS, self-signed CA trusted through NODE_EXTRA_CA_CERTS) and of the App Service
 * managed identity endpoint; replies go to a fake Bot Connector.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import { buildHuntQuery } from '../../src/hunt/kql-builder';
import { loadCatalog } from '../../src/hunt/catalog';
import { parseWindow } from '../../src/hunt/window';
import { cardRows } from '../support/card-rows';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store';
import { cardOf, cardText } from '../support/bot-harness';
import { runBotProcess, startBotProcess, type BotProcess } from '../support/bot-process';
import { FakeConnector } from '../support/fake-connector';
import { FakeManagedIdentity } from '../support/fake-msi';
import { execute, message } from '../support/teams-activities';
import { VERBS } from '../../src/core/verbs';
import { startFakeAzure } from '../support/fake-azure';

const WORKSPACE = '3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01';

/** Waits until the store's outbox item (read from the file as another process would) has `status`. */
async function waitForOutbox(file: string, status: string): Promise<void> {
  const db = new Database(file, { readonly: true });
  try {
    const deadline = Date.now() + 20_000;
    while ((db.prepare('SELECT status FROM outbox').get() as { status?: string } | undefined)?.status !== status) {
      if (Date.now() > deadline) throw new Error(`the outbox item never became ${status}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    db.close();
  }
}

/** The first log line of the process with this message, once it has been written. */
async function logLine(bot: BotProcess, msg: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = bot.logs().split('\n').find((l) => l.includes(`"msg":"${msg}"`));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    if (Date.now() > deadline) throw new Error(`the bot never logged '${msg}':\n${bot.logs()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function post(bot: BotProcess, activity: object): Promise<number> {
  const res = await fetch(`${bot.origin}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(activity) });
  await res.text();
  return res.status;
}

describe('the bot process', () => {
  test('hunt kaseya 5d on Log Analytics: the real SDK asks the workspace, the card shows its answer', async () => {
    const azure = await startFakeAzure([WORKSPACE]);
    const { logAnalytics, msi } = azure;
    logAnalytics.answerWith({
      name: 'PrimaryResult',
      columns: [
        { name: 'DeviceId', type: 'string' },
        { name: 'DeviceName', type: 'string' },
        { name: 'FirstSeen', type: 'datetime' },
        { name: 'LastSeen', type: 'datetime' },
        { name: 'Report', type: 'dynamic' },
        { name: 'Count', type: 'long' },
      ],
      rows: [
        ['d'.repeat(40), 'srv-mgmt-01.contoso.com', '2026-11-25T08:00:00Z', '2026-11-28T09:30:00Z', '[101,102]', 2],
        ['e'.repeat(40), 'ws-fin-014.contoso.com', '2026-11-27T10:00:00Z', '2026-11-29T11:00:00Z', '[103]', 1],
      ],
    });
    const connector = await new FakeConnector().start();
    let bot: BotProcess | undefined;
    try {
      bot = await startBotProcess({
        HUNT_BACKEND: 'loganalytics',
        LOG_ANALYTICS_WORKSPACE_ID: WORKSPACE,
        LOG_ANALYTICS_ENDPOINT: logAnalytics.endpoint,
        // Not the default store (.huntops/ in the working tree): a file left there by another schema must not decide this test.
        HUNT_STORE: 'sqlite::memory:',
        ...azure.env,
      });
      expect(await post(bot, message(connector.url, 'hunt kaseya 5d'))).toBe(200);
      const [update] = await connector.waitFor((c) => c.kind === 'update', 1, 20_000);
      const text = cardText(cardOf(update!));
      expect(text).toContain('Kaseya: 2 devices');
      // most recently seen first, each row the host name with its domain beneath
      expect(cardRows(cardOf(update!)).map((r) => r.lines.slice(0, 2))).toEqual([
        ['ws-fin-014', 'contoso.com'],
        ['srv-mgmt-01', 'contoso.com'],
      ]);
      expect(text).toContain(`Log Analytics workspace ${WORKSPACE}`);

      expect(logAnalytics.requests).toHaveLength(1);
      const [request] = logAnalytics.requests;
      expect(request!.workspaceId).toBe(WORKSPACE);
      expect(request!.token).toBe('la-token');
      expect(request!.timespan).toBe('P5D');
      expect(request!.query).toBe(
        buildHuntQuery({ tool: loadCatalog().find('kaseya')!, window: parseWindow('5d')! }, { dialect: 'loganalytics', maxDevices: 500 }),
      );
      expect(request!.query).toContain('TimeGenerated');
      expect(msi.requests.map((r) => r.resource)).toContain('https://api.loganalytics.io');
      expect(bot.logs()).not.toContain('la-token');
      expect(await bot.stop()).toBe(0);
    } finally {
      await bot?.stop();
      await connector.stop();
      await azure.close();
    }
  });

  test('healthz reports the backend and the store ready on the embedded default, and says when a backend is not — without paths, ids or error text', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-health-'));
    const bot = await startBotProcess({ HUNT_STORE: `sqlite:${path.join(dir, 'huntops.db')}` });
    try {
      const res = await fetch(`${bot.origin}/healthz`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toEqual({ ok: true, backends: [{ kind: 'local', ok: true }], store: { ok: true, kind: 'sqlite' }, inFlight: 0 });
      expect(JSON.stringify(body)).not.toContain(dir);
      expect(bot.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await bot.stop();
    }
    const msi = await FakeManagedIdentity.start({});
    const unready = await startBotProcess({
      HUNT_STORE: `sqlite:${path.join(dir, 'huntops.db')}`,
      HUNT_BACKEND: 'loganalytics',
      LOG_ANALYTICS_WORKSPACE_ID: WORKSPACE,
      IDENTITY_ENDPOINT: msi.endpoint,
      IDENTITY_HEADER: msi.secret,
    });
    try {
      const res = await fetch(`${unready.origin}/healthz`);
      expect(res.status).toBe(503);
      const body = await res.json();
      expect(body).toEqual({ ok: false, backends: [{ kind: 'loganalytics', ok: false }], store: { ok: true, kind: 'sqlite' }, inFlight: 0 });
      for (const leak of [WORKSPACE, dir, 'token', 'loganalytics.io']) expect(JSON.stringify(body)).not.toContain(leak);
      expect(await logLine(unready, 'health: a component is not ready')).toMatchObject({ component: 'backend', kind: 'loganalytics', detail: expect.stringMatching(/no token for https:\/\/api\.loganalytics\.io/) });
    } finally {
      await unready.stop();
      await msi.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('retention: the bot purges at start (and every 6 hours) hunts older than HUNT_RETENTION, keeps the audit within HUNT_AUDIT_RETENTION, and audits the purge', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-retention-'));
    const file = path.join(dir, 'huntops.db');
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    const before = SqliteStore.open(file, { clock: () => longAgo });
    const actor = { aadObjectId: 'aad-alice', name: 'Alice' };
    await before.createHunt({ request: { toolId: 'kaseya', windowMs: 86_400_000, kind: 'file-signature' }, kql: 'T', source: 's', conversation: {}, requestedBy: actor });
    await before.appendAudit({ actor, conversationId: 'c', action: 'hunt', details: {}, outcome: 'ok' });
    await before.close();
    const bot = await startBotProcess({ HUNT_STORE: `sqlite:${file}`, HUNT_RETENTION: '30d', HUNT_AUDIT_RETENTION: '60d' });
    try {
      expect(await logLine(bot, 'retention: purged')).toMatchObject({ hunts: 1, outboxItems: 0, auditEntries: 0 });
      const db = new Database(file, { readonly: true });
      try {
        expect(db.prepare('SELECT id FROM hunts').all()).toEqual([]);
        expect(db.prepare('SELECT action FROM audit ORDER BY seq').all()).toEqual([{ action: 'hunt' }, { action: 'purge' }]);
      } finally {
        db.close();
      }
    } finally {
      await bot.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('killed with SIGKILL and restarted: exclusions are intact', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-restart-'));
    const env = { HUNT_STORE: `sqlite:${path.join(dir, 'huntops.db')}` };
    const connector = await new FakeConnector().start();
    let bot = await startBotProcess(env);
    try {
      await post(bot, message(connector.url, 'exclude device ws-fin-014 reason "finance jump host" tool kaseya'));
      await connector.waitFor((c) => c.kind === 'reply' && cardText(cardOf(c)).includes('Excluded pattern ws-fin-014'));
      await bot.stop('SIGKILL');
      bot = await startBotProcess(env);
      await post(bot, message(connector.url, 'hunt kaseya 5d'));
      const [update] = await connector.waitFor((c) => c.kind === 'update', 1, 20_000);
      const text = cardText(cardOf(update!));
      expect(text).toMatch(/Kaseya: \d+ devices?/);
      expect(text).not.toContain('ws-fin-014');
      expect(text).toMatch(/1 device is hidden by exclusions/);
    } finally {
      await bot.stop();
      await connector.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a hunt cut short by SIGKILL says so after the restart instead of "Hunting…" forever', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-interrupt-'));
    const azure = await startFakeAzure([WORKSPACE]);
    const { logAnalytics } = azure;
    const connector = await new FakeConnector().start();
    const env = {
      HUNT_STORE: `sqlite:${path.join(dir, 'huntops.db')}`,
      HUNT_BACKEND: 'loganalytics',
      LOG_ANALYTICS_WORKSPACE_ID: WORKSPACE,
      LOG_ANALYTICS_ENDPOINT: logAnalytics.endpoint,
      ...azure.env,
    };
    let bot = await startBotProcess(env);
    try {
      logAnalytics.holdAnswers();
      await post(bot, message(connector.url, 'hunt kaseya 5d'));
      const [progress] = await connector.waitFor((c) => c.kind === 'reply' && cardText(cardOf(c)).includes('Hunting Kaseya'));
      await logAnalytics.waitUntil(() => logAnalytics.requests.length === 1);
      await bot.stop('SIGKILL');
      bot = await startBotProcess(env);
      const [update] = await connector.waitFor((c) => c.kind === 'update' && c.activityId === progress!.responseId, 1, 20_000);
      const text = cardText(cardOf(update!));
      expect(text).toContain('Kaseya: interrupted');
      expect(text).toContain('This hunt was interrupted: HuntOps restarted before it finished. Run it again: hunt kaseya 5d');
    } finally {
      await bot.stop();
      await connector.stop();
      await azure.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an escalation pending when the bot is killed is delivered exactly once after the restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-outbox-'));
    const env = { HUNT_STORE: `sqlite:${path.join(dir, 'huntops.db')}` };
    const connector = await new FakeConnector().start();
    let bot = await startBotProcess(env);
    try {
      await post(bot, message(connector.url, 'incident channel here', 'channel'));
      await connector.waitFor((c) => c.kind === 'reply' && cardText(cardOf(c)).includes('Incident channel set'));
      await post(bot, message(connector.url, 'hunt kaseya 5d'));
      const [update] = await connector.waitFor((c) => c.kind === 'update', 1, 20_000);
      const card = cardOf(update!);
      const huntId = /"huntId":"([^"]+)"/.exec(JSON.stringify(card))![1]!;
      connector.fail({ status: 429, times: 4, retryAfterSeconds: 0, kind: 'createConversation' });
      await post(bot, execute(connector.url, VERBS.escalateSubmit, { huntId, row: '0', note: 'kill me', incident: 'new', title: 'Kaseya' }, update!.activityId!));
      await connector.waitFor((c) => c.kind === 'createConversation' && c.status === 429, 4, 20_000);
      await waitForOutbox(path.join(dir, 'huntops.db'), 'pending');
      await bot.stop('SIGKILL');
      expect(connector.calls.filter((c) => c.kind === 'createConversation' && c.status < 300)).toHaveLength(0);
      bot = await startBotProcess(env);
      const [posted] = await connector.waitFor((c) => c.kind === 'createConversation' && c.status < 300, 1, 20_000);
      expect(cardText(posted!.body.activity.attachments[0].content)).toContain('kill me');
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(connector.calls.filter((c) => c.kind === 'createConversation' && c.status < 300)).toHaveLength(1);
    } finally {
      await bot.stop();
      await connector.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('SIGTERM lets a running hunt finish and post its card before the process exits', async () => {
    const azure = await startFakeAzure([WORKSPACE]);
    const { logAnalytics } = azure;
    const connector = await new FakeConnector().start();
    const bot = await startBotProcess({
      HUNT_STORE: 'sqlite::memory:',
      HUNT_BACKEND: 'loganalytics',
      LOG_ANALYTICS_WORKSPACE_ID: WORKSPACE,
      LOG_ANALYTICS_ENDPOINT: logAnalytics.endpoint,
      ...azure.env,
    });
    try {
      logAnalytics.holdAnswers();
      await post(bot, message(connector.url, 'hunt kaseya 5d'));
      const [progress] = await connector.waitFor((c) => c.kind === 'reply' && cardText(cardOf(c)).includes('Hunting Kaseya'));
      await logAnalytics.waitUntil(() => logAnalytics.requests.length === 1);
      bot.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(bot.child.exitCode).toBeNull();
      logAnalytics.releaseAnswers();
      const [update] = await connector.waitFor((c) => c.kind === 'update' && c.activityId === progress!.responseId, 1, 20_000);
      expect(cardText(cardOf(update!))).toContain('Kaseya: no devices');
      expect(await bot.stop()).toBe(0);
      expect(JSON.parse(bot.stdout().trimEnd().split('\n').at(-1)!)).toMatchObject({ msg: 'stopped', drained: true });
    } finally {
      await bot.stop();
      await connector.stop();
      await azure.close();
    }
  });

  test('invalid configuration stops start-up with every problem listed', async () => {
    const { code, output } = await runBotProcess({ PORT: 'x', HOST: '0.0.0.0', HUNT_BACKEND: 'loganalytics' });
    expect(code).toBe(1);
    expect(output).toMatch(/Invalid configuration/);
    expect(output).toMatch(/PORT must be a number/);
    expect(output).toMatch(/only listens on loopback/);
    expect(output).toMatch(/needs LOG_ANALYTICS_WORKSPACE_ID/);
    expect(output).not.toMatch(/\n\s+at /);
  });
});
