import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadCatalog, type HuntClause, type RmmTool } from '../../src/hunt/catalog';
import { loadRuleDir, type HuntingRule } from '../../src/hunt/rules';
import { DEFENDER_SCHEMAS } from '../../src/kql/schemas';
import { RMM_HUNTS_DIR } from '../support/shared';

const catalog = loadCatalog();
const REPO = path.resolve(__dirname, '..', '..');

/** KQL string literals ('...' or "...", verbatim @'...' too) in order, comments left out. */
function stringLiterals(kql: string): string[] {
  const values: string[] = [];
  const token = /@'([^'\n]*)'|@"([^"\n]*)"|'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|\/\/[^\n]*/g;
  for (const match of kql.matchAll(token)) {
    if (match[0].startsWith('//')) continue;
    const verbatim = match[1] ?? match[2];
    values.push(verbatim ?? (match[3] ?? match[4]!).replace(/\\(.)/g, '$1'));
  }
  return values;
}

/**
 * The signer names of a file-signature rule, read with a regular expression and independently
 * of the extractor: the literals of `| where Signer has '…'` or `| where Signer has_any (…)`.
 */
function signersOf(query: string): string[] {
  const code = query.replace(/('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")|\/\/[^\n]*/g, (_match, literal: string | undefined) => literal ?? '');
  const single = /\|\s*where\s+Signer\s+has\s+('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/.exec(code);
  const many = /\|\s*where\s+Signer\s+has_any\s*\(([^)]*)\)/.exec(code);
  expect(Number(Boolean(single)) + Number(Boolean(many))).toBe(1);
  return stringLiterals(single ? single[1]! : many![1]!);
}

/** A hunt the public rules give (not one built from LOLRMM). */
function fromRule(hunt: { readonly ruleId: string }): boolean {
  return !hunt.ruleId.startsWith('lolrmm:');
}

function normalKey(word: string): string {
  return word.toLowerCase().replace(/[\s_-]+/g, '');
}

function kindOf(rule: HuntingRule): 'fileSignature' | 'process' | 'network' | 'all' {
  if (/ - All Tools - /.test(rule.name)) return 'all';
  if (rule.name.endsWith(' - File Signature')) return 'fileSignature';
  if (rule.name.endsWith(' - Create Process')) return 'process';
  if (rule.name.endsWith(' - Network Connection')) return 'network';
  throw new Error(`unexpected rule name ${rule.name}`);
}

describe('the catalog against the public rules', () => {
  let rules: HuntingRule[];
  beforeAll(async () => {
    const loaded = await loadRuleDir(RMM_HUNTS_DIR);
    expect(loaded.problems).toEqual([]);
    rules = loaded.rules;
  });

  test('for every file-signature rule the catalog holds exactly its signer names', () => {
    const fileRules = rules.filter((r) => kindOf(r) === 'fileSignature');
    expect(fileRules).toHaveLength(52);
    for (const rule of fileRules) {
      const tools = catalog.tools.filter((t) => t.fileSignature?.ruleId === rule.id);
      expect({ rule: path.basename(rule.source), tools: tools.length }).toEqual({ rule: path.basename(rule.source), tools: 1 });
      expect({ rule: path.basename(rule.source), signers: tools[0]!.fileSignature!.signers }).toEqual({
        rule: path.basename(rule.source),
        signers: signersOf(rule.query),
      });
    }
    expect(catalog.tools.filter((t) => t.fileSignature && fromRule(t.fileSignature))).toHaveLength(52);
  });

  test('the signers include the non-ASCII, punctuated and lower-case names as written', () => {
    expect(catalog.get('dwservice')!.fileSignature!.signers).toEqual(['DWSNET OÜ']);
    expect(catalog.get('server-eye')!.fileSignature!.signers).toEqual(['Krämer IT Solutions GmbH']);
    expect(catalog.get('anydesk')!.fileSignature!.signers).toEqual(['anydesk software', 'philandro software']);
    expect(catalog.get('connectwise')!.fileSignature!.signers).toEqual(['ConnectWise', 'CONTINUUM MANAGED', 'ScreenConnect']);
    expect(catalog.get('screenmeet')!.fileSignature!.signers).toEqual(['Projector.is, Inc.']);
    expect(catalog.get('kaseya')!.fileSignature!.signers).toEqual(['Kaseya']);
  });

  test('every process and network rule belongs to exactly one tool, and every string the catalog holds is in its rule', () => {
    for (const rule of rules) {
      const kind = kindOf(rule);
      if (kind === 'fileSignature') continue;
      const owners = catalog.tools.filter((t) => (kind === 'process' ? t.process : t.network)?.ruleId === rule.id);
      if (kind === 'all') {
        expect(owners.map((t) => t.id).sort()).toEqual(['alpemix', 'anyplace-control', 'beamyourscreen', 'itarian', 'jumpcloud', 'syspectr', 'techinline', 'tsplus']);
      } else {
        expect({ rule: path.basename(rule.source), owners: owners.length }).toEqual({ rule: path.basename(rule.source), owners: 1 });
      }
      const literals = new Set(stringLiterals(rule.query));
      for (const tool of owners) {
        const hunt = (kind === 'process' ? tool.process : tool.network)!;
        for (const clause of hunt.filter) {
          for (const predicate of clause) {
            if (!('values' in predicate)) continue;
            for (const value of predicate.values) {
              expect({ rule: path.basename(rule.source), value, literal: literals.has(value) }).toEqual({ rule: path.basename(rule.source), value, literal: true });
            }
          }
        }
      }
    }
    expect(catalog.tools.filter((t) => t.process && fromRule(t.process))).toHaveLength(56);
    expect(catalog.tools.filter((t) => t.network && fromRule(t.network))).toHaveLength(67);
  });

  test('the tools of the all-tools list that have no rule of their own hunt its domains', () => {
    const all = rules.find((r) => kindOf(r) === 'all')!;
    const { provenance, ...network } = catalog.get('alpemix')!.network!;
    expect(provenance).toEqual(['alpemix.com', 'teknopars.com'].map((value) => ({ value, column: 'RemoteUrl', source: 'rmm-hunts/rmm__all_netconn.yaml', reason: 'tested by the public rule' })));
    expect(network).toEqual({
      ruleId: all.id,
      domains: ['alpemix.com', 'teknopars.com'],
      companies: [],
      products: [],
      fileNames: [],
      requiresEmptyCompany: false,
      filter: [[{ column: 'RemoteUrl', op: 'has', values: ['alpemix.com', 'teknopars.com'] }]],
    });
  });

  test('the hunts the public rules got wrong hold what the rules evidently meant', () => {
    expect(catalog.get('dwservice')!.process!.filter).toEqual([[{ column: 'SHA1', op: 'signedBy', values: ['DWSNET OÜ'] }]]);
    expect(catalog.get('dwservice')!.network!.filter).toEqual([
      [{ column: 'RemoteUrl', op: 'has', values: ['dwservice.net'] }],
      [{ column: 'InitiatingProcessSHA1', op: 'signedBy', values: ['DWSNET OÜ'] }],
    ]);
    expect(catalog.get('level')!.process!.filter).toEqual([
      [{ column: 'FileName', op: 'startswith', values: ['level'] }],
      [{ column: 'FolderPath', op: 'has', values: ['\\Program Files\\Level\\', '\\Program Files (x86)\\Level\\'] }],
      [{ column: 'ProcessVersionInfoCompanyName', op: 'isempty' }],
      [{ column: 'ProcessVersionInfoProductName', op: 'isempty' }],
    ]);
    expect(catalog.get('msp360')!.network!.domains).toEqual([
      'rm.mspbackups.com',
      'client.rmm.mspbackups.com',
      'settings.services.mspbackups.com',
      'connect.ra.msp360.com',
      'foris.cloudberrylab.com',
    ]);
    expect(catalog.get('zoho-assist')!.network!.domains).toHaveLength(18);
  });

  test('conditions joined by or in the rules stay alternatives', () => {
    expect(catalog.get('panorama9')!.process!.filter).toEqual([
      [
        { column: 'ProcessVersionInfoCompanyName', op: 'has', values: ['panorama9'] },
        { column: 'ProcessVersionInfoProductName', op: 'has', values: ['panorama9'] },
      ],
    ]);
    expect(catalog.get('pdq')!.process!.filter).toEqual([
      [
        { column: 'ProcessVersionInfoProductName', op: 'has', values: ['PDQConnectAgent'] },
        { column: 'FileName', op: '=~', values: ['pdq-connect-agent.exe'] },
      ],
    ]);
    const datto = catalog.get('datto')!.network!;
    expect(datto.requiresEmptyCompany).toBe(false);
    expect(datto.filter[1]).toEqual([
      { column: 'InitiatingProcessVersionInfoCompanyName', op: 'has', values: ['CentraStage', 'Datto', 'Kaseya'] },
      { column: 'InitiatingProcessVersionInfoCompanyName', op: 'isempty' },
    ]);
    expect(catalog.get('addigy')!.network!.requiresEmptyCompany).toBe(true);
  });

  test(
    'the committed catalog is what the extractor makes of the rules, and it prints the flaws it found',
    async () => {
      const { stdout } = await promisify(execFile)(process.execPath, [path.join(REPO, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/extract-catalog.ts', '--check'], {
        cwd: REPO,
        maxBuffer: 10 * 1024 * 1024,
      });
      expect(stdout).toContain('src/hunt/rmm-catalog.json is up to date');
      expect(stdout).toMatch(/rmm_Level_createproc\.yaml \(query line 7\): two operators in a row \('has_all has_any'\)/);
      expect(stdout).toMatch(/rmm_DWService_createproc\.yaml \(query line 12\): '\| Sha1 in \(rmmInitialFileSet\)' has no query operator/);
      expect(stdout).toMatch(/rmm_DWService_netconn\.yaml \(query line 8\): 'Sha1' is not a column/);
      expect(stdout).toMatch(/rmm_MSP360_CloudBerry_netconn\.yaml \(query line 11\): a list ends with a comma/);
      expect(stdout).toMatch(/rmm_ZohoAssist_netconn\.yaml \(query line 24\): a list ends with a comma/);
      const accountUpn = stdout.split('\n').filter((line) => line.includes("DeviceNetworkEvents has no column 'AccountUpn'"));
      expect(accountUpn).toHaveLength(rules.filter((r) => kindOf(r) === 'network' || kindOf(r) === 'all').length);
      expect(stdout).not.toMatch(/none known: the rule was not used/);
    },
    120_000,
  );
});

describe('the catalog itself', () => {
  test('ids are stable lower-case words, unique', () => {
    const ids = catalog.tools.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/);
    expect(catalog.tools).toHaveLength(211);
  });

  test('every tool is found by its id, name and aliases, in any case', () => {
    for (const tool of catalog.tools) {
      for (const key of [tool.id, tool.name, ...tool.aliases]) {
        for (const spelling of [key, key.toUpperCase(), key.toLowerCase(), key.replace(/\b\w/g, (c) => c.toUpperCase())]) {
          expect({ spelling, found: catalog.find(spelling)?.id }).toEqual({ spelling, found: tool.id });
        }
      }
      expect(catalog.get(tool.id)).toBe(tool);
    }
  });

  test('the aliases analysts type find the right tool', () => {
    const expected: Array<[string, string]> = [
      ['screenconnect', 'connectwise'],
      ['ScreenConnect', 'connectwise'],
      ['n-able', 'n-able'],
      ['nable', 'n-able'],
      ['ninja', 'ninjarmm'],
      ['datto', 'datto'],
      ['splashtop', 'splashtop'],
      ['zoho', 'zoho-assist'],
      ['Zoho Assist', 'zoho-assist'],
      ['bomgar', 'beyondtrust'],
      ['kaseya vsa', 'kaseya'],
    ];
    for (const [word, id] of expected) expect({ word, id: catalog.find(word)?.id }).toEqual({ word, id });
    expect(catalog.find('vnc')?.name).toBe('VNC');
    expect(catalog.find('screen')).toBeUndefined();
  });

  test('no name or alias belongs to two tools', () => {
    const owner = new Map<string, string>();
    for (const tool of catalog.tools) {
      for (const key of new Set([tool.id, tool.name, ...tool.aliases].map(normalKey))) {
        expect({ key, owner: owner.get(key) ?? tool.id }).toEqual({ key, owner: tool.id });
        owner.set(key, tool.id);
      }
      for (const alias of tool.aliases) expect(alias).toBe(alias.toLowerCase());
    }
  });

  test.each([
    ['kasea', 'Kaseya'],
    ['anydisk', 'AnyDesk'],
    ['teamveiwer', 'TeamViewer'],
    ['screenconect', 'ConnectWise'],
    ['splashtp', 'Splashtop'],
  ])('suggest(%j) puts %s first', (word, name) => {
    expect(catalog.suggest(word)[0]?.name).toBe(name);
  });

  test('suggest offers nothing for a word like no tool', () => {
    expect(catalog.suggest('xylophone')).toEqual([]);
  });

  test('every tool has a hunt, and every hunt tests columns its table has', () => {
    const columns = (table: keyof typeof DEFENDER_SCHEMAS) => new Set(DEFENDER_SCHEMAS[table].map((c) => c.name));
    const check = (filter: readonly HuntClause[], table: keyof typeof DEFENDER_SCHEMAS, tool: RmmTool) => {
      expect(filter.length).toBeGreaterThan(0);
      for (const clause of filter) {
        expect(clause.length).toBeGreaterThan(0);
        for (const predicate of clause) {
          expect({ tool: tool.id, column: predicate.column, known: columns(table).has(predicate.column) }).toEqual({ tool: tool.id, column: predicate.column, known: true });
          if ('values' in predicate) expect(predicate.values.length).toBeGreaterThan(0);
        }
      }
    };
    for (const tool of catalog.tools) {
      expect(Boolean(tool.fileSignature || tool.process || tool.network)).toBe(true);
      if (tool.fileSignature) expect(tool.fileSignature.signers.length).toBeGreaterThan(0);
      if (tool.process) check(tool.process.filter, 'DeviceProcessEvents', tool);
      if (tool.network) check(tool.network.filter, 'DeviceNetworkEvents', tool);
    }
  });

  test('the strings listed beside each filter are the ones the filter tests', () => {
    const has = (filter: readonly HuntClause[], column: string) => [...new Set(filter.flat().flatMap((p) => (p.column === column && p.op === 'has' ? p.values : [])))];
    for (const tool of catalog.tools) {
      if (tool.process) {
        expect(tool.process.companies).toEqual(has(tool.process.filter, 'ProcessVersionInfoCompanyName'));
        expect(tool.process.products).toEqual(has(tool.process.filter, 'ProcessVersionInfoProductName'));
      }
      if (tool.network) {
        expect(tool.network.domains).toEqual(has(tool.network.filter, 'RemoteUrl'));
        expect(tool.network.companies).toEqual(has(tool.network.filter, 'InitiatingProcessVersionInfoCompanyName'));
        expect(tool.network.products).toEqual(has(tool.network.filter, 'InitiatingProcessVersionInfoProductName'));
        expect(tool.network.fileNames).toEqual(has(tool.network.filter, 'InitiatingProcessFileName'));
      }
    }
  });
});
