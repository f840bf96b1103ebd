import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatRuleProblem, loadRuleDir, loadRuleFile, parseRuleText, type RuleLoadResult } from '../../src/hunt/rules';
import { RMM_HUNTS_DIR } from '../support/shared';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A well-formed Sentinel hunting rule, as the Sentinel repository writes them. */
const GOOD = [
  'id: 11111111-2222-3333-4444-555555555555',
  'name: Custom - AnyDesk from a finance workstation',
  'description: |',
  '  AnyDesk started on a finance workstation.',
  'requiredDataConnectors:',
  '  - connectorId: MicrosoftThreatProtection',
  '    dataTypes:',
  '      - DeviceProcessEvents',
  '      - DeviceNetworkEvents',
  'tactics:',
  '  - CommandAndControl',
  '  - Persistence',
  'relevantTechniques:',
  '  - T1219',
  'query: |',
  '  DeviceProcessEvents',
  "  | where DeviceName startswith 'ws-fin-'",
  "  | where ProcessVersionInfoCompanyName has 'AnyDesk'",
  '',
].join('\n');

const GOOD_QUERY = "DeviceProcessEvents\n| where DeviceName startswith 'ws-fin-'\n| where ProcessVersionInfoCompanyName has 'AnyDesk'\n";

function parse(text: string): RuleLoadResult {
  return parseRuleText(text, { source: 'rules/custom.yaml' });
}

describe('the public RMM rules', () => {
  let loaded: RuleLoadResult;
  beforeAll(async () => {
    loaded = await loadRuleDir(RMM_HUNTS_DIR);
  });

  test('every one of the 168 files loads, without a problem', () => {
    expect(loaded.problems).toEqual([]);
    expect(loaded.rules).toHaveLength(168);
    expect(new Set(loaded.rules.map((r) => r.id)).size).toBe(168);
  });

  test('each needed the mis-indented requiredDataConnectors block repaired, at line 8', () => {
    expect(loaded.repairs).toHaveLength(168);
    for (const repair of loaded.repairs) {
      expect(repair).toEqual({ file: repair.file, line: 8, message: expect.stringContaining("'dataTypes' is aligned with the '-'") });
    }
  });

  test('every rule has its fields, with line endings normalised', () => {
    for (const rule of loaded.rules) {
      expect(rule.id).toMatch(GUID);
      expect(rule.name).toMatch(/^Remote Management and Monitoring tool - .+ - (File Signature|Create Process|Network Connection)$/);
      expect(rule.description).toContain('Remote Monitoring and Management (RMM)');
      expect(rule.query).not.toContain('\r');
      expect(rule.query).toContain('summarize FirstSeen=min(Timestamp)');
      const queried = new Set(rule.query.match(/\bDevice(FileCertificateInfo|ProcessEvents|NetworkEvents)\b/g));
      expect(new Set(rule.tables)).toEqual(queried);
      expect(rule.tables).toHaveLength(queried.size);
      expect(rule.tactics).toEqual(['CommandAndControl']);
      expect(rule.techniques).toEqual(['T1219']);
      expect(path.dirname(rule.source)).toBe(RMM_HUNTS_DIR);
    }
  });

  test('the seed rule reads exactly as written', () => {
    const kaseya = loaded.rules.find((r) => path.basename(r.source) === 'rmm_Kaseya_filesig.yaml');
    expect(kaseya).toEqual({
      id: '732033dd-039b-426e-844f-1de2a67362fa',
      name: 'Remote Management and Monitoring tool - Kaseya - File Signature',
      description:
        'Remote Monitoring and Management (RMM) programs are IT to manage remote endpoints. Attackers have begun to abuse these programs to persist or provide C2 channels.\n' +
        'https://github.com/jischell-msft/RemoteManagementMonitoringTools\n',
      query: [
        'let Time_start = now(-5d);',
        'let Time_end = now();',
        '//',
        'DeviceFileCertificateInfo',
        '| where Timestamp between (Time_start..Time_end)',
        "| where Signer has 'Kaseya'",
        '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), ',
        '    Report=make_set(ReportId), Count=count() by DeviceId, DeviceName',
        '',
      ].join('\n'),
      tables: ['DeviceFileCertificateInfo'],
      tactics: ['CommandAndControl'],
      techniques: ['T1219'],
      source: path.join(RMM_HUNTS_DIR, 'rmm_Kaseya_filesig.yaml'),
    });
  });

  test('non-ASCII names and tabs inside the query survive', () => {
    const byFile = (name: string) => loaded.rules.find((r) => path.basename(r.source) === name)!;
    expect(byFile('rmm_DWService_filesig.yaml').query).toContain("Signer has 'DWSNET OÜ'");
    expect(byFile('rmm_ServerEye_filesig.yaml').query).toContain("Signer has 'Krämer IT Solutions GmbH'");
    expect(byFile('rmm_Kaseya_netconn.yaml').query).toContain("'kaseya.com',\t\t\t\t\n");
  });
});

describe('parseRuleText', () => {
  test('reads a well-formed rule with list fields and nothing to repair', () => {
    expect(parse(GOOD)).toEqual({
      rules: [
        {
          id: '11111111-2222-3333-4444-555555555555',
          name: 'Custom - AnyDesk from a finance workstation',
          description: 'AnyDesk started on a finance workstation.\n',
          query: GOOD_QUERY,
          tables: ['DeviceProcessEvents', 'DeviceNetworkEvents'],
          tactics: ['CommandAndControl', 'Persistence'],
          techniques: ['T1219'],
          source: 'rules/custom.yaml',
        },
      ],
      problems: [],
      repairs: [],
    });
  });

  test('CRLF, lone CR and a byte-order mark are not problems', () => {
    const windows = `\ufeff${GOOD.replace(/\n/g, '\r\n')}`;
    const oldMac = GOOD.replace(/\n/g, '\r');
    for (const text of [windows, oldMac]) {
      const result = parse(text);
      expect(result.problems).toEqual([]);
      expect(result.repairs).toEqual([]);
      expect(result.rules[0]!.query).toBe(GOOD_QUERY);
      expect(result.rules[0]!.id).toBe('11111111-2222-3333-4444-555555555555');
    }
  });

  test('the mis-indented connector block is re-indented, and said so with its line', () => {
    const text = GOOD.replace('    dataTypes:\n      - DeviceProcessEvents\n      - DeviceNetworkEvents', '  dataTypes:\n      - DeviceProcessEvents\n      - DeviceNetworkEvents');
    const result = parse(text);
    expect(result.problems).toEqual([]);
    expect(result.repairs).toEqual([{ file: 'rules/custom.yaml', line: 7, message: expect.stringContaining("'dataTypes'") }]);
    expect(result.rules[0]!.tables).toEqual(['DeviceProcessEvents', 'DeviceNetworkEvents']);
  });

  test('tabs used for indentation are read as tab stops', () => {
    const text = GOOD.replace('tactics:\n  - CommandAndControl\n  - Persistence', 'tactics:\n\t- CommandAndControl\n\t- Persistence');
    const result = parse(text);
    expect(result.problems).toEqual([]);
    expect(result.repairs).toEqual([{ file: 'rules/custom.yaml', line: 11, message: 'tabs in the indentation of 2 lines from line 11 read as tab stops every 4 columns' }]);
    expect(result.rules[0]!.tactics).toEqual(['CommandAndControl', 'Persistence']);
    expect(result.rules[0]!.query).toBe(GOOD_QUERY);
  });

  test('a connector block both tab-indented and mis-indented is repaired in one go', () => {
    const text = GOOD.replace(
      '  - connectorId: MicrosoftThreatProtection\n    dataTypes:\n      - DeviceProcessEvents\n      - DeviceNetworkEvents',
      '\t- connectorId: MicrosoftThreatProtection\n\tdataTypes:\n\t\t- DeviceProcessEvents\n\t\t- DeviceNetworkEvents',
    );
    const result = parse(text);
    expect(result.problems).toEqual([]);
    expect(result.repairs.map((r) => r.line)).toEqual([6, 7]);
    expect(result.rules[0]!.tables).toEqual(['DeviceProcessEvents', 'DeviceNetworkEvents']);
  });

  test('a tab-indented query (a pasted KQL block) is read too', () => {
    const text = GOOD.replace("  | where DeviceName startswith 'ws-fin-'", "\t| where DeviceName startswith 'ws-fin-'");
    const result = parse(text);
    expect(result.problems).toEqual([]);
    expect(result.repairs).toHaveLength(1);
    expect(result.rules[0]!.query).toContain("| where DeviceName startswith 'ws-fin-'");
    expect(result.rules[0]!.query).toContain("| where ProcessVersionInfoCompanyName has 'AnyDesk'");
  });

  test('YAML that cannot be repaired has its top-level fields read line by line, with a warning', () => {
    const text = GOOD.replace('description: |\n  AnyDesk started on a finance workstation.', 'description: "AnyDesk started on a finance workstation.').replace(
      'relevantTechniques:\n  - T1219',
      'relevantTechniques: [T1219, T1133]',
    );
    const result = parse(text);
    expect(result.problems).toEqual([
      {
        file: 'rules/custom.yaml',
        line: expect.any(Number),
        severity: 'warning',
        message: expect.stringMatching(/^not valid YAML \(.+\); its top-level fields were read line by line/),
      },
    ]);
    expect(result.rules).toHaveLength(1);
    const rule = result.rules[0]!;
    expect(rule.id).toBe('11111111-2222-3333-4444-555555555555');
    expect(rule.query).toBe(GOOD_QUERY);
    expect(rule.tables).toEqual(['DeviceProcessEvents', 'DeviceNetworkEvents']);
    expect(rule.tactics).toEqual(['CommandAndControl', 'Persistence']);
    expect(rule.techniques).toEqual(['T1219', 'T1133']);
  });

  test('the line-by-line reading also copes with the public files’ connector block and CRLF', () => {
    const text = [
      'id: 22222222-2222-3333-4444-555555555555',
      "name: 'unterminated",
      'requiredDataConnectors:',
      '    - connectorId: MicrosoftThreatProtection',
      '    dataTypes:',
      '        - DeviceFileCertificateInfo',
      'tactics: CommandAndControl',
      'query: |',
      "  DeviceFileCertificateInfo | where Signer has 'DWSNET OÜ'",
      '',
    ].join('\r\n');
    const result = parse(text);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.severity).toBe('warning');
    expect(result.rules[0]).toMatchObject({
      id: '22222222-2222-3333-4444-555555555555',
      tables: ['DeviceFileCertificateInfo'],
      tactics: ['CommandAndControl'],
      query: "DeviceFileCertificateInfo | where Signer has 'DWSNET OÜ'\n",
    });
  });

  test.each([
    ['no id', GOOD.replace(/^id: .*\n/, ''), /^no 'id'/],
    ['no query', GOOD.slice(0, GOOD.indexOf('query: |')), /^no 'query'/],
    ['an empty query', GOOD.slice(0, GOOD.indexOf('query: |')) + 'query: |\n  // nothing here\n', /^'query' is empty/],
    ['a query that is a list', GOOD.slice(0, GOOD.indexOf('query: |')) + 'query:\n  - DeviceProcessEvents\n', /^'query' should be text/],
  ])('a rule with %s is not loaded, and the problem says why', (_, text, message) => {
    const result = parse(text);
    expect(result.rules).toEqual([]);
    expect(result.problems.some((p) => p.severity === 'error')).toBe(true);
    expect(result.problems.map((p) => p.message).some((m) => message.test(m))).toBe(true);
  });

  test('a rule without a name is shown under its id', () => {
    const result = parse(GOOD.replace(/^name: .*\n/m, ''));
    expect(result.rules[0]!.name).toBe('11111111-2222-3333-4444-555555555555');
    expect(result.problems).toEqual([{ file: 'rules/custom.yaml', severity: 'warning', message: "no 'name'; the rule is shown under its id" }]);
  });

  test('a field of the wrong shape is ignored with a warning that names its line', () => {
    const result = parse(GOOD.replace('tactics:\n  - CommandAndControl\n  - Persistence', 'tactics:\n  first: CommandAndControl'));
    expect(result.rules[0]!.tactics).toEqual([]);
    expect(result.problems).toEqual([{ file: 'rules/custom.yaml', line: 10, severity: 'warning', message: "'tactics' should be a list of names; it was ignored" }]);
  });

  test('a file whose top level is not a set of fields is not a rule', () => {
    const result = parse('- id: 1\n- id: 2\n');
    expect(result.rules).toEqual([]);
    expect(result.problems).toEqual([
      { file: 'rules/custom.yaml', line: 1, severity: 'error', message: "not a rule: the file's top level is not a set of 'key: value' fields" },
    ]);
  });
});

describe('loadRuleFile and loadRuleDir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'huntops-rules-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('a missing file or a folder is a problem, not an exception', async () => {
    await expect(loadRuleFile(path.join(dir, 'nope.yaml'))).resolves.toEqual({
      rules: [],
      problems: [{ file: path.join(dir, 'nope.yaml'), severity: 'error', message: 'not found' }],
      repairs: [],
    });
    await expect(loadRuleFile(dir)).resolves.toMatchObject({ problems: [{ severity: 'error', message: 'is a folder, not a file' }] });
  });

  test('a file that is not UTF-8 is read as Windows-1252, and UTF-16 with a byte-order mark as UTF-16', async () => {
    const latin = path.join(dir, 'latin.yaml');
    writeFileSync(latin, Buffer.from(GOOD.replace("has 'AnyDesk'", "has 'Krämer IT Solutions GmbH'"), 'latin1'));
    const fromLatin = await loadRuleFile(latin);
    expect(fromLatin.rules[0]!.query).toContain("has 'Krämer IT Solutions GmbH'");
    expect(fromLatin.repairs).toEqual([{ file: latin, message: 'the file is not valid UTF-8; it was read as Windows-1252' }]);

    const utf16 = path.join(dir, 'utf16.yaml');
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(GOOD.replace("has 'AnyDesk'", "has 'DWSNET OÜ'").replace(/\n/g, '\r\n'), 'utf16le')]));
    const fromUtf16 = await loadRuleFile(utf16);
    expect(fromUtf16.problems).toEqual([]);
    expect(fromUtf16.repairs).toEqual([]);
    expect(fromUtf16.rules[0]!.query).toContain("has 'DWSNET OÜ'");
  });

  test('a folder loads every rule it can, in file-name order, and reports the rest per file', async () => {
    writeFileSync(path.join(dir, 'b-good.yaml'), GOOD.replace(/^id: .*$/m, 'id: b').replace(/^name: .*$/m, 'name: Rule B'));
    writeFileSync(path.join(dir, 'a-good.YML'), GOOD.replace(/^id: .*$/m, 'id: a').replace(/^name: .*$/m, 'name: Rule A'));
    writeFileSync(path.join(dir, 'c-same-id.yaml'), GOOD.replace(/^id: .*$/m, 'id: A').replace(/^name: .*$/m, 'name: Rule C'));
    writeFileSync(path.join(dir, 'd-same-name.yaml'), GOOD.replace(/^id: .*$/m, 'id: d').replace(/^name: .*$/m, 'name: rule b'));
    writeFileSync(path.join(dir, 'e-no-query.yaml'), 'id: e\nname: Rule E\n');
    writeFileSync(path.join(dir, 'notes.txt'), 'not a rule');
    writeFileSync(path.join(dir, '.hidden.yaml'), 'id: hidden\nquery: T\n');
    mkdirSync(path.join(dir, 'team'));
    writeFileSync(path.join(dir, 'team', 'f.yaml'), GOOD.replace(/^id: .*$/m, 'id: f').replace(/^name: .*$/m, 'name: Rule F'));

    const result = await loadRuleDir(dir);
    expect(result.rules.map((r) => r.id)).toEqual(['a', 'b', 'd', 'f']);
    expect(result.rules.map((r) => r.source)).toEqual(['a-good.YML', 'b-good.yaml', 'd-same-name.yaml', path.join('team', 'f.yaml')].map((f) => path.join(dir, f)));
    expect(result.problems).toEqual([
      { file: path.join(dir, 'c-same-id.yaml'), severity: 'error', message: `id A is already used by ${path.join(dir, 'a-good.YML')}; this rule was not loaded` },
      { file: path.join(dir, 'd-same-name.yaml'), severity: 'warning', message: `name 'rule b' is also used by ${path.join(dir, 'b-good.yaml')}; run these rules by id` },
      { file: path.join(dir, 'e-no-query.yaml'), severity: 'error', message: "no 'query': the rule has no KQL to run; the rule was not loaded" },
    ]);

    const flat = await loadRuleDir(dir, { recursive: false });
    expect(flat.rules.map((r) => r.id)).toEqual(['a', 'b', 'd']);

    const named = await loadRuleDir(dir, { folderName: 'HUNT_RULES_DIR' });
    expect(named.rules.map((r) => r.source)).toEqual(['a-good.YML', 'b-good.yaml', 'd-same-name.yaml', path.join('team', 'f.yaml')]);
    expect(named.problems.map((p) => [p.file, p.message])).toEqual([
      ['c-same-id.yaml', 'id A is already used by a-good.YML; this rule was not loaded'],
      ['d-same-name.yaml', "name 'rule b' is also used by b-good.yaml; run these rules by id"],
      ['e-no-query.yaml', "no 'query': the rule has no KQL to run; the rule was not loaded"],
    ]);
    expect(JSON.stringify(named)).not.toContain(dir);
  });

  test('a folder that is missing, a file, or empty is reported', async () => {
    const missing = path.join(dir, 'missing');
    expect((await loadRuleDir(missing)).problems).toEqual([{ file: missing, severity: 'error', message: 'rules folder not found' }]);
    const file = path.join(dir, 'file.yaml');
    writeFileSync(file, GOOD);
    expect((await loadRuleDir(file)).problems).toEqual([{ file, severity: 'error', message: 'rules folder is a file, not a folder' }]);
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    expect(await loadRuleDir(empty)).toEqual({
      rules: [],
      problems: [{ file: empty, severity: 'warning', message: 'rules folder holds no .yaml or .yml files' }],
      repairs: [],
    });
  });

  test('problems format as file:line: severity: message', () => {
    expect(formatRuleProblem({ file: 'rules/a.yaml', line: 8, severity: 'warning', message: 'x' })).toBe('rules/a.yaml:8: warning: x');
    expect(formatRuleProblem({ file: 'rules', severity: 'error', message: 'rules folder not found' })).toBe('rules: error: rules folder not found');
  });
});
