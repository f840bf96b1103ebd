/**
 * The `huntops` command: any chat command from a terminal, against the configured backend (here
 * the embedded default: the sample data), as a readable table or the cards' JSON.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main';

let dir: string;
const saved = { ...process.env };

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-cli-'));
  for (const name of Object.keys(process.env)) if (/^(HUNT_|LOG_ANALYTICS_|Microsoft)/.test(name)) delete process.env[name];
  process.env.HUNT_STORE = `sqlite:${path.join(dir, 'huntops.db')}`;
});

afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli(argv, (text) => lines.push(text));
  return { code, out: lines.join('\n') };
}

test('huntops "hunt kaseya 5d" prints a table of the devices', async () => {
  const { code, out } = await run('hunt kaseya 5d');
  expect(code).toBe(0);
  expect(out).toMatch(/^Kaseya: 4 devices in the last 5 days/);
  expect(out).toMatch(/^Device\s+First seen \(UTC\)\s+Last seen \(UTC\)\s+Count/m);
  for (const device of ['it-adm-003', 'lt-hr-207', 'srv-mgmt-01', 'ws-fin-014']) expect(out).toMatch(new RegExp(`^${device}\\S*\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\dZ`, 'm'));
});

test('words may come separately, and every page is printed', async () => {
  const { code, out } = await run('hunt', 'all', '5d');
  expect(code).toBe(0);
  const rows = out.split('\n').filter((l) => /\.corp\.contoso\.com|^\S+\s+lt-sal-/.test(l));
  expect(rows.length).toBeGreaterThan(20);
  expect(out).toMatch(/^Tool\s+Device/m);
});

test('--json prints the cards', async () => {
  const { code, out } = await run('--json', 'hunt', 'kaseya', '5d');
  expect(code).toBe(0);
  const cards = JSON.parse(out);
  expect(cards).toHaveLength(1);
  expect(cards[0]).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
  expect(JSON.stringify(cards[0])).toContain('ws-fin-014');
});

test('a wrong command exits 2 with the usage; no command prints the usage', async () => {
  const wrong = await run('hunt', 'kasea');
  expect(wrong.code).toBe(2);
  expect(wrong.out).toMatch(/I don't know the tool 'kasea'[\s\S]*Usage:\n  hunt <tool>/);
  const none = await run();
  expect(none.code).toBe(2);
  expect(none.out).toMatch(/^usage: huntops/);
});

test('exclusions made in the terminal shape later hunts', async () => {
  expect((await run('exclude device ws-fin-014 reason "jump host" tool kaseya')).code).toBe(0);
  const { out } = await run('hunt kaseya 5d');
  expect(out).toMatch(/^Kaseya: 3 devices/);
  expect(out).toContain('1 device is hidden by exclusions');
});

test('words come as the shell split them: a quoted reason stays one word', async () => {
  const made = await run('exclude', 'device', 'it-adm-003', 'reason', 'IT admin', 'for', '7d', 'tool', 'kaseya');
  expect(made.code).toBe(0);
  expect(made.out).toContain('Excluded it-adm-003 from Kaseya hunts until');
  expect(made.out).toMatch(/^it-adm-003\s+Kaseya hunts\s+IT admin\s/m);
});

test('exit codes: 1 when it could not be done, 2 only for a wrong command', async () => {
  expect((await run('unexclude', 'no-such-device')).code).toBe(1);
  expect((await run('unexclude')).code).toBe(2);
  expect((await run('hunt', 'kaseya', '5d', 'in', 'emea')).code).toBe(1);
  expect((await run('frobnicate')).code).toBe(2);
});

test('sanctions from the terminal mark later hunts; a watch, with nowhere to post, is refused', async () => {
  const made = await run('sanction', 'kaseya', 'instance', 'vsa.contoso.com', 'managedsupport.kaseya.net', 'reason', "Contoso IT's VSA");
  expect(made.code).toBe(0);
  expect(made.out).toMatch(/^Kaseya\s+managedsupport\.kaseya\.net, vsa\.contoso\.com\s+Contoso IT's VSA/m);
  const { out } = await run('hunt kaseya 5d');
  expect(out).toMatch(/^Device\s+First seen \(UTC\)\s+Last seen \(UTC\)\s+Count\s+Sanction/m);
  // (ws-fin-014 and it-adm-003 are excluded by the tests above.)
  expect(out).toMatch(/^srv-mgmt-01\S*\s.*\sSanctioned\s*$/m);
  expect(out).toMatch(/^lt-hr-207\S*\s.*\sSanctioned\s*$/m);
  const check = await run('check ws-fin-014 5d');
  expect(check.out).toMatch(/^Kaseya\s.*Unsanctioned instance: rmm-7731\.kaseya\.net/m);
  expect((await run('unsanction', 'kaseya')).code).toBe(0);

  const watch = await run('watch', 'kaseya', 'every', '1h');
  expect(watch.code).toBe(1);
  expect(watch.out).toMatch(/^A watch posts into a conversation/);
  expect((await run('watches')).out).toMatch(/^Active watches \(0\)/m);
});
