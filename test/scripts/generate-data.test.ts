import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { loadCatalog, type HuntClause, type HuntPredicate } from '../../src/hunt/catalog';
import { DEFENDER_SCHEMAS, type DefenderTableName } from '../../src/kql/schemas';
import { BENIGN_PROGRAMS } from '../../scripts/data-benign';
import { EXPECTED_5D_LOLRMM } from '../../scripts/data-lolrmm';
import { EXPECTED_5D_FILE_SIGNATURE, EXPECTED_5D_NETWORK, EXPECTED_5D_PROCESS, PROFILES, SIGHTINGS } from '../../scripts/data-scenario';
import { DEFAULT_ANCHOR, generateDataset, parseArgs, TABLES, type DatasetInfo } from '../../scripts/generate-data';

type Row = Record<string, string | number | boolean | null>;

const REPO = path.resolve(__dirname, '..', '..');
const SAMPLE_DIR = path.join(REPO, 'data', 'sample');
const DAY = 86_400_000;
const catalog = loadCatalog();

/** Kusto's `has`, as the design brief states it: the needle on term boundaries, any case. */
function has(text: string, needle: string): boolean {
  const t = text.toLowerCase();
  const n = needle.toLowerCase();
  const term = (c: string | undefined) => c !== undefined && /[a-z0-9]/.test(c);
  for (let i = t.indexOf(n); i >= 0; i = t.indexOf(n, i + 1)) {
    if ((!term(n[0]) || !term(t[i - 1])) && (!term(n[n.length - 1]) || !term(t[i + n.length]))) return true;
  }
  return false;
}

function readJsonl(dir: string, table: DefenderTableName): Row[] {
  return readFileSync(path.join(dir, `${table}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Row);
}

function host(row: Row): string {
  return String(row.DeviceName).split('.')[0]!;
}

function inWindow(row: Row, anchor: number, days: number): boolean {
  const t = Date.parse(String(row.Timestamp));
  return t >= anchor - days * DAY && t <= anchor;
}

function holds(predicate: HuntPredicate, row: Row, signed: ReadonlySet<string>, certificates: readonly Row[]): boolean {
  const value = String(row[predicate.column] ?? '');
  switch (predicate.op) {
    case 'has':
      return predicate.values.some((v) => has(value, v));
    case 'startswith':
      return predicate.values.some((v) => value.toLowerCase().startsWith(v.toLowerCase()));
    case '=~':
      return predicate.values.some((v) => value.toLowerCase() === v.toLowerCase());
    case 'isempty':
      return value === '';
    case 'signedBy':
      return signed.has(value) && certificates.some((c) => c.SHA1 === value && predicate.values.some((v) => has(String(c.Signer), v)));
  }
}

function devicesMatching(rows: readonly Row[], filter: readonly HuntClause[], certificates: readonly Row[]): string[] {
  const signed = new Set(certificates.map((c) => String(c.SHA1)));
  const found = rows.filter((row) => filter.every((clause) => clause.some((p) => holds(p, row, signed, certificates))));
  return [...new Set(found.map(host))].sort();
}

interface Hunts {
  fileSignature: Record<string, string[]>;
  process: Record<string, string[]>;
  network: Record<string, string[]>;
}

/** Every catalog hunt over a data set and a window: the devices each finds (only tools that find some). */
function runHunts(dir: string, anchor: number, days: number): Hunts {
  const window = (table: DefenderTableName) => readJsonl(dir, table).filter((r) => inWindow(r, anchor, days));
  const certificates = window('DeviceFileCertificateInfo');
  const processes = window('DeviceProcessEvents');
  const connections = window('DeviceNetworkEvents');
  const hunts: Hunts = { fileSignature: {}, process: {}, network: {} };
  for (const tool of catalog.tools) {
    const add = (kind: keyof Hunts, devices: string[]) => {
      if (devices.length) hunts[kind][tool.id] = devices;
    };
    if (tool.fileSignature) add('fileSignature', devicesMatching(certificates, [[{ column: 'Signer', op: 'has', values: tool.fileSignature.signers }]], certificates));
    if (tool.process) add('process', devicesMatching(processes, tool.process.filter, certificates));
    if (tool.network) add('network', devicesMatching(connections, tool.network.filter, certificates));
  }
  return hunts;
}

/** The generated files of a folder: name to size and SHA-256 of the bytes. */
function filesOf(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f !== 'README.md')
      .sort()
      .map((f) => {
        const bytes = readFileSync(path.join(dir, f));
        return [f, `${bytes.length} bytes, sha256 ${createHash('sha256').update(bytes).digest('hex')}`];
      }),
  );
}

describe('generate-data', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'huntops-data-'));
    dirs.push(dir);
    return dir;
  };
  let sample: string;
  let info: DatasetInfo;
  beforeAll(async () => {
    sample = tmp();
    info = await generateDataset({ out: sample, preset: 'sample', seed: 1, format: 'jsonl' });
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('the same arguments give byte-identical files; another seed gives other data', async () => {
    const again = tmp();
    await generateDataset({ out: again, preset: 'sample', seed: 1, format: 'jsonl' });
    expect(filesOf(again)).toEqual(filesOf(sample));
    const other = tmp();
    await generateDataset({ out: other, preset: 'sample', seed: 2, format: 'jsonl' });
    expect(filesOf(other)['DeviceFileCertificateInfo.jsonl']).not.toBe(filesOf(sample)['DeviceFileCertificateInfo.jsonl']);
  });

  test('one table alone is the same as in the full set', async () => {
    const alone = tmp();
    await generateDataset({ out: alone, preset: 'sample', seed: 1, tables: ['DeviceNetworkEvents'] });
    expect(readdirSync(alone).sort()).toEqual(['DeviceNetworkEvents.jsonl', 'dataset.json']);
    expect(filesOf(alone)['DeviceNetworkEvents.jsonl']).toBe(filesOf(sample)['DeviceNetworkEvents.jsonl']);
  });

  test('the committed sample is a fresh generation with the documented arguments', () => {
    expect(Object.keys(filesOf(SAMPLE_DIR))).toEqual(['DeviceFileCertificateInfo.jsonl', 'DeviceFileEvents.jsonl', 'DeviceInfo.jsonl', 'DeviceNetworkEvents.jsonl', 'DeviceProcessEvents.jsonl', 'dataset.json']);
    const regenerate = 'regenerate it: npx tsx scripts/generate-data.ts --out data/sample --preset sample --seed 1';
    expect({ committed: filesOf(SAMPLE_DIR), regenerate }).toEqual({ committed: filesOf(sample), regenerate });
    const size = readdirSync(SAMPLE_DIR).reduce((sum, f) => sum + readFileSync(path.join(SAMPLE_DIR, f)).length, 0);
    expect(size).toBeLessThan(4 * 1024 * 1024);
  });

  test('dataset.json names the anchor, the seed and the preset', () => {
    const written = JSON.parse(readFileSync(path.join(sample, 'dataset.json'), 'utf8')) as DatasetInfo;
    expect(written).toEqual(info);
    expect(written).toMatchObject({ anchor: DEFAULT_ANCHOR, seed: 1, preset: 'sample', format: 'jsonl' });
    for (const table of TABLES) expect(written.rows[table]).toBe(readJsonl(sample, table).length);
  });

  test('every row has exactly the documented columns, in order, with values of their types', () => {
    const wrong: string[] = [];
    const fits = (type: string, value: unknown) =>
      type === 'string'
        ? typeof value === 'string'
        : value === null ||
          (type === 'datetime' && typeof value === 'string' && new Date(Date.parse(value)).toISOString() === value) ||
          ((type === 'long' || type === 'int') && Number.isInteger(value)) ||
          (type === 'bool' && typeof value === 'boolean');
    for (const table of TABLES) {
      const schema = DEFENDER_SCHEMAS[table];
      const names = schema.map((c) => c.name).join(',');
      readJsonl(sample, table).forEach((row, i) => {
        if (Object.keys(row).join(',') !== names) wrong.push(`${table} row ${i}: columns ${Object.keys(row).join(',')}`);
        for (const column of schema) if (!fits(column.type, row[column.name])) wrong.push(`${table} row ${i}: ${column.name} = ${JSON.stringify(row[column.name])}`);
        if (row.Timestamp === null) wrong.push(`${table} row ${i}: no Timestamp`);
      });
    }
    expect(wrong).toEqual([]);
  });

  test('a few hundred devices, named as Defender shows them, times within 30 days before the anchor', () => {
    const anchor = Date.parse(info.anchor);
    const names = new Set(TABLES.flatMap((t) => readJsonl(sample, t).map((r) => String(r.DeviceName))));
    expect(names.size).toBeGreaterThan(250);
    expect(names.size).toBeLessThan(400);
    for (const name of names) expect(name).toMatch(/^(ws|lt|it|srv)-[a-z]+-\d{2,3}(\.corp\.contoso\.com)?$/);
    expect(names).toContain('ws-fin-014.corp.contoso.com');
    expect(names).toContain('lt-sal-305');
    expect([...names].filter((n) => n.startsWith('it-adm-')).length).toBeGreaterThanOrEqual(4);
    for (const table of TABLES) {
      for (const row of readJsonl(sample, table)) {
        const t = Date.parse(String(row.Timestamp));
        expect(t).toBeLessThanOrEqual(anchor);
        expect(t).toBeGreaterThan(anchor - 31 * DAY);
      }
    }
  });

  test('over the default 5 days every catalog hunt finds exactly the planted devices', () => {
    const hunts = runHunts(sample, Date.parse(info.anchor), 5);
    const story = (kind: 'file-signature' | 'process' | 'network') =>
      Object.fromEntries(Object.entries(EXPECTED_5D_LOLRMM).flatMap(([tool, byKind]) => (byKind[kind].length ? [[tool, byKind[kind]]] : [])));
    expect(hunts.fileSignature).toEqual({ ...EXPECTED_5D_FILE_SIGNATURE, ...story('file-signature') });
    expect(hunts.process).toEqual({ ...EXPECTED_5D_PROCESS, ...story('process') });
    expect(hunts.network).toEqual({ ...EXPECTED_5D_NETWORK, ...story('network') });
    expect(hunts.fileSignature.kaseya).toEqual(['it-adm-003', 'lt-hr-207', 'srv-mgmt-01', 'ws-fin-014']);
    expect(hunts.fileSignature.anydesk).toEqual(['it-adm-001', 'lt-sal-305', 'ws-fin-022']);
    expect(hunts.fileSignature.teamviewer).toEqual(['it-adm-002', 'srv-mgmt-02', 'ws-hr-051']);
  });

  test('older sightings appear when the window reaches them', () => {
    const anchor = Date.parse(info.anchor);
    expect(runHunts(sample, anchor, 14).fileSignature.kaseya).toEqual(['it-adm-003', 'lt-hr-207', 'srv-mgmt-01', 'ws-eng-112', 'ws-fin-014']);
    expect(runHunts(sample, anchor, 7).fileSignature.teamviewer).toEqual(['it-adm-002', 'srv-mgmt-02', 'ws-hr-051', 'ws-leg-004']);
    expect(runHunts(sample, anchor, 30).fileSignature.connectwise).toEqual(['lt-eng-260', 'srv-mgmt-01', 'ws-fin-031', 'ws-ops-019']);
  });

  test('the look-alikes are in the data, and no hunt finds them', () => {
    const certificates = readJsonl(sample, 'DeviceFileCertificateInfo');
    const signers = new Set(certificates.map((r) => String(r.Signer)));
    for (const lookAlike of ['KaseyaTools Ltd', 'NotKaseya Software', 'MyKaseyaHelper Inc', 'Action10 Corporation', 'Action1 Corp', 'TeamViewerX GmbH', 'AnyDesktop Software Ltd', 'DWSNET OY', 'Kramer IT Solutions GmbH']) {
      expect(signers).toContain(lookAlike);
      for (const tool of catalog.tools) {
        for (const signer of tool.fileSignature?.signers ?? []) expect({ lookAlike, signer, found: has(lookAlike, signer) }).toEqual({ lookAlike, signer, found: false });
      }
    }
    const lookAlikeHosts = SIGHTINGS.filter((s) => !PROFILES[s.profile]!.tool).map((s) => s.device);
    const hunts = runHunts(sample, Date.parse(info.anchor), 30);
    const found = new Set(Object.values(hunts).flatMap((byTool: Record<string, string[]>) => Object.values(byTool).flat()));
    for (const device of lookAlikeHosts) expect({ device, found: found.has(device) }).toEqual({ device, found: false });
  });

  test('the signers vary the vendor subject but keep the catalog signer as whole terms', () => {
    const certificates = readJsonl(sample, 'DeviceFileCertificateInfo');
    const kaseyaSigners = new Set(certificates.filter((r) => host(r) !== 'ws-hr-019' && has(String(r.Signer), 'Kaseya')).map((r) => String(r.Signer)));
    expect([...kaseyaSigners].sort()).toEqual(['KASEYA HOLDINGS INC', 'Kaseya Holdings Inc.', 'Kaseya Limited', 'Kaseya US LLC']);
    expect(certificates.some((r) => r.Signer === 'DWSNET OÜ')).toBe(true);
    expect(certificates.some((r) => r.Signer === 'Krämer IT Solutions GmbH')).toBe(true);
  });

  test('no benign program matches any catalog hunt string', () => {
    for (const program of BENIGN_PROGRAMS) {
      for (const tool of catalog.tools) {
        for (const signer of tool.fileSignature?.signers ?? []) expect({ signer: program.signer, catalog: signer, found: has(program.signer, signer) }).toMatchObject({ found: false });
        for (const domain of tool.network?.domains ?? []) {
          for (const url of program.urls) expect({ url, domain, found: has(url, domain) }).toMatchObject({ found: false });
        }
      }
    }
    expect(new Set(readJsonl(sample, 'DeviceFileCertificateInfo').map((r) => String(r.Signer))).size).toBeGreaterThan(25);
  });

  test('the known false positives: IT admin workstations and management servers run RMM tools', () => {
    const hunts = runHunts(sample, Date.parse(info.anchor), 5);
    const toolsOn = (device: string) => Object.keys(hunts.fileSignature).filter((tool) => hunts.fileSignature[tool]!.includes(device)).sort();
    expect(Object.fromEntries(['it-adm-001', 'it-adm-002', 'it-adm-003', 'srv-mgmt-01', 'srv-mgmt-02', 'srv-mgmt-03'].map((d) => [d, toolsOn(d)]))).toEqual({
      'it-adm-001': ['anydesk'],
      'it-adm-002': ['teamviewer'],
      'it-adm-003': ['kaseya'],
      'srv-mgmt-01': ['connectwise', 'kaseya'],
      'srv-mgmt-02': ['teamviewer'],
      'srv-mgmt-03': ['ninjarmm'],
    });
  });

  test('CSV and JSONL hold the same rows', async () => {
    const csv = tmp();
    await generateDataset({ out: csv, preset: 'sample', seed: 1, format: 'csv' });
    for (const table of TABLES) {
      const text = readFileSync(path.join(csv, `${table}.csv`), 'utf8');
      const columns = DEFENDER_SCHEMAS[table].map((c) => c.name);
      expect(text.split('\r\n')[0]).toBe(columns.join(','));
      const records = parseCsv(text, { columns: true }) as Array<Record<string, string>>;
      const rows = readJsonl(sample, table);
      expect(records).toHaveLength(rows.length);
      records.forEach((record, i) => {
        const asText = Object.fromEntries(Object.entries(rows[i]!).map(([k, v]) => [k, v === null ? '' : String(v)]));
        expect(record).toEqual(asText);
      });
    }
    expect(JSON.parse(readFileSync(path.join(csv, 'dataset.json'), 'utf8'))).toMatchObject({ format: 'csv', rows: info.rows });
  });

  test('the large preset plants every hunt of every catalog tool, and each hunt finds its devices', async () => {
    const large = tmp();
    const planted = await generateDataset({ out: large, preset: 'large', seed: 7, rows: 500 });
    const synthetic = planted.synthetic!;
    const hunts = catalog.tools.flatMap((t) => [t.fileSignature && 'fileSignature', t.process && 'process', t.network && 'network'].filter(Boolean));
    expect(synthetic).toHaveLength(hunts.length);
    const found = runHunts(large, Date.parse(planted.anchor), 5);
    for (const plant of synthetic) {
      const devices = found[plant.hunt][plant.tool] ?? [];
      for (const device of plant.devices) expect({ plant: `${plant.tool}/${plant.hunt}`, device, found: devices.includes(device) }).toEqual({ plant: `${plant.tool}/${plant.hunt}`, device, found: true });
    }
    expect(found.fileSignature.kaseya).toEqual(expect.arrayContaining(EXPECTED_5D_FILE_SIGNATURE.kaseya!));
  });

  test.each([
    [[], /--out is required/],
    [['--out'], /--out needs a value/],
    [['--out', 'x', '--preset', 'huge'], /unknown preset 'huge'/],
    [['--out', 'x', '--format', 'xml'], /unknown format 'xml'/],
    [['--out', 'x', '--tables', 'DeviceEvents'], /unknown table DeviceEvents/],
    [['--out', 'x', '--anchor', 'yesterday'], /--anchor must be an ISO 8601 datetime/],
    [['--out', 'x', '--colour', 'red'], /unknown argument '--colour'/],
  ])('parseArgs(%j) refuses with the usage', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
    expect(() => parseArgs(argv)).toThrow(/usage: npx tsx scripts\/generate-data\.ts --out <dir>/);
  });

  test('parseArgs reads every option', () => {
    expect(parseArgs(['--out', 'd', '--preset', 'large', '--rows', '10', '--seed', '3', '--format', 'csv', '--tables', 'DeviceProcessEvents', '--anchor', '2024-01-01T00:00:00Z'])).toEqual({
      out: 'd',
      preset: 'large',
      rows: 10,
      seed: 3,
      format: 'csv',
      tables: ['DeviceProcessEvents'],
      anchor: '2024-01-01T00:00:00Z',
    });
  });
});
