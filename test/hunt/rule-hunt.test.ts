/**
 * A user's rule run as a hunt: the window replaces the rule's own time range when HuntOps
 * recognises it, and only the timespan literal changes; otherwise the rule runs as written and
 * the result says the window is the backend's to apply.
 */
import path from 'node:path';
import { KqlLiteralError } from '../../src/hunt/kql-builder';
import { buildRuleHunt, describeRuleWindow, type RuleHunt } from '../../src/hunt/rule-hunt';
import { loadRuleDir, type HuntingRule } from '../../src/hunt/rules';
import { parseWindow } from '../../src/hunt/window';
import { KustoReferee } from '../support/kql-language-service';
import { RMM_HUNTS_DIR } from '../support/shared';

const SEVEN_DAYS = parseWindow('7d')!;

function rule(query: string): HuntingRule {
  return { id: 'r-1', name: 'My rule', description: '', query, tables: [], tactics: [], techniques: [], source: 'my-rule.yaml' };
}

function hunt(query: string, window = SEVEN_DAYS): RuleHunt {
  return buildRuleHunt(rule(query), { window });
}

describe('buildRuleHunt on the public rules', () => {
  let rules: HuntingRule[];
  beforeAll(async () => {
    const loaded = await loadRuleDir(RMM_HUNTS_DIR);
    expect(loaded.problems).toEqual([]);
    rules = loaded.rules;
  });

  test('every public rule: the window replaces now(-5d) of Time_start, and nothing else changes', () => {
    expect(rules).toHaveLength(168);
    for (const r of rules) {
      const file = path.basename(r.source);
      const line = r.query.split('\n').findIndex((l) => l.includes('let Time_start = now(-5d);')) + 1;
      expect({ file, line: line > 0 }).toEqual({ file, line: true });
      const result = buildRuleHunt(r, { window: parseWindow('36h')! });
      expect({ file, applied: result.windowApplied }).toEqual({ file, applied: { by: 'query', edits: [{ line, before: 'now(-5d)', after: 'now(-36h)' }] } });
      expect({ file, kql: result.kql }).toEqual({ file, kql: r.query.replace('let Time_start = now(-5d);', 'let Time_start = now(-36h);') });
    }
  });

  test("Kusto's verdict on each rewritten rule is its verdict on the rule", () => {
    const referee = new KustoReferee();
    const messages = (kql: string) => referee.errors(kql).map((e) => e.message);
    for (const r of rules) {
      const file = path.basename(r.source);
      expect({ file, errors: messages(buildRuleHunt(r, { window: SEVEN_DAYS }).kql) }).toEqual({ file, errors: messages(r.query) });
    }
  }, 60_000);
});

describe('buildRuleHunt: recognised time ranges', () => {
  test.each([
    ['ago() inline', 'DeviceProcessEvents\n| where Timestamp > ago(5d)\n| take 10', 'DeviceProcessEvents\n| where Timestamp > ago(7d)\n| take 10', 'ago(5d)', 'ago(7d)'],
    ['>= now(-...) on TimeGenerated', 'DeviceProcessEvents | where TimeGenerated >= now(-2h)', 'DeviceProcessEvents | where TimeGenerated >= now(-7d)', 'now(-2h)', 'now(-7d)'],
    ['between ago() and now()', 'T | where Timestamp between (ago(30d) .. now())', 'T | where Timestamp between (ago(7d) .. now())', 'ago(30d)', 'ago(7d)'],
    ['a lookback let', 'let lookback = 14d;\nT | where Timestamp > ago(lookback)', 'let lookback = 7d;\nT | where Timestamp > ago(lookback)', 'lookback = 14d', 'lookback = 7d'],
    ['an ago() start let', 'let Time_start = ago(1d);\nlet Time_end = now();\nT | where Timestamp between (Time_start..Time_end)', 'let Time_start = ago(7d);\nlet Time_end = now();\nT | where Timestamp between (Time_start..Time_end)', 'ago(1d)', 'ago(7d)'],
    ['other names for the lets', 'let s = now(-3d);\nlet e = now();\nT | where Timestamp between (s .. e)', 'let s = now(-7d);\nlet e = now();\nT | where Timestamp between (s .. e)', 'now(-3d)', 'now(-7d)'],
  ])('%s', (_name, query, expected, before, after) => {
    const result = hunt(query);
    expect(result.kql).toBe(expected);
    expect(result.windowApplied).toEqual({ by: 'query', edits: [{ line: expect.any(Number), before, after }] });
  });

  test('a range used in several places is one edit; inline ranges are one edit each, with their lines', () => {
    const query = [
      'let Time_start = now(-5d);',
      'let Time_end = now();',
      'let files = DeviceFileCertificateInfo | where Timestamp between (Time_start..Time_end) | distinct SHA1;',
      'DeviceProcessEvents',
      '| where Timestamp between (Time_start..Time_end)',
      '| where SHA1 in (files)',
      '| join (DeviceNetworkEvents | where Timestamp > ago(1h)) on DeviceId',
    ].join('\n');
    const result = hunt(query, parseWindow('90m')!);
    expect(result.windowApplied).toEqual({
      by: 'query',
      edits: [
        { line: 1, before: 'now(-5d)', after: 'now(-90m)' },
        { line: 7, before: 'ago(1h)', after: 'ago(90m)' },
      ],
    });
    expect(result.kql).toBe(query.replace('now(-5d)', 'now(-90m)').replace('ago(1h)', 'ago(90m)'));
  });

  test('comments and strings that look like time ranges are left alone', () => {
    const query = [
      '// let Time_start = now(-30d);',
      'let Time_start = now(-5d);',
      'let Time_end = now();',
      "T | where Timestamp between (Time_start..Time_end) and Note != 'ago(3d)' and Other != @\"now(-1d)\"",
    ].join('\n');
    const result = hunt(query);
    expect(result.kql).toBe(query.replace('let Time_start = now(-5d);', 'let Time_start = now(-7d);'));
  });

  test('CRLF line endings and tabs do not get in the way', () => {
    const query = 'let Time_start = now(-5d);\r\nlet Time_end = now();\r\nT\r\n|\twhere Timestamp between (Time_start .. Time_end)';
    const result = hunt(query);
    expect(result.kql).toBe(query.replace('now(-5d)', 'now(-7d)'));
    expect(result.windowApplied).toEqual({ by: 'query', edits: [{ line: 1, before: 'now(-5d)', after: 'now(-7d)' }] });
  });

  test('the window enters only as a timespan literal; a window that is not one is refused', () => {
    expect(hunt('T | where Timestamp > ago(1d)', parseWindow('P1DT12H')!).kql).toBe('T | where Timestamp > ago(36h)');
    expect(() => hunt('T | where Timestamp > ago(1d)', { ms: Number.NaN })).toThrow(KqlLiteralError);
    expect(() => hunt('T | take 1', { ms: 1 })).toThrow(KqlLiteralError);
  });
});

describe('buildRuleHunt: ranges left to the backend', () => {
  test.each([
    ['no time filter at all', 'DeviceProcessEvents | where FileName =~ "x.exe"', /no time range of its own/],
    ['a baseline period', 'T | where Timestamp between (ago(14d) .. ago(1d))\n| join (T | where Timestamp > ago(1d)) on DeviceId', /line 1, column 30 \('ago'\)/],
    ['startofday()', 'T | where Timestamp > startofday(ago(7d))', /line 1, column 34 \('ago'\)/],
    ['a time let used elsewhere too', 'let Time_start = now(-5d);\nT | where Timestamp > Time_start | extend Since = Time_start', /line 2, column 51 \('Time_start'\)/],
    ['a time let declared twice', 'let s = now(-5d);\nlet s = now(-1d);\nT | where Timestamp > s', /line 1, column 9 \('now'\)/],
    ['now() in a computation', 'T | where Timestamp > ago(7d) | extend Age = now() - Timestamp', /line 1, column 46 \('now'\)/],
    ['an absolute range', 'T | where Timestamp between (datetime(2024-01-01) .. datetime(2024-02-01))', /no time range of its own/],
    ['a column that is not the time column', 'T | where ProcessCreationTime > ago(7d)', /line 1, column 33 \('ago'\)/],
    ['a let in a function body', 'let f = () { let s = ago(1d); T | where Timestamp > s };\nf()', /line 1, column 22 \('ago'\)/],
  ])('%s', (_name, query, reason) => {
    const result = hunt(query);
    expect(result.kql).toBe(query);
    expect(result.windowApplied.by).toBe('backend');
    expect(result.windowApplied.by === 'backend' && result.windowApplied.reason).toMatch(reason);
  });

  test('text the tokenizer cannot read is run as written', () => {
    const query = "T | where Name == 'unterminated";
    const result = hunt(query);
    expect(result.kql).toBe(query);
    expect(result.windowApplied.by === 'backend' && result.windowApplied.reason).toMatch(/could not be read for a time range/);
  });

  test('an unused time let does not stop the window replacing the range that is used', () => {
    const query = 'let unused = now(-30d);\nT | where Timestamp > ago(2d)';
    expect(hunt(query).kql).toBe('let unused = now(-30d);\nT | where Timestamp > ago(7d)');
  });
});

describe('describeRuleWindow', () => {
  test('says what replaced what', () => {
    const result = hunt('let Time_start = now(-5d);\nlet Time_end = now();\nT | where Timestamp between (Time_start..Time_end)');
    expect(describeRuleWindow(result, { backendAppliesWindow: true })).toBe("The last 7 days replaced the rule's own time range: now(-5d) → now(-7d) (line 1).");
  });

  test('says whether the backend limits a rule it could not rewrite', () => {
    const result = hunt('T | take 10');
    expect(describeRuleWindow(result, { backendAppliesWindow: true })).toBe(
      'The rule ran as written, limited to the last 7 days by the backend: it has no time range of its own (no Timestamp or TimeGenerated filter with now() or ago()).',
    );
    expect(describeRuleWindow(result, { backendAppliesWindow: false })).toBe(
      'The rule ran as written, over its own time range: it has no time range of its own (no Timestamp or TimeGenerated filter with now() or ago()), and this backend does not apply a window to it.',
    );
  });
});
