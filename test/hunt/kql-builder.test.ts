import { Catalog, loadCatalog, type RmmTool } from '../../src/hunt/catalog';
import { buildHuntQuery, kqlColumn, kqlString, kqlTimespan, KqlLiteralError } from '../../src/hunt/kql-builder';
import { parseWindow } from '../../src/hunt/window';
import { readShared } from '../support/shared';

const kaseya: RmmTool = {
  id: 'kaseya',
  name: 'Kaseya',
  aliases: [],
  fileSignature: { ruleId: '732033dd-039b-426e-844f-1de2a67362fa', signers: ['Kaseya'] },
};
const anydesk: RmmTool = {
  id: 'anydesk',
  name: 'AnyDesk',
  aliases: [],
  fileSignature: { ruleId: 'x', signers: ['anydesk software', 'philandro software'] },
};

/** The `query: |` block of a Sentinel rule file, as text (CRLF and all). */
function ruleQuery(file: string): string {
  const lines = readShared('rmm-hunts', file).split(/\r?\n/);
  const start = lines.findIndex((l) => /^query:\s*\|/.test(l));
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\S/.test(line)) break;
    body.push(line);
  }
  return body.join('\n');
}

/** Comments dropped, white space folded: what Kusto's parser sees as tokens. */
function normalise(kql: string): string {
  return kql
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .replace(/\s*([|,;=()])\s*/g, '$1')
    .trim();
}

/**
 * The public rule as the hunts run it: its report set bounded, with the total beside it (issue
 * #11: telemetry is written by the adversary). The only difference from the seed, stated.
 */
function bounded(rule: string): string {
  expect(rule).toContain('Report=make_set(ReportId)');
  return rule.replace('Report=make_set(ReportId)', 'Report=make_set(ReportId, 20), ReportCount=dcount(ReportId)');
}

describe('buildHuntQuery', () => {
  const fiveDays = parseWindow('5d')!;

  test('hunt kaseya 5d is the seed rule, token for token, its report set bounded', () => {
    const seed = ruleQuery('rmm_Kaseya_filesig.yaml');
    expect(seed).toContain("Signer has 'Kaseya'");
    expect(normalise(buildHuntQuery({ tool: kaseya, window: fiveDays }, { dialect: 'defender' }))).toBe(normalise(bounded(seed)));
  });

  test('golden text for the seed', () => {
    expect(buildHuntQuery({ tool: kaseya, window: fiveDays }, { dialect: 'defender' })).toBe(
      [
        'let Time_start = now(-5d);',
        'let Time_end = now();',
        'DeviceFileCertificateInfo',
        '| where Timestamp between (Time_start..Time_end)',
        "| where Signer has 'Kaseya'",
        '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId, 20), ReportCount=dcount(ReportId), Count=count() by DeviceId, DeviceName',
      ].join('\n'),
    );
  });

  test('several signers use has_any, as the public AnyDesk rule does', () => {
    const kql = buildHuntQuery({ tool: anydesk, window: fiveDays }, { dialect: 'defender' });
    expect(kql).toContain("| where Signer has_any ('anydesk software', 'philandro software')");
    expect(normalise(kql)).toBe(normalise(bounded(ruleQuery('rmm_AnyDesk_filesig.yaml'))));
  });

  test('Log Analytics dialect uses TimeGenerated everywhere', () => {
    const kql = buildHuntQuery({ tool: kaseya, window: parseWindow('12h')! }, { dialect: 'loganalytics' });
    expect(kql).toContain('now(-12h)');
    expect(kql).toContain('| where TimeGenerated between (Time_start..Time_end)');
    expect(kql).toContain('FirstSeen=min(TimeGenerated), LastSeen=max(TimeGenerated)');
    expect(kql).not.toContain('Timestamp');
  });

  test('a device filter matches the bare or fully qualified name', () => {
    const kql = buildHuntQuery({ tool: kaseya, window: fiveDays, device: 'WS-FIN-014' }, { dialect: 'defender' });
    expect(kql).toContain("| where DeviceName =~ 'WS-FIN-014' or DeviceName startswith 'WS-FIN-014.'");
    expect(kql.indexOf('DeviceName =~')).toBeLessThan(kql.indexOf('| summarize'));
  });

  test('a hostile device name stays inside its literal', () => {
    const device = "x' or 1==1 | take 10 //\\";
    const kql = buildHuntQuery({ tool: kaseya, window: fiveDays, device }, { dialect: 'defender' });
    expect(kql).toContain("DeviceName =~ 'x\\' or 1==1 | take 10 //\\\\'");
  });

  test('a tool without a file-signature hunt is refused', () => {
    const tool: RmmTool = { id: 'addigy', name: 'Addigy', aliases: [] };
    expect(() => buildHuntQuery({ tool, window: fiveDays }, { dialect: 'defender' })).toThrow(/no file-signature hunt/);
  });

  test('catalog tools are accepted as they are', () => {
    const catalog = new Catalog([kaseya, anydesk]);
    expect(buildHuntQuery({ tool: catalog.find('KASEYA')!, window: fiveDays }, { dialect: 'defender' })).toContain("'Kaseya'");
  });
});

describe('buildHuntQuery: process and network hunts', () => {
  const catalog = loadCatalog();
  const fiveDays = parseWindow('5d')!;

  test('a process hunt: every clause holds, each in the public rule\'s layout, one row per device', () => {
    expect(buildHuntQuery({ tool: catalog.get('anydesk')!, window: fiveDays, kind: 'process' }, { dialect: 'defender' })).toBe(
      [
        'let Time_start = now(-5d);',
        'let Time_end = now();',
        'DeviceProcessEvents',
        '| where Timestamp between (Time_start..Time_end)',
        "| where ProcessVersionInfoCompanyName has_any ('anydesk software', 'philandro software')",
        "    and ProcessVersionInfoProductName has 'anydesk'",
        '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId, 20), ReportCount=dcount(ReportId), Count=count() by DeviceId, DeviceName',
      ].join('\n'),
    );
  });

  test('alternatives are parenthesised among several clauses, bare when they are the whole condition', () => {
    const dameware = buildHuntQuery({ tool: catalog.get('dameware')!, window: fiveDays, kind: 'process' }, { dialect: 'defender' });
    expect(dameware).toContain(
      "| where ProcessVersionInfoCompanyName has_any ('DameWare', 'SolarWinds')\n    and (ProcessVersionInfoProductName has 'DameWare' or ProcessVersionInfoFileDescription has 'DameWare')\n",
    );
    const pdq = buildHuntQuery({ tool: catalog.get('pdq')!, window: fiveDays, kind: 'process' }, { dialect: 'defender' });
    expect(pdq).toContain("| where ProcessVersionInfoProductName has 'PDQConnectAgent' or FileName =~ 'pdq-connect-agent.exe'\n");
    const fleetdeck = buildHuntQuery({ tool: catalog.get('fleetdeck')!, window: fiveDays, kind: 'network' }, { dialect: 'defender' });
    expect(fleetdeck).toContain("    and InitiatingProcessFileName startswith 'fleetdeck'\n");
    const addigy = buildHuntQuery({ tool: catalog.get('addigy')!, window: fiveDays, kind: 'network' }, { dialect: 'defender' });
    expect(addigy).toContain('    and isempty(InitiatingProcessVersionInfoCompanyName)\n');
  });

  test('several startswith or =~ values are alternatives of their clause', () => {
    const tool: RmmTool = {
      id: 'made-up',
      name: 'Made Up',
      aliases: [],
      process: {
        ruleId: 'r',
        companies: [],
        products: [],
        filter: [
          [{ column: 'FileName', op: 'startswith', values: ['mu-agent', 'mu-svc'] }],
          [
            { column: 'FileName', op: '=~', values: ['a.exe', 'b.exe'] },
            { column: 'ProcessVersionInfoProductName', op: 'isempty' },
          ],
        ],
      },
    };
    expect(buildHuntQuery({ tool, window: fiveDays, kind: 'process' }, { dialect: 'defender' })).toContain(
      "| where (FileName startswith 'mu-agent' or FileName startswith 'mu-svc')\n    and (FileName in~ ('a.exe', 'b.exe') or isempty(ProcessVersionInfoProductName))\n",
    );
  });

  test('signedBy reads the signed files within the window, as the DWService rules do', () => {
    expect(buildHuntQuery({ tool: catalog.get('dwservice')!, window: parseWindow('36h')!, kind: 'network' }, { dialect: 'defender' })).toBe(
      [
        'let Time_start = now(-36h);',
        'let Time_end = now();',
        'let rmmInitialFileSet = DeviceFileCertificateInfo',
        '    | where Timestamp between (Time_start..Time_end)',
        "    | where Signer has 'DWSNET OÜ'",
        '    | distinct SHA1;',
        'DeviceNetworkEvents',
        '| where Timestamp between (Time_start..Time_end)',
        "| where RemoteUrl has 'dwservice.net'",
        '    and InitiatingProcessSHA1 in (rmmInitialFileSet)',
        '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId, 20), ReportCount=dcount(ReportId), Count=count() by DeviceId, DeviceName',
      ].join('\n'),
    );
  });

  test('two different signer sets get two file sets; the same set is read once', () => {
    const tool: RmmTool = {
      id: 'two',
      name: 'Two',
      aliases: [],
      network: {
        ruleId: 'r',
        domains: [],
        companies: [],
        products: [],
        fileNames: [],
        requiresEmptyCompany: false,
        filter: [
          [{ column: 'InitiatingProcessSHA1', op: 'signedBy', values: ['A Ltd'] }, { column: 'InitiatingProcessSHA1', op: 'signedBy', values: ['B GmbH', 'B Inc'] }],
          [{ column: 'InitiatingProcessSHA256', op: 'has', values: ['x'] }, { column: 'InitiatingProcessSHA1', op: 'signedBy', values: ['A Ltd'] }],
        ],
      },
    };
    const kql = buildHuntQuery({ tool, window: fiveDays, kind: 'network' }, { dialect: 'defender' });
    expect(kql.match(/^let \w+ = DeviceFileCertificateInfo$/gm)).toEqual(['let rmmInitialFileSet = DeviceFileCertificateInfo', 'let rmmInitialFileSet2 = DeviceFileCertificateInfo']);
    expect(kql).toContain("    | where Signer has_any ('B GmbH', 'B Inc')\n");
    expect(kql).toContain(
      "| where (InitiatingProcessSHA1 in (rmmInitialFileSet) or InitiatingProcessSHA1 in (rmmInitialFileSet2))\n    and (InitiatingProcessSHA256 has 'x' or InitiatingProcessSHA1 in (rmmInitialFileSet))\n",
    );
  });

  test.each(['process', 'network'] as const)('%s hunt in the Log Analytics dialect: TimeGenerated everywhere, in the file set too', (kind) => {
    const kql = buildHuntQuery({ tool: catalog.get('dwservice')!, window: fiveDays, kind }, { dialect: 'loganalytics' });
    expect(kql.match(/TimeGenerated between \(Time_start\.\.Time_end\)/g)).toHaveLength(2);
    expect(kql).toContain('FirstSeen=min(TimeGenerated), LastSeen=max(TimeGenerated)');
    expect(kql).not.toContain('Timestamp');
  });

  test.each(['process', 'network'] as const)('a %s hunt for one device filters the device before summarising, not the file set', (kind) => {
    const kql = buildHuntQuery({ tool: catalog.get('dwservice')!, window: fiveDays, kind, device: 'WS-FIN-014' }, { dialect: 'defender' });
    const filter = "| where DeviceName =~ 'WS-FIN-014' or DeviceName startswith 'WS-FIN-014.'";
    expect(kql.split(filter)).toHaveLength(2);
    expect(kql.indexOf(filter)).toBeGreaterThan(kql.indexOf(kind === 'process' ? '\nDeviceProcessEvents\n' : '\nDeviceNetworkEvents\n'));
    expect(kql.indexOf(filter)).toBeLessThan(kql.indexOf('| summarize'));
  });

  test.each(['process', 'network'] as const)('a hostile device name stays inside its literal in a %s hunt', (kind) => {
    const device = "x' or 1==1 | take 10 //\\\n| project Secret";
    const kql = buildHuntQuery({ tool: catalog.get('anydesk')!, window: fiveDays, kind, device }, { dialect: 'defender' });
    expect(kql).toContain("| where DeviceName =~ 'x\\' or 1==1 | take 10 //\\\\\\n| project Secret' or DeviceName startswith 'x\\' or 1==1 | take 10 //\\\\\\n| project Secret.'\n");
    expect(kql.split('\n')).toHaveLength(buildHuntQuery({ tool: catalog.get('anydesk')!, window: fiveDays, kind, device: 'x' }, { dialect: 'defender' }).split('\n').length);
  });

  test('a device name with control characters, or no name at all, is refused', () => {
    const tool = catalog.get('anydesk')!;
    expect(() => buildHuntQuery({ tool, window: fiveDays, kind: 'process', device: 'ws\u0000' }, { dialect: 'defender' })).toThrow(KqlLiteralError);
    expect(() => buildHuntQuery({ tool, window: fiveDays, kind: 'process', device: ' ' }, { dialect: 'defender' })).toThrow(KqlLiteralError);
  });

  test('a tool without the hunt asked for is refused, naming the kind', () => {
    expect(() => buildHuntQuery({ tool: catalog.get('addigy')!, window: fiveDays, kind: 'process' }, { dialect: 'defender' })).toThrow('addigy has no process hunt');
    expect(() => buildHuntQuery({ tool: { id: 'x', name: 'X', aliases: [] }, window: fiveDays, kind: 'network' }, { dialect: 'defender' })).toThrow('x has no network hunt');
  });

  test('catalog values are escaped like any literal, and a column that is not a plain name is refused', () => {
    const tool = (column: string, value: string): RmmTool => ({
      id: 'x',
      name: 'X',
      aliases: [],
      process: { ruleId: 'r', companies: [], products: [], filter: [[{ column, op: 'has', values: [value] }]] },
    });
    expect(buildHuntQuery({ tool: tool('FileName', "it's\\"), window: fiveDays, kind: 'process' }, { dialect: 'defender' })).toContain(
      "| where FileName has 'it\\'s\\\\'\n",
    );
    expect(() => buildHuntQuery({ tool: tool('FileName) or (1==1', 'v'), window: fiveDays, kind: 'process' }, { dialect: 'defender' })).toThrow(KqlLiteralError);
    expect(() => buildHuntQuery({ tool: tool('File Name', 'v'), window: fiveDays, kind: 'process' }, { dialect: 'defender' })).toThrow(KqlLiteralError);
  });
});

describe('kqlTimespan and kqlColumn', () => {
  test.each([
    ['5d', '5d'],
    ['2w', '14d'],
    ['36h', '36h'],
    ['90m', '90m'],
    ['P1DT12H', '36h'],
    ['PT1M', '1m'],
  ])('window %s → %s', (text, literal) => {
    expect(kqlTimespan(parseWindow(text)!)).toBe(literal);
  });

  test.each([Number.NaN, Infinity, -60_000, 0, 30_000, 90_000.5, 61_000, Number.MAX_SAFE_INTEGER + 1])('refuses a window of %d ms', (ms) => {
    expect(() => kqlTimespan({ ms })).toThrow(KqlLiteralError);
    expect(() => buildHuntQuery({ tool: kaseya, window: { ms } }, { dialect: 'defender' })).toThrow(KqlLiteralError);
  });

  test.each(['Signer', 'InitiatingProcessSHA1', '_x1'])('accepts the column %s', (name) => {
    expect(kqlColumn(name)).toBe(name);
  });

  test.each(['', '1abc', 'a-b', 'a b', "a'", '[a]', 'a|b', 'Ü'])('refuses the column %j', (name) => {
    expect(() => kqlColumn(name)).toThrow(KqlLiteralError);
  });
});

describe('kqlString', () => {
  test.each([
    ['plain', "'plain'"],
    ["O'Brien", "'O\\'Brien'"],
    ['back\\slash', "'back\\\\slash'"],
    ['"double"', `'"double"'`],
    ['line\nbreak\r\ttab', "'line\\nbreak\\r\\ttab'"],
    ['DWSNET OÜ', "'DWSNET OÜ'"],
    ['', "''"],
    ["\\'", "'\\\\\\''"],
  ])('%j → %s', (value, literal) => {
    expect(kqlString(value)).toBe(literal);
  });

  test.each(['\u0000', 'a\u0007b', '\u001b[31m', '\u2028', '\ud800', 'x\udc00'])('refuses %j', (value) => {
    expect(() => kqlString(value)).toThrow(KqlLiteralError);
  });
});
