/**
 * Details through whole turns, on every backend: the local engine on the sample data (the bot
 * in-process), and Log Analytics and Defender XDR through the real bot process and the real SDK
 * clients talking to the HTTPS fakes, which answer every query by running it on the same sample
 * data (`test/support/sample-service.ts`). For every kind of finding — a tool's file-signature,
 * process and network hunts, `hunt all`, a rule the catalog knows, a rule that names no tool, and
 * `check <device>` — Details answers with a new message beneath the card (the clicked card stays),
 * first "Gathering…", then updated in place with the evidence card; the two Kaseya stories of
 * `data/sample/README.md` read apart. On the local backend also: a channel thread, a card that is
 * a thread's root, Exclude and Escalate on the evidence card (the escalation carries the evidence),
 * refusals, and the audit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalBackend } from '../../src/backends/local';
import type { Dialect } from '../../src/backends/backend';
import { SAMPLE_DATA_DIR } from '../../src/config';
import { VERBS } from '../../src/core/verbs';
import { loadCatalog } from '../../src/hunt/catalog';
import { loadRuleBook } from '../../src/hunt/rule-book';
import { parseWindow } from '../../src/hunt/window';
import { cardOf, cardText, startBot, type BotHarness } from '../support/bot-harness';
import { startBotProcess, type BotProcess } from '../support/bot-process';
import { blockText, cardLines, cardRow, cardRows, type CardRow } from '../support/card-rows';
import { startFakeAzure, type FakeAzure } from '../support/fake-azure';
import { FakeConnector, type ConnectorCall } from '../support/fake-connector';
import { graphAnswer, logAnalyticsAnswer } from '../support/sample-service';
import { CHANNEL_ID, execute, message, type Where } from '../support/teams-activities';

jest.setTimeout(120_000);

const WORKSPACE = '3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01';
const KASEYA = loadCatalog().get('kaseya')!;
const INVOKE_MESSAGE = 'application/vnd.microsoft.activity.message';

/** Where a test sends its turns: the in-process bot, or the bot process. */
interface Turns {
  readonly connector: FakeConnector;
  post(activity: object): Promise<{ status: number; body: any }>;
}

/**
 * A rules folder: Kaseya's public file-signature rule, adapted to the backend's time column (its id
 * is the catalog's source of Kaseya's hunt), and a rule of the organisation's own that names no tool.
 */
function rulesDir(dialect: Dialect): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-details-rules-'));
  const time = dialect === 'defender' ? 'Timestamp' : 'TimeGenerated';
  const summary = `| summarize FirstSeen=min(${time}), LastSeen=max(${time}), Report=make_set(ReportId), Count=count() by DeviceId, DeviceName`;
  writeFileSync(
    path.join(dir, 'kaseya.yaml'),
    `id: ${KASEYA.fileSignature!.ruleId}\nname: Kaseya binaries (ours)\nquery: |\n  DeviceFileCertificateInfo\n  | where ${time} > ago(5d)\n  | where Signer has 'Kaseya'\n  ${summary}\n`,
  );
  writeFileSync(
    path.join(dir, 'agentmon.yaml'),
    `id: 5f0e9a1c-0b7d-4a55-9e2f-00000000c0de\nname: AgentMon started\nquery: |\n  DeviceProcessEvents\n  | where ${time} > ago(5d)\n  | where FileName =~ 'AgentMon.exe'\n  ${summary}\n`,
  );
  return dir;
}

/** The calls made after `before`. */
const since = (turns: Turns, before: number) => (c: ConnectorCall) => turns.connector.calls.indexOf(c) >= before;

/** Sends `text`; resolves with the card that finally answers it and its message id. */
async function ask(turns: Turns, text: string, where: Where = 'personal'): Promise<{ card: any; messageId: string; conversationId: string | undefined }> {
  const mine = since(turns, turns.connector.calls.length);
  expect((await turns.post(message(turns.connector.url, text, where))).status).toBe(200);
  const [first] = await turns.connector.waitFor((c) => mine(c) && (c.kind === 'send' || c.kind === 'reply') && c.status < 300, 1, 30_000);
  const [final] = await turns.connector.waitFor((c) => mine(c) && c.kind === 'update' && c.activityId === first!.responseId && !/Hunting |Queued: /.test(cardText(cardOf(c))), 1, 60_000);
  return { card: cardOf(final!), messageId: first!.responseId!, conversationId: first!.conversationId };
}

/** What a click on Details came to. */
interface DetailsAnswer {
  /** The evidence card (the posted message, updated in place). */
  readonly card: any;
  readonly lines: string[];
  /** The posted message (its first, "Gathering…" card). */
  readonly posted: ConnectorCall;
  /** The invoke's answer. */
  readonly invoke: { status: number; body: any };
}

/** Presses Details on `row` of the card posted as `messageId`; follows the new message to its evidence card. */
async function details(turns: Turns, row: CardRow, messageId: string, where: Where = 'personal', conversationId?: string): Promise<DetailsAnswer> {
  const action = row.actions.find((a) => a.title === 'Details')!;
  expect(action).toMatchObject({ verb: VERBS.details, mode: 'primary' });
  const mine = since(turns, turns.connector.calls.length);
  const click = execute(turns.connector.url, action.verb, action.data, messageId, where);
  const invoke = await turns.post(conversationId ? { ...click, conversation: { ...click.conversation, id: conversationId } } : click);
  const [posted] = await turns.connector.waitFor((c) => mine(c) && c.kind === 'send' && c.status < 300, 1, 30_000);
  const [final] = await turns.connector.waitFor((c) => mine(c) && c.kind === 'update' && c.activityId === posted!.responseId && !/Gathering the evidence|Queued: /.test(cardText(cardOf(c))), 1, 60_000);
  const card = cardOf(final!);
  return { card, lines: cardLines(card), posted: posted!, invoke };
}

/** The items of a section of an evidence card: its title's next texts, until the next section. */
function section(lines: readonly string[], title: RegExp): string[] {
  const start = lines.findIndex((l) => title.test(l));
  if (start < 0) throw new Error(`no section ${title} in:\n${lines.join('\n')}`);
  const end = lines.findIndex((l, i) => i > start && /^(Talks to|Binaries|Processes|Connections)( \(|$)/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** The value beside a device fact's label. */
function fact(lines: readonly string[], label: string): string | undefined {
  const at = lines.indexOf(label);
  return at < 0 ? undefined : lines[at + 1];
}

/** The evidence card of `ws-fin-014`'s Kaseya: somebody else's tenant, installed from Downloads. */
function expectForeignKaseya(answer: DetailsAnswer): void {
  const { lines } = answer;
  expect(lines[0]).toBe('Kaseya on ws-fin-014');
  expect(lines[1]).toMatch(/^corp\.contoso\.com · last 5 days · /);
  expect(fact(lines, 'Group')).toBe('Contoso Workstations');
  expect(fact(lines, 'Exposure')).toBe('Medium');
  expect(section(lines, /^Talks to/)).toEqual(expect.arrayContaining(['rmm-7731.kaseya.net', 'on 1 device']));
  const binaries = section(lines, /^Binaries/);
  expect(binaries).toContain('KcsSetup.exe');
  // long paths and URLs are continued on the next line: read the lines joined
  expect(binaries.join('')).toContain('downloaded from https://rmm-7731.kaseya.net/mkDefault.asp?id=4471');
  expect(binaries.join('')).toMatch(/C:\\Users\\[^\\]+\\Downloads\\KcsSetup\.exe/);
  expect(section(lines, /^Processes/)).toEqual(expect.arrayContaining(['KcsSetup.exe']));
  expect(section(lines, /^Connections/).some((l) => l.startsWith('rmm-7731.kaseya.net port 5721'))).toBe(true);
  expect(answer.card.actions.map((a: any) => a.title)).toEqual(expect.arrayContaining(['Exclude', 'Escalate']));
}

/** The evidence card of `it-adm-003`'s Kaseya: Contoso's own VSA, the binary on 19 devices. */
function expectOwnKaseya(answer: DetailsAnswer): void {
  const { lines } = answer;
  expect(lines[0]).toBe('Kaseya on it-adm-003');
  expect(fact(lines, 'Group')).toBe('IT Admin Workstations');
  expect(fact(lines, 'Exposure')).toBe('Low');
  expect(section(lines, /^Talks to/)).toEqual(expect.arrayContaining(['vsa.contoso.com', 'on 20 devices']));
  expect(section(lines, /^Binaries/)).toEqual(expect.arrayContaining(['AgentMon.exe', 'on 19 devices']));
  expect(section(lines, /^Binaries/).join('\n')).not.toContain('Downloads');
}

/** The same Details, whatever the backend. */
function everyKindOfFinding(start: () => Promise<{ turns: Turns; stop(): Promise<void> }>): void {
  let turns: Turns;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    ({ turns, stop } = await start());
  }, 120_000);

  afterAll(async () => stop?.());

  test('file signature: Details posts a new message beneath the card, acknowledged at once, updated with the evidence; the two stories read apart', async () => {
    const { card, messageId, conversationId } = await ask(turns, 'hunt kaseya 5d');
    const foreign = await details(turns, cardRow(card, 'ws-fin-014'), messageId);
    expect(foreign.invoke).toMatchObject({ status: 200, body: { statusCode: 200, type: INVOKE_MESSAGE, value: expect.stringContaining('evidence') } });
    expect(foreign.posted.conversationId).toBe(conversationId);
    expect(cardLines(cardOf(foreign.posted))[0]).toBe('Gathering the evidence of Kaseya on ws-fin-014 over the last 5 days…');
    expect(turns.connector.calls.filter((c) => c.kind === 'update' && c.activityId === messageId)).toHaveLength(1);
    expectForeignKaseya(foreign);
    expectOwnKaseya(await details(turns, cardRow(card, 'it-adm-003'), messageId));
  });

  test('process hunt: the same tool’s evidence', async () => {
    const { card, messageId } = await ask(turns, 'hunt kaseya 5d proc');
    expect(cardLines(card)[0]).toBe('Kaseya processes: 3 devices');
    expectForeignKaseya(await details(turns, cardRow(card, 'ws-fin-014'), messageId));
  });

  test('network hunt: the same tool’s evidence', async () => {
    const { card, messageId } = await ask(turns, 'hunt kaseya 5d net');
    expect(cardLines(card)[0]).toBe('Kaseya network connections: 2 devices');
    expectForeignKaseya(await details(turns, cardRow(card, 'ws-fin-014'), messageId));
  });

  test('hunt all: the evidence of the row’s tool', async () => {
    const { card, messageId } = await ask(turns, 'hunt all 5d device ws-fin-014');
    const group = card.body.find((b: any) => b.type === 'Container' && blockText(b.items?.[0]) === 'Kaseya');
    expectForeignKaseya(await details(turns, cardRow({ body: [group] }, 'ws-fin-014'), messageId));
  });

  test('a rule the catalog knows as the source of a tool’s hunt: that tool’s evidence', async () => {
    const { card, messageId } = await ask(turns, 'hunt "Kaseya binaries (ours)" 5d');
    expect(cardLines(card)[0]).toBe('Kaseya binaries (ours): 4 devices');
    expectOwnKaseya(await details(turns, cardRow(card, 'it-adm-003'), messageId));
  });

  test('a rule that names no tool: the device, and why there is no tool evidence', async () => {
    const { card, messageId } = await ask(turns, 'hunt "AgentMon started" 5d');
    const answer = await details(turns, cardRow(card, 'ws-fin-014'), messageId);
    expect(answer.lines[0]).toBe('AgentMon started on ws-fin-014');
    expect(answer.lines).toContain('AgentMon started is a rule, not a tool of the catalog, so there is no tool evidence to show: here is the device. Type check ws-fin-014.corp.contoso.com for the RMM tools seen on it, each with its own Details.');
    expect(fact(answer.lines, 'Group')).toBe('Contoso Workstations');
    expect(answer.lines.some((l) => /^Binaries|^Processes/.test(l))).toBe(false);
  });

  test('check <device>: led by the device, each tool with Details, Exclude and Escalate; Details gives the tool’s evidence', async () => {
    const { card, messageId } = await ask(turns, 'check ws-fin-014 5d');
    const lines = cardLines(card);
    expect(lines[0]).toMatch(/^ws-fin-014: \d+ RMM tools?$/);
    expect(lines[2]).toBe('OS');
    expect(fact(lines, 'Group')).toBe('Contoso Workstations');
    const kaseya = cardRow(card, 'Kaseya');
    expect(kaseya.actions.map((a) => `${a.title}/${a.mode}`)).toEqual(['Details/primary', 'Exclude/secondary', 'Escalate/secondary']);
    expectForeignKaseya(await details(turns, kaseya, messageId));
  });
}

describe('local backend (sample data), in-process', () => {
  let bot: BotHarness;
  let rules: string;

  everyKindOfFinding(async () => {
    rules = rulesDir('defender');
    bot = await startBot({
      backend: createLocalBackend({ dataDir: SAMPLE_DATA_DIR, maxWindow: parseWindow('30d')!, label: 'sample data' }),
      rules: await loadRuleBook(rules),
      incidentChannel: CHANNEL_ID,
      // One analyst runs every story of this file within a minute: more than HUNT_USER_RATE's default lets through.
      limits: { userPerMinute: 1_000 },
    });
    return {
      turns: bot,
      stop: async () => {
        await bot.stop();
        rmSync(rules, { recursive: true, force: true });
      },
    };
  });

  test('in a channel thread, the evidence is a reply in the thread; the hunt’s Details pressed in another conversation finds no hunt', async () => {
    const hunt = await ask(bot, 'hunt kaseya 5d', 'channel');
    expect(hunt.conversationId).toMatch(/;messageid=/);
    const inThread = await details(bot, cardRow(hunt.card, 'ws-fin-014'), hunt.messageId, 'channel', hunt.conversationId);
    expect(inThread.posted.conversationId).toBe(hunt.conversationId);
    expectForeignKaseya(inThread);

    // Hunts are kept where they were asked: the same button data sent from the channel's other thread names nothing.
    const mine = since(bot, bot.connector.calls.length);
    const action = cardRow(hunt.card, 'ws-fin-014').actions.find((a) => a.title === 'Details')!;
    const click = execute(bot.connector.url, action.verb, action.data, 'root-card-1', 'channel');
    await bot.post({ ...click, conversation: { ...click.conversation, id: `${CHANNEL_ID};messageid=root-card-1` } });
    const [refused] = await bot.connector.waitFor((c) => mine(c) && c.kind === 'send' && c.status < 300, 1, 30_000);
    expect(refused!.conversationId).toBe(`${CHANNEL_ID};messageid=root-card-1`);
    expect(cardText(cardOf(refused!))).toContain('That hunt is no longer available');
  });

  test('Escalate on the evidence card: the incident gets the finding with its evidence, once; the card and the hunt card say so', async () => {
    const hunt = await ask(bot, 'hunt kaseya 5d');
    const evidence = await details(bot, cardRow(hunt.card, 'ws-fin-014'), hunt.messageId);
    const escalate = evidence.card.actions.find((a: any) => a.title === 'Escalate');
    const evidenceId = evidence.posted.responseId!;
    const form = await bot.post(execute(bot.connector.url, escalate.verb, escalate.data, evidenceId));
    expect(cardText(form.body.value)).toContain('Escalate ws-fin-014.corp.contoso.com');
    // The form submits to (and cancels back to) the evidence card it was opened from.
    const actions = Object.fromEntries(form.body.value.actions.map((a: any) => [a.title, a]));
    expect(actions.Escalate.data).toEqual(escalate.data);
    expect(actions.Cancel.data).toEqual({ huntId: escalate.data.huntId, page: 1 });
    const cancelled = await bot.post(execute(bot.connector.url, actions.Cancel.verb, actions.Cancel.data, evidenceId));
    expect(cardLines(cancelled.body.value)[0]).toBe('Kaseya on ws-fin-014');
    const mine = since(bot, bot.connector.calls.length);
    const submit = { ...actions.Escalate.data, note: 'Agent from a download, unknown tenant', incident: 'new', title: 'Foreign Kaseya on ws-fin-014' };
    const answer = await bot.post(execute(bot.connector.url, VERBS.escalateSubmit, submit, evidenceId));
    const answered = cardLines(answer.body.value);
    expect(answered[0]).toBe('Kaseya on ws-fin-014');
    expect(answered).toEqual(expect.arrayContaining(['Escalated ws-fin-014.corp.contoso.com to incident 1: Foreign Kaseya on ws-fin-014. It is being posted in the incident thread.', 'Escalated by Ada Analyst → incident 1']));
    expect(answer.body.value.actions.map((a: any) => a.title)).toEqual(['Exclude']);

    const [post] = await bot.connector.waitFor((c) => mine(c) && c.kind === 'createConversation' && c.status < 300, 1, 30_000);
    const escalation = cardLines(post!.body.activity.attachments[0].content);
    expect(escalation).toEqual(expect.arrayContaining(['Incident 1: Foreign Kaseya on ws-fin-014', 'Evidence', 'rmm-7731.kaseya.net', 'on 1 device', 'Contoso Workstations']));
    await bot.connector.waitFor((c) => mine(c) && c.kind === 'update' && c.activityId === evidenceId && cardText(cardOf(c)).includes('Escalated by Ada Analyst'), 1, 30_000);

    // The decision is the finding's: the hunt card shows it, and escalating there again is the same escalation.
    const page = await bot.post(execute(bot.connector.url, VERBS.huntPage, { huntId: cardRow(hunt.card, 'ws-fin-014').actions[0]!.data.huntId, page: 1 }, hunt.messageId));
    expect(cardRow(page.body.value, 'ws-fin-014').lines).toContain('Escalated by Ada Analyst → incident 1');
    const again = await bot.post(execute(bot.connector.url, VERBS.escalateSubmit, { ...cardRow(hunt.card, 'ws-fin-014').actions[0]!.data, note: '', incident: 'new', title: 'x' }, hunt.messageId));
    expect(cardText(again.body.value)).toContain('ws-fin-014.corp.contoso.com was already escalated by Ada Analyst to incident 1.');
    expect(bot.connector.calls.filter((c) => mine(c) && c.kind === 'createConversation')).toHaveLength(1);
  });

  test('Exclude on the evidence card excludes the finding: the next hunt hides the device', async () => {
    const hunt = await ask(bot, 'hunt kaseya 5d');
    const evidence = await details(bot, cardRow(hunt.card, 'it-adm-003'), hunt.messageId);
    const exclude = evidence.card.actions.find((a: any) => a.title === 'Exclude');
    const answer = await bot.post(execute(bot.connector.url, VERBS.excludeSubmit, { ...exclude.data, reason: 'Contoso VSA, IT admin workstation', scope: 'tool', expiry: '7' }, evidence.posted.responseId!));
    expect(cardLines(answer.body.value)).toContain('Excluded by Ada Analyst: Contoso VSA, IT admin workstation');
    expect(answer.body.value.actions ?? []).toEqual([]);
    const next = await ask(bot, 'hunt kaseya 5d');
    expect(cardRows(next.card).map((r) => r.title)).not.toContain('it-adm-003');
  });

  test('a forged or unknown finding is refused beneath the card, which stays; Details is audited', async () => {
    const hunt = await ask(bot, 'hunt kaseya 5d');
    const mine = since(bot, bot.connector.calls.length);
    const forged = await bot.post(execute(bot.connector.url, VERBS.details, { huntId: 'AAAAAAAAAAAA', row: '0' }, hunt.messageId));
    expect(forged.body.type).toBe(INVOKE_MESSAGE);
    const [refusal] = await bot.connector.waitFor((c) => mine(c) && c.kind === 'send');
    expect(cardLines(cardOf(refusal!))[0]).toBe('That hunt is no longer available');
    const broken = await bot.post(execute(bot.connector.url, VERBS.details, { huntId: 'x', row: '0', extra: '<b>' }, hunt.messageId));
    expect(broken.body.type).toBe(INVOKE_MESSAGE);
    expect(bot.connector.calls.filter((c) => mine(c) && c.kind === 'update' && c.activityId === hunt.messageId)).toEqual([]);
    const audit = await bot.store.listAudit({ limit: 50 });
    expect(audit.filter((e) => e.action === 'details' && e.outcome === 'ok').length).toBeGreaterThan(5);
  });
});

describe('Log Analytics (Sentinel), through the bot process and the real SDK', () => {
  let azure: FakeAzure;
  everyKindOfFinding(async () => {
    azure = await startFakeAzure([WORKSPACE]);
    azure.logAnalytics.answerWith(logAnalyticsAnswer);
    const rules = rulesDir('loganalytics');
    const connector = await new FakeConnector().start();
    const bot: BotProcess = await startBotProcess({
      HUNT_BACKEND: 'loganalytics',
      LOG_ANALYTICS_WORKSPACE_ID: WORKSPACE,
      LOG_ANALYTICS_ENDPOINT: azure.logAnalytics.endpoint,
      HUNT_STORE: 'sqlite::memory:',
      HUNT_USER_RATE: '1000',
      HUNT_RULES_DIR: rules,
      ...azure.env,
    });
    return { turns: processTurns(bot, connector), stop: () => stopAll(bot, connector, azure, rules) };
  });

  test('the evidence queries reached the workspace in its dialect, within the hunt’s window; identical ones (the same tool on the same device) once', () => {
    const evidence = azure.logAnalytics.requests.filter((r) => r.query?.includes('DeviceInfo'));
    expect(evidence.length).toBeGreaterThanOrEqual(3);
    expect(new Set(evidence.map((r) => r.query)).size).toBe(evidence.length);
    for (const request of evidence) {
      expect(request.timespan).toBe('P5D');
      expect(request.query).toContain('TimeGenerated');
      expect(request.query).not.toContain('Timestamp');
    }
  });
});

describe('Defender XDR, through the bot process and Graph', () => {
  let azure: FakeAzure;
  everyKindOfFinding(async () => {
    azure = await startFakeAzure([]);
    azure.graph.answerWith(graphAnswer);
    const rules = rulesDir('defender');
    const connector = await new FakeConnector().start();
    const bot = await startBotProcess({
      HUNT_BACKEND: 'defender',
      DEFENDER_GRAPH_URL: azure.graph.baseUrl,
      HUNT_STORE: 'sqlite::memory:',
      HUNT_USER_RATE: '1000',
      HUNT_RULES_DIR: rules,
      ...azure.env,
    });
    return { turns: processTurns(bot, connector), stop: () => stopAll(bot, connector, azure, rules) };
  });

  test('the evidence queries reached Graph in the Timestamp dialect; identical ones once', () => {
    const evidence = azure.graph.requests.filter((r) => r.query?.includes('DeviceInfo'));
    expect(evidence.length).toBeGreaterThanOrEqual(3);
    expect(new Set(evidence.map((r) => r.query)).size).toBe(evidence.length);
    for (const request of evidence) {
      expect(request.timespan).toBe('P5D');
      expect(request.query).toContain('Timestamp');
    }
  });
});

function processTurns(bot: BotProcess, connector: FakeConnector): Turns {
  return {
    connector,
    async post(activity) {
      const res = await fetch(`${bot.origin}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(activity) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  };
}

async function stopAll(bot: BotProcess, connector: FakeConnector, azure: FakeAzure, rules: string): Promise<void> {
  await bot.stop();
  await connector.stop();
  await azure.close();
  rmSync(rules, { recursive: true, force: true });
}
