/**
 * Every public RMM hunting rule (`../shared/rmm-hunts/`, read with `loadRuleDir`) on the local
 * backend over generated data (the generator's large preset, which plants every hunt of every
 * catalog tool on known devices), in JSONL and in CSV:
 *
 * - a rule Kusto's own analyser accepts runs, and finds exactly the devices an independent oracle
 *   finds (the catalog's filter evaluated row by row, `has` as a regular expression), which include
 *   the devices planted for that tool and hunt;
 * - a rule Kusto refuses is refused by the engine the same way: a syntax error where Kusto's parser
 *   reports one (at the position of the first it reports), otherwise a semantic error at the
 *   position of Kusto's first error; no rows;
 * - each refused rule, repaired as its authors meant it, is valid KQL and finds the right devices.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BackendError, type Backend } from '../../src/backends/backend';
import { createLocalBackend } from '../../src/backends/local';
import { loadCatalog, type HuntClause, type RmmTool } from '../../src/hunt/catalog';
import { loadRuleDir, type HuntingRule } from '../../src/hunt/rules';
import { parseWindow } from '../../src/hunt/window';
import { KqlError } from '../../src/kql';
import { SourceText } from '../../src/kql/source-text';
import { generateDataset, type DatasetInfo } from '../../scripts/generate-data';
import { KustoReferee } from '../support/kql-language-service';
import { hasByRegex, hostOf, hostsMatching, inWindow, readRows, type EventRow } from '../support/kql-rule-oracle';
import { RMM_HUNTS_DIR, SHARED_DIR } from '../support/shared';

jest.setTimeout(180_000);

/**
 * The public rules other than the network ones that Kusto refuses, and why (the test checks this
 * list against Kusto's analyser). Every network rule is refused too: they all summarise by
 * `AccountUpn`, which `DeviceNetworkEvents` does not have.
 */
const REFUSED_RULES: Readonly<Record<string, string>> = {
  'rmm_DWService_createproc.yaml': "Sha1 is not a column (SHA1; case matters), and the line '| Sha1 in (...)' has no operator",
  'rmm_DWService_netconn.yaml': 'Sha1 is not a column (SHA1); and AccountUpn',
  'rmm_Level_createproc.yaml': "'has_all has_any (...)' is not an expression",
  'rmm_MSP360_CloudBerry_netconn.yaml': 'a trailing comma in the has_any list; and AccountUpn',
  'rmm_ZohoAssist_netconn.yaml': 'a trailing comma in the has_any list; and AccountUpn',
};

const WINDOW = parseWindow('5d')!;
const DAY = 86_400_000;
const ruleFiles = readdirSync(RMM_HUNTS_DIR).filter((f) => f.endsWith('.yaml')).sort();
const catalog = loadCatalog();

/** The repair of a refused rule: what its authors meant. */
function repair(query: string): string {
  const network = /\bDeviceNetworkEvents\b/.test(query);
  let fixed = query
    .replace(/\bSha1\b/g, 'SHA1')
    .replace(/\|\s*SHA1 in \(/, '| where SHA1 in (')
    .replace('has_all has_any', 'has_any')
    .replace(/,([ \t]*(?:\/\/[^\n]*)?\s*)\)/g, '$1)');
  if (network) fixed = fixed.replace(/AccountUpn,\s*/g, '');
  return fixed;
}

interface DataSet {
  readonly dir: string;
  readonly info: DatasetInfo;
  readonly backend: Backend;
}

let jsonl: DataSet;
let csv: DataSet;
let rules: HuntingRule[];
let kusto: KustoReferee;
let rowsOf: (table: string) => EventRow[];
const start = (info: DatasetInfo): number => Date.parse(info.anchor) - 5 * DAY;

async function dataSet(format: 'jsonl' | 'csv'): Promise<DataSet> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `huntops-rules-${format}-`));
  const info = await generateDataset({ out: dir, preset: 'large', rows: 1500, format });
  const now = new Date(info.anchor);
  return { dir, info, backend: createLocalBackend({ dataDir: dir, now: () => now, maxWindow: parseWindow('30d')! }) };
}

beforeAll(async () => {
  [jsonl, csv] = await Promise.all([dataSet('jsonl'), dataSet('csv')]);
  const cache = new Map<string, EventRow[]>();
  rowsOf = (table) => {
    if (!cache.has(table)) cache.set(table, inWindow(readRows(jsonl.dir, table), start(jsonl.info), Date.parse(jsonl.info.anchor)));
    return cache.get(table)!;
  };
  const loaded = await loadRuleDir(RMM_HUNTS_DIR);
  expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
  rules = loaded.rules;
  kusto = new KustoReferee();
});

afterAll(() => {
  for (const set of [jsonl, csv]) if (set) rmSync(set.dir, { recursive: true, force: true });
});

const ruleOf = (file: string): HuntingRule => {
  const rule = rules.find((r) => path.basename(r.source) === file);
  if (!rule) throw new Error(`no rule loaded from ${file}`);
  return rule;
};

async function refusal(backend: Backend, query: string): Promise<KqlError> {
  try {
    await backend.run({ kql: query, window: WINDOW });
  } catch (e) {
    if (e instanceof BackendError && e.options.cause instanceof KqlError) return e.options.cause;
    throw e;
  }
  throw new Error('the engine returned rows for a query Kusto refuses');
}

async function hosts(backend: Backend, query: string): Promise<string[]> {
  const result = await backend.run({ kql: query, window: WINDOW });
  return [...new Set(result.rows.map((r) => hostOf(String(r['DeviceName']))))].sort();
}

/** The devices the rule should find, by the oracle, and those planted for it. */
function expectedHosts(rule: HuntingRule): { oracle: string[]; planted: string[] } {
  const hunt = (tool: RmmTool): 'fileSignature' | 'process' | 'network' | undefined =>
    tool.fileSignature?.ruleId === rule.id ? 'fileSignature' : tool.process?.ruleId === rule.id ? 'process' : tool.network?.ruleId === rule.id ? 'network' : undefined;
  const tools = catalog.tools.filter((t) => hunt(t) !== undefined);
  if (tools.length === 0) throw new Error(`no catalog tool has the rule ${rule.id}`);
  const planted = (jsonl.info.synthetic ?? []).filter((p) => tools.some((t) => t.id === p.tool && hunt(t) === p.hunt)).flatMap((p) => p.devices);
  const certificates = rowsOf('DeviceFileCertificateInfo');
  let oracle: Set<string>;
  if (path.basename(rule.source) === 'rmm__all_netconn.yaml') {
    const uris = readFileSync(path.join(SHARED_DIR, 'rmm-hunts', 'RMM_SummaryNetworkURI.csv'), 'utf8').split(/\r?\n/).slice(1).filter(Boolean).map((line) => line.split(',')[0]!);
    oracle = new Set(rowsOf('DeviceNetworkEvents').filter((r) => uris.some((u) => hasByRegex(String(r['RemoteUrl']), u))).map((r) => hostOf(String(r['DeviceName']))));
  } else {
    const tool = tools[0]!;
    const kind = hunt(tool)!;
    const filter: readonly HuntClause[] =
      kind === 'fileSignature' ? [tool.fileSignature!.signers.map((v) => ({ column: 'Signer', op: 'has' as const, values: [v] }))] : tool[kind]!.filter;
    const table = kind === 'fileSignature' ? 'DeviceFileCertificateInfo' : kind === 'process' ? 'DeviceProcessEvents' : 'DeviceNetworkEvents';
    oracle = hostsMatching(rowsOf(table), filter, certificates);
  }
  return { oracle: [...oracle].sort(), planted: [...new Set(planted)].sort() };
}

describe('the public RMM rules on the local backend', () => {
  test('all 168 rule files are read', () => {
    expect(ruleFiles).toHaveLength(168);
    expect(rules).toHaveLength(168);
  });

  test('Kusto refuses exactly the rules listed here: every network rule (AccountUpn) and five more', () => {
    const refused = rules.filter((r) => kusto.errors(r.query).length > 0).map((r) => path.basename(r.source)).sort();
    const networkRules = ruleFiles.filter((f) => f.endsWith('_netconn.yaml'));
    expect(networkRules).toHaveLength(60);
    expect(refused).toEqual([...new Set([...networkRules, ...Object.keys(REFUSED_RULES)])].sort());
    for (const file of networkRules) {
      expect(kusto.errors(ruleOf(file).query).map((e) => e.message)).toContain("The name 'AccountUpn' does not refer to any known column, table, variable or function.");
    }
  });

  test.each(ruleFiles)('%s', async (file) => {
    const rule = ruleOf(file);
    const errors = kusto.errors(rule.query);
    if (errors.length > 0) {
      const syntax = kusto.syntaxErrors(rule.query);
      const first = (syntax.length > 0 ? syntax : errors)[0]!;
      const position = new SourceText(rule.query).positionAt(first.start);
      for (const set of [jsonl, csv]) {
        const error = await refusal(set.backend, rule.query);
        expect({ kind: error.kind, position: error.position }).toEqual({ kind: syntax.length > 0 ? 'syntax' : 'semantic', position });
      }
      return;
    }
    const { oracle, planted } = expectedHosts(rule);
    const found = await hosts(jsonl.backend, rule.query);
    expect(planted.length).toBeGreaterThan(0);
    expect(found).toEqual(expect.arrayContaining(planted));
    expect(found).toEqual(oracle);
    expect(await csv.backend.run({ kql: rule.query, window: WINDOW })).toEqual(await jsonl.backend.run({ kql: rule.query, window: WINDOW }));
  });

  const refusedFiles = ruleFiles.filter((f) => f.endsWith('_netconn.yaml') || REFUSED_RULES[f] !== undefined);

  test.each(refusedFiles)('%s, repaired as meant, is valid KQL and finds the right devices', async (file) => {
    const query = repair(ruleOf(file).query);
    expect(kusto.errors(query)).toEqual([]);
    const { oracle, planted } = expectedHosts(ruleOf(file));
    const found = await hosts(jsonl.backend, query);
    expect(planted.length).toBeGreaterThan(0);
    expect(found).toEqual(expect.arrayContaining(planted));
    expect(found).toEqual(oracle);
  });
});
