/**
 * The local backend over CSV files as Defender's advanced hunting exports them: header row, ISO
 * datetimes, JSON text, empty fields for nulls; `true`/`True`; CRLF or LF; quoted fields.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BackendError, type Backend } from '../../src/backends/backend';
import { createLocalBackend } from '../../src/backends/local';
import { parseWindow } from '../../src/hunt/window';

const NOW = new Date('2024-06-10T12:00:00.000Z');
const WINDOW = parseWindow('5d')!;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'huntops-csv-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string): string => path.join(dir, name);
const backend = (): Backend => createLocalBackend({ dataDir: dir, now: () => NOW, maxWindow: parseWindow('30d')! });
const run = (kql: string) => backend().run({ kql, window: WINDOW });

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof BackendError) return e;
    throw e;
  }
  throw new Error('the query did not fail');
}

const HEADER = 'Timestamp,DeviceId,DeviceName,Signer,IsTrusted,ReportId,CrlDistributionPointUrls,CertificateExpirationTime';

describe('local backend: CSV', () => {
  test('reads an export: types, nulls, quoting, True/False, CRLF and a byte-order mark', async () => {
    const lines = [
      HEADER,
      '2024-06-09T12:00:00.1234567Z,d1,ws-1.corp.example,"Kaseya Holdings, Inc.",True,1,"[""http://crl.example/a.crl""]",2026-01-01T00:00:00Z',
      '2024-06-09T13:00:00Z,d2,ws-2,"He said ""hi""",false,,,',
      '',
      ',d3,ws-3,"Multi',
      'line",,3,,',
    ];
    writeFileSync(file('DeviceFileCertificateInfo.csv'), `\ufeff${lines.join('\r\n')}\r\n`);
    const result = await run('DeviceFileCertificateInfo | project Timestamp, DeviceId, Signer, IsTrusted, ReportId, CrlDistributionPointUrls, CertificateExpirationTime, SHA1');
    expect(result.rows).toEqual([
      {
        Timestamp: '2024-06-09T12:00:00.123Z',
        DeviceId: 'd1',
        Signer: 'Kaseya Holdings, Inc.',
        IsTrusted: true,
        ReportId: 1,
        CrlDistributionPointUrls: '["http://crl.example/a.crl"]',
        CertificateExpirationTime: '2026-01-01T00:00:00.000Z',
        SHA1: '',
      },
      { Timestamp: '2024-06-09T13:00:00.000Z', DeviceId: 'd2', Signer: 'He said "hi"', IsTrusted: false, ReportId: null, CrlDistributionPointUrls: '', CertificateExpirationTime: null, SHA1: '' },
      { Timestamp: null, DeviceId: 'd3', Signer: 'Multi\r\nline', IsTrusted: null, ReportId: 3, CrlDistributionPointUrls: '', CertificateExpirationTime: null, SHA1: '' },
    ]);
  });

  test('the hunt finds the same devices in CSV as in JSONL', async () => {
    writeFileSync(file('DeviceFileCertificateInfo.csv'), [HEADER, '2024-06-09T12:00:00Z,d1,ws-1,Kaseya Limited,true,1,,', '2024-06-01T12:00:00Z,d2,ws-2,Kaseya Limited,true,2,,'].join('\n'));
    const hunt = "DeviceFileCertificateInfo | where Timestamp between (ago(5d) .. now()) | where Signer has 'kaseya' | summarize Count = count() by DeviceId";
    expect((await run(hunt)).rows).toEqual([{ DeviceId: 'd1', Count: 1 }]);
  });

  test('a dynamic column is JSON text', async () => {
    const schemaDynamic = 'Timestamp,DeviceId,AdditionalFields';
    writeFileSync(file('DeviceProcessEvents.csv'), [schemaDynamic, '2024-06-09T12:00:00Z,p1,"{""Key"":1}"'].join('\n'));
    expect((await run('DeviceProcessEvents | project DeviceId, AdditionalFields')).rows).toEqual([{ DeviceId: 'p1', AdditionalFields: '{"Key":1}' }]);
  });

  test.each<[string, string[], string]>([
    ['a bool that is not one', [HEADER, '2024-06-09T12:00:00Z,d1,ws-1,x,yes,1,,'], 'line 2: column IsTrusted: expected true or false, got "yes"'],
    ['a long that is not a whole number', [HEADER, '2024-06-09T12:00:00Z,d1,ws-1,x,true,1.5,,'], 'line 2: column ReportId: expected a whole number, got "1.5"'],
    ['a datetime that is not ISO 8601', [HEADER, '2024-06-09T12:00:00Z,d1,ws-1,x,true,1,,', '6/9/2024 12:00 PM,d2,ws-2,x,true,2,,'], 'line 3: column Timestamp: expected an ISO 8601 datetime string, got "6/9/2024 12:00 PM"'],
    ['a header naming an unknown column', ['Timestamp,DeviceId,signer', '2024-06-09T12:00:00Z,d1,x'], "line 1: the header names 'signer', which is not a column of DeviceFileCertificateInfo"],
    ['a header naming a column twice', ['DeviceId,DeviceId', 'a,b'], "line 1: the header names 'DeviceId' twice"],
    ['a record with too many fields', [HEADER, '2024-06-09T12:00:00Z,d1,ws-1,x,true,1,,,extra'], 'line 2: not valid CSV'],
  ])('%s names the file, line and column', async (_what, lines, detail) => {
    writeFileSync(file('DeviceFileCertificateInfo.csv'), lines.join('\r\n'));
    const error = await failure(run('DeviceFileCertificateInfo | count'));
    expect(error.failure).toBe('unavailable');
    expect(error.message).toContain(`Cannot read the local data: ${file('DeviceFileCertificateInfo.csv')}, ${detail}`);
  });

  test('an empty file is refused', async () => {
    writeFileSync(file('DeviceFileCertificateInfo.csv'), '');
    expect((await failure(run('DeviceFileCertificateInfo | count'))).message).toContain('the file is empty');
  });

  test('both a JSONL and a CSV file for one table is refused, naming both', async () => {
    writeFileSync(file('DeviceFileCertificateInfo.csv'), `${HEADER}\n`);
    writeFileSync(file('DeviceFileCertificateInfo.jsonl'), '');
    const error = await failure(run('DeviceFileCertificateInfo | count'));
    expect(error.failure).toBe('unavailable');
    expect(error.message).toBe(
      `Cannot read the local data: ${dir}: both DeviceFileCertificateInfo.jsonl and DeviceFileCertificateInfo.csv exist; keep one of them, so it is clear which events the table holds`,
    );
  });
});
