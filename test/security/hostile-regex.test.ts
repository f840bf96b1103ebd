/**
 * A hostile rule over adversary-written command lines, through whole turns: the probe that froze
 * the bot (`trim_end(@"(\w+\s?)*", ProcessCommandLine)`, exponential on a backtracking engine)
 * over lines built to defeat it. The hunt answers with its devices, and the event loop that serves
 * every turn is never held up for long while it runs: the rule delays nobody.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLocalBackend } from '../../src/backends/local';
import { loadRuleBook } from '../../src/hunt/rule-book';
import { parseWindow } from '../../src/hunt/window';
import { cardOf, cardText, startBot, type BotHarness } from '../support/bot-harness';
import type { ConnectorCall } from '../support/fake-connector';
import { eventFolder, type EventFolder } from '../support/event-files';
import { message } from '../support/teams-activities';

const NOW = new Date('2026-01-15T09:00:00Z');
const RULE_ID = '0b5c9f64-6d0e-4c57-9e1a-2f1f2a7d0c11';
const RULE = [
  `id: ${RULE_ID}`,
  'name: Probe - command lines that end in a bang',
  'requiredDataConnectors:',
  '  - connectorId: MicrosoftThreatProtection',
  '    dataTypes:',
  '      - DeviceProcessEvents',
  'query: |',
  '  DeviceProcessEvents',
  '  | where Timestamp > ago(1d)',
  '  | extend Tail = trim_end(@"(\\w+\\s?)*", ProcessCommandLine)',
  "  | where Tail endswith '!'",
  '  | project Timestamp, DeviceId, DeviceName',
  '',
].join('\n');

describe('a hostile regular expression in a rule', () => {
  let events: EventFolder;
  let rulesDir: string;
  let bot: BotHarness;

  beforeAll(async () => {
    events = eventFolder();
    const line = (letter: string) => `${letter.repeat(26)}!`;
    events.write(
      'DeviceProcessEvents',
      ['a', 'b', 'c', 'd'].map((letter, i) => ({
        Timestamp: new Date(NOW.getTime() - (i + 1) * 3_600_000).toISOString(),
        DeviceId: `dev${i}`.padEnd(40, '0'),
        DeviceName: `ws-probe-00${i}`,
        ProcessCommandLine: letter === 'd' ? 'cmd.exe /c whoami' : line(letter),
      })),
    );
    rulesDir = mkdtempSync(path.join(os.tmpdir(), 'huntops-rules-'));
    writeFileSync(path.join(rulesDir, 'probe.yaml'), RULE);
    bot = await startBot({
      backend: createLocalBackend({ dataDir: events.dir, now: () => NOW, maxWindow: parseWindow('30d')!, label: 'test data' }),
      rules: await loadRuleBook(rulesDir),
      now: () => NOW,
    });
  });

  afterAll(async () => {
    await bot?.stop();
    events.remove();
    rmSync(rulesDir, { recursive: true, force: true });
  });

  /** Runs the rule as a hunt; resolves with the text of its result card. */
  async function huntRule(): Promise<string> {
    const before = bot.connector.calls.length;
    const mine = (c: ConnectorCall) => bot.connector.calls.indexOf(c) >= before;
    await bot.post(message(bot.connector.url, `hunt ${RULE_ID} 5d`));
    const [ack] = await bot.connector.waitFor((c) => mine(c) && (c.kind === 'reply' || c.kind === 'send') && /Hunting /.test(cardText(cardOf(c))));
    const [result] = await bot.connector.waitFor((c) => mine(c) && c.kind === 'update' && c.activityId === ack!.responseId, 1, 60_000);
    return cardText(cardOf(result!));
  }

  test('the hunt finds its devices without holding up the event loop that serves every other turn', async () => {
    await huntRule(); // the first run loads the data and warms the code; the second is measured
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const text = await huntRule();
    delay.disable();
    expect(text).toContain('Probe - command lines that end in a bang: 3 devices');
    for (const host of ['ws-probe-000', 'ws-probe-001', 'ws-probe-002']) expect(text).toContain(host);
    expect(text).not.toContain('ws-probe-003');
    expect(delay.max / 1e6).toBeLessThan(500);
    expect(performance.now() - started).toBeLessThan(5_000);
  }, 90_000);
});
