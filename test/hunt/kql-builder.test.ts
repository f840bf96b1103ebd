import { Catalog, type RmmTool } from '../../src/hunt/catalog';
import { buildHuntQuery, kqlString, KqlLiteralError } from '../../src/hunt/kql-builder';
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

describe('buildHuntQuery', () => {
  const fiveDays = parseWindow('5d')!;

  test('hunt kaseya 5d is the seed rule, token for token', () => {
    const seed = ruleQuery('rmm_Kaseya_filesig.yaml');
    expect(seed).toContain("Signer has 'Kaseya'");
    expect(normalise(buildHuntQuery({ tool: kaseya, window: fiveDays }, { dialect: 'defender' }))).toBe(normalise(seed));
  });

  test('golden text for the seed', () => {
    expect(buildHuntQuery({ tool: kaseya, window: fiveDays }, { dialect: 'defender' })).toBe(
      [
        'let Time_start = now(-5d);',
        'let Time_end = now();',
        'DeviceFileCertificateInfo',
        '| where Timestamp between (Time_start..Time_end)',
        "| where Signer has 'Kaseya'",
        '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count() by DeviceId, DeviceName',
      ].join('\n'),
    );
  });

  test('several signers use has_any, as the public AnyDesk rule does', () => {
    const kql = buildHuntQuery({ tool: anydesk, window: fiveDays }, { dialect: 'defender' });
    expect(kql).toContain("| where Signer has_any ('anydesk software', 'philandro software')");
    expect(normalise(kql)).toBe(normalise(ruleQuery('rmm_AnyDesk_filesig.yaml')));
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
