/**
 * The other hunts through whole turns, on the shipped sample data: a tool's process and network
 * hunts, every tool at once, the on-call device check, and the user's own rules from a folder.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalBackend } from '../../src/backends/local';
import { SAMPLE_DATA_DIR } from '../../src/config';
import { loadRuleBook } from '../../src/hunt/rule-book';
import { parseWindow } from '../../src/hunt/window';
import { cardOf, cardText, startBot, type BotHarness } from '../support/bot-harness';
import type { ConnectorCall } from '../support/fake-connector';
import { RMM_HUNTS_DIR } from '../support/shared';
import { message } from '../support/teams-activities';

const KASEYA_RULE = '732033dd-039b-426e-844f-1de2a67362fa';

let bot: BotHarness;
let rulesDir: string;

beforeAll(async () => {
  rulesDir = mkdtempSync(path.join(os.tmpdir(), 'huntops-rules-'));
  copyFileSync(path.join(RMM_HUNTS_DIR, 'rmm_Kaseya_filesig.yaml'), path.join(rulesDir, 'kaseya.yaml'));
  copyFileSync(path.join(RMM_HUNTS_DIR, 'rmm_AnyDesk_netconn.yaml'), path.join(rulesDir, 'anydesk-net.yaml'));
  writeFileSync(path.join(rulesDir, 'broken.yaml'), 'name: a rule without a query\n');
  bot = await startBot({
    backend: createLocalBackend({ dataDir: SAMPLE_DATA_DIR, maxWindow: parseWindow('30d')!, label: 'sample data' }),
    rules: await loadRuleBook(rulesDir),
  });
});

afterAll(async () => {
  await bot.stop();
  rmSync(rulesDir, { recursive: true, force: true });
});

/** Posts `text` and resolves with the card that finally answers it. */
async function ask(text: string): Promise<any> {
  const before = bot.connector.calls.length;
  await bot.post(message(bot.connector.url, text));
  const mine = (c: ConnectorCall) => bot.connector.calls.indexOf(c) >= before;
  const [first] = await bot.connector.waitFor((c) => mine(c) && (c.kind === 'reply' || c.kind === 'send'));
  if (!/Hunting /.test(cardText(cardOf(first!)))) return cardOf(first!);
  const [update] = await bot.connector.waitFor((c) => mine(c) && c.kind === 'update' && c.activityId === first!.responseId);
  return cardOf(update!);
}

function hosts(card: any): string[] {
  return [...cardText(card).matchAll(/^([a-z]+-[a-z]+-\d+)(?:\.corp\.contoso\.com)?$/gm)].map((m) => m[1]!).sort();
}

test('hunt anydesk 5d proc and net', async () => {
  const proc = await ask('hunt anydesk 5d proc');
  expect(cardText(proc)).toContain('AnyDesk processes: 2 devices');
  expect(hosts(proc)).toEqual(['lt-sal-305', 'ws-fin-022']);
  const net = await ask('hunt anydesk 5d net');
  expect(cardText(net)).toContain('AnyDesk network connections: 1 device');
  expect(hosts(net)).toEqual(['lt-sal-305']);
});

test('hunt all groups the devices by tool', async () => {
  const card = await ask('hunt all 5d');
  const groups = card.body.filter((b: any) => b.type === 'Container' && b.items?.some((i: any) => i.type === 'Table'));
  const titles = groups.map((g: any) => g.items[0].text);
  expect(titles).toEqual([...titles].sort((a: string, b: string) => a.localeCompare(b)));
  expect(titles[0]).toBe('Absolute');
  expect(cardText(card)).toMatch(/All RMM tools: 2\d devices/);
  const actionGroup = groups.find((g: any) => g.items[0].text === 'Action1');
  expect(hosts(actionGroup)).toEqual(['ws-leg-011']);
  expect(cardText(card)).toContain('Page 1 of 3');
});

test('check one device: every tool seen on it, by each kind of evidence', async () => {
  const card = await ask('check srv-mgmt-01 5d');
  const text = cardText(card);
  expect(text).toContain('srv-mgmt-01: 2 RMM tools');
  expect(text).toMatch(/Kaseya\nBolder\nTextBlock\nfile signature, network · \d+ events/);
  expect(text).toMatch(/ConnectWise\nBolder\nTextBlock\nfile signature · \d+ events/);
  expect(cardText(await ask('check ws-hr-064 5d'))).toContain('ws-hr-064: no RMM tools');
});

test('rules lists the folder\'s rules and what could not be read', async () => {
  const text = cardText(await ask('rules'));
  expect(text).toContain('Remote Management and Monitoring tool - Kaseya - File Signature');
  expect(text).toContain('Remote Management and Monitoring tool - AnyDesk - Network Connection');
  expect(text).toMatch(/Could not read[\s\S]*broken\.yaml/);
});

test('the rules card names files relative to HUNT_RULES_DIR, never where the bot\'s files are', async () => {
  const text = cardText(await ask('rules'));
  expect(text).toMatch(/(^|\s)broken\.yaml: error: no 'query'/);
  expect(text).not.toContain(rulesDir);
  expect(text).not.toContain(os.tmpdir());
  const missing = await loadRuleBook(path.join(rulesDir, 'no-such-folder'));
  expect(missing.problemLines()).toEqual(['HUNT_RULES_DIR: error: rules folder not found']);
});

test('a rule runs as a hunt, the window replacing its own time range', async () => {
  const card = await ask(`hunt ${KASEYA_RULE} 5d`);
  const text = cardText(card);
  expect(text).toContain('Remote Management and Monitoring tool - Kaseya - File Signature: 4 devices');
  expect(hosts(card)).toEqual(['it-adm-003', 'lt-hr-207', 'srv-mgmt-01', 'ws-fin-014']);
  expect(text).toMatch(/The last 5 days replaced the rule's own time range: now\(-5d\) → now\(-5d\)/);
  const longer = cardText(await ask('hunt "Remote Management and Monitoring tool - Kaseya - File Signature" 10d'));
  expect(longer).toContain('5 devices');
});

test('a public rule Kusto refuses is refused with its error, not run', async () => {
  const text = cardText(await ask('hunt "Remote Management and Monitoring tool - AnyDesk - Network Connection" 5d'));
  expect(text).toContain('the hunt failed');
  expect(text).toMatch(/AccountUpn/);
});
