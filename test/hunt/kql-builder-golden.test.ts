/**
 * Golden tests: every hunt the builder makes for a catalog tool is its public rule, token for
 * token (comments, layout and quoting style aside), with two kinds of differences, each stated:
 *
 * - design: the process and network hunts give one row per device, so the public rules' extra
 *   grouping keys (`AccountUpn`, `RemoteUrl`) are not in the `by` clause;
 * - design (issue #11): telemetry is written by the adversary, so every set is bounded: the public
 *   rules' `Report=make_set(ReportId)` is `Report=make_set(ReportId, 20)` plus the total
 *   `ReportCount=dcount(ReportId)`;
 * - flaws: where Kusto rejects the public rule (see `scripts/extract-catalog.ts`), the hunt is
 *   compared with the corrected rule, and the test checks that Kusto rejects the original and
 *   accepts the correction.
 */
import path from 'node:path';
import { loadCatalog, type RmmTool } from '../../src/hunt/catalog';
import { buildHuntQuery, type HuntKind } from '../../src/hunt/kql-builder';
import { loadRuleDir, type HuntingRule } from '../../src/hunt/rules';
import { parseWindow } from '../../src/hunt/window';
import { SourceText } from '../../src/kql/source-text';
import { tokenize } from '../../src/kql/tokenizer';
import { KustoReferee } from '../support/kql-language-service';
import { RMM_HUNTS_DIR } from '../support/shared';

const catalog = loadCatalog();
const FIVE_DAYS = parseWindow('5d')!;

/** The tokens Kusto's parser sees: comments dropped, string literals by value whatever their quoting. */
function tokens(kql: string): string[] {
  return tokenize(new SourceText(kql))
    .filter((t) => t.kind !== 'end')
    .map((t) => (t.kind === 'string' ? `string:${JSON.stringify(t.value)}` : t.text));
}

/**
 * Corrections of the public rules Kusto rejects, as the catalog reads them (the extractor's flaw
 * list): text replaced, each of which must occur in the rule.
 */
const CORRECTIONS: Readonly<Record<string, ReadonlyArray<readonly [string, string]>>> = {
  'rmm_DWService_createproc.yaml': [
    ['| distinct Sha1', '| distinct SHA1'],
    ['| Sha1 in (rmmInitialFileSet)', '| where SHA1 in (rmmInitialFileSet)'],
  ],
  'rmm_DWService_netconn.yaml': [['| distinct Sha1', '| distinct SHA1']],
  'rmm_Level_createproc.yaml': [['has_all has_any', 'has_any']],
  'rmm_MSP360_CloudBerry_netconn.yaml': [["'foris.cloudberrylab.com',", "'foris.cloudberrylab.com'"]],
  'rmm_ZohoAssist_netconn.yaml': [["'zohostatic.in',", "'zohostatic.in'"]],
};

function corrected(rule: HuntingRule): string {
  let query = rule.query;
  for (const [from, to] of CORRECTIONS[path.basename(rule.source)] ?? []) {
    expect({ rule: path.basename(rule.source), from, found: query.includes(from) }).toEqual({ rule: path.basename(rule.source), from, found: true });
    query = query.replace(from, to);
  }
  return query;
}

const UNBOUNDED = ['make_set', '(', 'ReportId', ')'];
const BOUNDED = ['make_set', '(', 'ReportId', ',', '20', ')', ',', 'ReportCount', '=', 'dcount', '(', 'ReportId', ')'];

/** The public rule's report set, bounded (with its count) as the hunts bound it; checked to be there once. */
function boundedSets(ruleTokens: string[]): string[] {
  const at = ruleTokens.findIndex((_, i) => UNBOUNDED.every((t, j) => ruleTokens[i + j] === t));
  expect(at).toBeGreaterThan(0);
  return [...ruleTokens.slice(0, at), ...BOUNDED, ...ruleTokens.slice(at + UNBOUNDED.length)];
}

/** The public rule's `by` keys after `DeviceId, DeviceName` dropped (one row per device), checked to be the ones expected. */
function groupedByDevice(ruleTokens: string[], dropped: readonly string[]): string[] {
  const by = ruleTokens.lastIndexOf('by');
  expect(ruleTokens.slice(by + 1)).toEqual(['DeviceId', ',', 'DeviceName', ...dropped.flatMap((key) => [',', key])]);
  return [...ruleTokens.slice(0, by + 1), 'DeviceId', ',', 'DeviceName'];
}

const KIND_OF_RULE: Readonly<Record<string, HuntKind>> = {
  ' - File Signature': 'file-signature',
  ' - Create Process': 'process',
  ' - Network Connection': 'network',
};

function ruleKind(rule: HuntingRule): HuntKind | 'all' {
  if (/ - All Tools - /.test(rule.name)) return 'all';
  const suffix = Object.keys(KIND_OF_RULE).find((s) => rule.name.endsWith(s));
  if (!suffix) throw new Error(`unexpected rule name ${rule.name}`);
  return KIND_OF_RULE[suffix]!;
}

function ruleIdOf(tool: RmmTool, kind: HuntKind): string | undefined {
  return kind === 'file-signature' ? tool.fileSignature?.ruleId : kind === 'process' ? tool.process?.ruleId : tool.network?.ruleId;
}

describe('the hunts are the public rules', () => {
  let rules: HuntingRule[];
  let referee: KustoReferee;
  beforeAll(async () => {
    const loaded = await loadRuleDir(RMM_HUNTS_DIR);
    expect(loaded.problems).toEqual([]);
    rules = loaded.rules;
    referee = new KustoReferee();
  }, 30_000);

  test.each<HuntKind>(['file-signature', 'process', 'network'])('every %s rule of a tool, token for token', (kind) => {
    const ofKind = rules.filter((r) => ruleKind(r) === kind);
    expect(ofKind.length).toBe({ 'file-signature': 52, process: 56, network: 59 }[kind]);
    for (const rule of ofKind) {
      const file = path.basename(rule.source);
      const tool = catalog.tools.find((t) => ruleIdOf(t, kind) === rule.id);
      expect({ file, tool: tool?.id ?? 'none' }).not.toEqual({ file, tool: 'none' });
      const dropped = kind === 'file-signature' ? [] : kind === 'process' ? ['AccountUpn'] : ['AccountUpn', 'RemoteUrl'];
      const expected = boundedSets(groupedByDevice(tokens(corrected(rule)), dropped));
      const built = tokens(buildHuntQuery({ tool: tool!, window: FIVE_DAYS, kind }, { dialect: 'defender' }));
      expect({ file, query: built.join(' ') }).toEqual({ file, query: expected.join(' ') });
    }
  });

  test('the corrected rules are the flawed ones: Kusto rejects each original and accepts its correction', () => {
    for (const file of Object.keys(CORRECTIONS)) {
      const rule = rules.find((r) => path.basename(r.source) === file)!;
      expect({ file, original: referee.errors(rule.query).length > 0 }).toEqual({ file, original: true });
      // The network rules also group by AccountUpn (see the next test).
      const query = ruleKind(rule) === 'network' ? corrected(rule).replace(/\bAccountUpn\b/g, 'InitiatingProcessAccountUpn') : corrected(rule);
      expect({ file, errors: referee.errors(query) }).toEqual({ file, errors: [] });
    }
  }, 30_000);

  test("the public network rules group by AccountUpn, which DeviceNetworkEvents does not have; the hunts do not need it", () => {
    const network = rules.filter((r) => ruleKind(r) === 'network' && !CORRECTIONS[path.basename(r.source)]);
    expect(network.length).toBeGreaterThan(50);
    for (const rule of network) {
      const file = path.basename(rule.source);
      const errors = referee.errors(rule.query).map((e) => e.message);
      expect({ file, errors }).toEqual({ file, errors: [expect.stringMatching(/'AccountUpn'/)] });
    }
  }, 30_000);

  test('the tools with no network rule of their own hunt their domains of the all-tools rule', () => {
    const all = rules.find((r) => ruleKind(r) === 'all')!;
    const pairs = [...all.query.matchAll(/^\s*'([^']+)',\s*'([^']+)',?\s*$/gm)].map((m) => ({ uri: m[1]!, label: m[2]! }));
    expect(pairs).toHaveLength(186);
    const tools = catalog.tools.filter((t) => t.network?.ruleId === all.id);
    expect(tools).toHaveLength(8);
    for (const tool of tools) {
      const domains = pairs.filter((p) => catalog.find(p.label) === tool).map((p) => p.uri);
      expect(domains.length).toBeGreaterThan(0);
      const expected = [
        'let Time_start = now(-5d);',
        'let Time_end = now();',
        'DeviceNetworkEvents',
        '| where Timestamp between (Time_start..Time_end)',
        domains.length === 1 ? `| where RemoteUrl has '${domains[0]}'` : `| where RemoteUrl has_any (${domains.map((d) => `'${d}'`).join(', ')})`,
        '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId, 20), ReportCount=dcount(ReportId), Count=count() by DeviceId, DeviceName',
      ].join('\n');
      expect(tokens(buildHuntQuery({ tool, window: FIVE_DAYS, kind: 'network' }, { dialect: 'defender' }))).toEqual(tokens(expected));
    }
  });
});
