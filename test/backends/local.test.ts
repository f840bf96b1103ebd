/**
 * The local backend over a temporary folder of JSONL event files written by each test.
 */
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BackendError, type Backend, type QueryResult } from '../../src/backends/backend';
import { createLocalBackend } from '../../src/backends/local';
import { parseWindow } from '../../src/hunt/window';

const NOW = new Date('2024-06-10T12:00:00.000Z');
const DAY = 86_400_000;
const at = (offsetMs: number, from: Date = NOW): string => new Date(from.getTime() + offsetMs).toISOString();
const MAX_WINDOW = parseWindow('30d')!;

const HUNT = [
  'let Time_start = now(-5d);',
  'let Time_end = now();',
  'DeviceFileCertificateInfo',
  '| where Timestamp between (Time_start..Time_end)',
  "| where Signer has 'Kaseya'",
  '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count() by DeviceId, DeviceName',
].join('\n');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'huntops-local-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string): string => path.join(dir, name);
const writeEvents = (events: ReadonlyArray<Record<string, unknown>>, name = 'DeviceFileCertificateInfo.jsonl'): void => {
  writeFileSync(file(name), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
};
const backend = (now: () => Date = () => NOW, label?: string): Backend =>
  createLocalBackend(label === undefined ? { dataDir: dir, now, maxWindow: MAX_WINDOW } : { dataDir: dir, now, maxWindow: MAX_WINDOW, label });
const hunt = (b: Backend, kql = HUNT, signal?: AbortSignal): Promise<QueryResult> =>
  b.run(signal ? { kql, window: parseWindow('5d')!, signal } : { kql, window: parseWindow('5d')! });
const devices = async (b: Backend, kql = HUNT): Promise<string[]> => (await hunt(b, kql)).rows.map((r) => r['DeviceId'] as string);

async function failure(promise: Promise<unknown>): Promise<BackendError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof BackendError) return e;
    throw e;
  }
  throw new Error('the query did not fail');
}

const kaseya = (DeviceId: string, offsetMs: number, ReportId: number, Signer = 'Kaseya Holdings Inc.') => ({
  Timestamp: at(offsetMs),
  DeviceId,
  DeviceName: `${DeviceId}.corp.example`,
  Signer,
  ReportId,
});

describe('local backend', () => {
  test('describes itself', () => {
    const plain = backend();
    expect(plain.kind).toBe('local');
    expect(plain.dialect).toBe('defender');
    expect(plain.maxWindow).toBe(MAX_WINDOW);
    expect(plain.source).toBe(`local files in ${dir}`);
    expect(backend(undefined, 'sample data').source).toBe('sample data');
  });

  test('runs the hunt over the JSONL file: look-alikes and old events are not found', async () => {
    writeEvents([
      kaseya('ws-1', -DAY, 1),
      kaseya('ws-2', -DAY, 2, 'KaseyaTools Ltd'),
      kaseya('ws-3', -DAY, 3, 'NotKaseya'),
      kaseya('ws-4', -6 * DAY, 4),
      kaseya('ws-1', -2 * DAY, 5),
      { ...kaseya('ws-5', -DAY, 6, 'Microsoft Corporation'), IsTrusted: true, IsSigned: true, SHA1: 'ab', CrlDistributionPointUrls: ['http://crl'] },
    ]);
    const result = await hunt(backend());
    expect(result.rows).toEqual([
      { DeviceId: 'ws-1', DeviceName: 'ws-1.corp.example', FirstSeen: at(-2 * DAY), LastSeen: at(-DAY), Report: [1, 5], Count: 2 },
    ]);
  });

  test('accepts CRLF line endings, blank lines and a byte-order mark', async () => {
    const lines = [kaseya('ws-1', -DAY, 1), kaseya('ws-2', -DAY, 2)].map((e) => JSON.stringify(e));
    writeFileSync(file('DeviceFileCertificateInfo.jsonl'), `\ufeff${lines[0]}\r\n\r\n   \r\n${lines[1]}\r\n`);
    expect(await devices(backend())).toEqual(['ws-1', 'ws-2']);
  });

  test('a table without a file is a query failure naming the file', async () => {
    writeEvents([kaseya('ws-1', -DAY, 1)]);
    const error = await failure(hunt(backend(), "DeviceProcessEvents | where ProcessVersionInfoCompanyName has 'Kaseya'"));
    expect(error.failure).toBe('query');
    expect(error.message).toBe(`There is no local data for the table DeviceProcessEvents: neither ${file('DeviceProcessEvents.jsonl')} nor DeviceProcessEvents.csv exists.`);
  });

  test('a query asked again is answered as the first time: its tables are looked for again, and a bad query fails again', async () => {
    writeEvents([kaseya('ws-1', -DAY, 1)]);
    const b = backend();
    expect(await devices(b)).toEqual(['ws-1']);
    writeEvents([kaseya('ws-1', -DAY, 1), kaseya('ws-2', -DAY, 2)]);
    utimesSync(file('DeviceFileCertificateInfo.jsonl'), new Date(), new Date(Date.now() + 5000));
    expect((await devices(b)).sort()).toEqual(['ws-1', 'ws-2']);
    rmSync(file('DeviceFileCertificateInfo.jsonl'));
    expect((await failure(hunt(b))).message).toBe(`There is no local data for the table DeviceFileCertificateInfo: neither ${file('DeviceFileCertificateInfo.jsonl')} nor DeviceFileCertificateInfo.csv exists.`);
    for (let i = 0; i < 2; i++) {
      const error = await failure(hunt(b, 'DeviceFileCertificateInfo | where Timestamp > ago(2w)'));
      expect([error.failure, error.message]).toEqual(['query', expect.stringContaining("invalid literal '2w'")]);
    }
  });

  test('a KQL error is a query failure with the position', async () => {
    writeEvents([kaseya('ws-1', -DAY, 1)]);
    const error = await failure(hunt(backend(), "DeviceFileCertificateInfo\n| where signer has 'Kaseya'"));
    expect(error.failure).toBe('query');
    expect(error.message).toBe(
      "unknown column or variable 'signer' in table DeviceFileCertificateInfo; did you mean 'Signer'? (Kusto names are case-sensitive) (line 2, column 9)",
    );
    const syntax = await failure(hunt(backend(), 'DeviceFileCertificateInfo | where Timestamp > ago(2w)'));
    expect(syntax.failure).toBe('query');
    expect(syntax.message).toContain("invalid literal '2w'");
    const unknown = await failure(hunt(backend(), "DeviceEvents | where ActionType has 'x'"));
    expect(unknown.message).toBe("unknown table 'DeviceEvents' (line 1, column 1)");
  });

  test('reloads a file when it changes, and only then', async () => {
    writeEvents([kaseya('ws-1', -DAY, 1)]);
    const b = backend();
    expect(await devices(b)).toEqual(['ws-1']);

    writeEvents([kaseya('ws-1', -DAY, 1), kaseya('ws-2', -DAY, 2)]);
    expect(await devices(b)).toEqual(['ws-1', 'ws-2']);

    // Same size, same inode, an explicitly different modification time: reloaded.
    const target = file('DeviceFileCertificateInfo.jsonl');
    const before = statSync(target);
    writeEvents([kaseya('ws-1', -DAY, 1), kaseya('ws-3', -DAY, 2)]);
    utimesSync(target, before.atime, new Date(before.mtimeMs + 60_000));
    expect(statSync(target).size).toBe(before.size);
    expect(await devices(b)).toEqual(['ws-1', 'ws-3']);

    // Content changed but size, inode and modification time restored: the cached table is used.
    const cached = statSync(target);
    writeEvents([kaseya('ws-1', -DAY, 1), kaseya('ws-4', -DAY, 2)]);
    utimesSync(target, cached.atime, cached.mtime);
    expect(await devices(b)).toEqual(['ws-1', 'ws-3']);
  });

  test('a query over a tabular let loads every table it names', async () => {
    writeEvents([kaseya('ws-1', -DAY, 1), { ...kaseya('ws-2', -DAY, 2), SHA1: 'ab' }]);
    writeEvents([{ Timestamp: at(-DAY), DeviceId: 'ws-2', DeviceName: 'ws-2', SHA1: 'ab', ReportId: 9 }], 'DeviceProcessEvents.jsonl');
    const query = "let signed = DeviceFileCertificateInfo | where Signer has 'Kaseya' | distinct SHA1;\nDeviceProcessEvents | where SHA1 in (signed) | project DeviceId";
    expect(await devices(backend(), query)).toEqual(['ws-2']);
  });

  test('a query over a materialized let and a union loads every table it names', async () => {
    writeEvents([kaseya('ws-1', -DAY, 1)]);
    writeEvents([{ Timestamp: at(-DAY), DeviceId: 'ws-9', DeviceName: 'ws-9', RemoteUrl: 'vsa.kaseya.net', ReportId: 9 }], 'DeviceNetworkEvents.jsonl');
    const query = [
      "let certs = materialize(DeviceFileCertificateInfo | where Signer has 'Kaseya');",
      'union (certs | project DeviceId), (DeviceNetworkEvents | where RemoteUrl has \'kaseya.net\' | project DeviceId)',
      '| order by DeviceId asc',
    ].join('\n');
    expect(await devices(backend(), query)).toEqual(['ws-1', 'ws-9']);
  });

  test('the evidence tables: a join of DeviceFileEvents (JSONL) and a lookup of DeviceInfo (CSV, as Defender exports it) load every table they name', async () => {
    writeEvents([{ ...kaseya('ws-1', -DAY, 1), SHA1: 'ab' }]);
    writeEvents([{ Timestamp: at(-DAY), DeviceId: 'ws-1', DeviceName: 'ws-1', ActionType: 'FileCreated', FileName: 'KcsSetup.exe', FolderPath: 'C:\\Users\\anna\\Downloads\\KcsSetup.exe', SHA1: 'ab', FileOriginUrl: 'https://rmm.example/x', ReportId: 2 }], 'DeviceFileEvents.jsonl');
    writeFileSync(
      file('DeviceInfo.csv'),
      '\ufeffTimestamp,DeviceId,DeviceName,OSPlatform,IsAzureADJoined,OSBuild,LoggedOnUsers,ExposureLevel\r\n' +
        `${at(-2 * DAY)},ws-1,ws-1,Windows10,True,19045,[],Low\r\n` +
        `${at(-DAY)},ws-1,ws-1,Windows11,True,22631,"[{""UserName"":""anna""}]",Medium\r\n`,
    );
    const query = [
      "DeviceFileCertificateInfo | where Signer has 'Kaseya'",
      '| join kind=inner (DeviceFileEvents | project SHA1, FolderPath, FileOriginUrl) on SHA1',
      '| lookup (DeviceInfo | summarize arg_max(Timestamp, *) by DeviceId | project DeviceId, OSPlatform, OSBuild, IsAzureADJoined, LoggedOnUsers, ExposureLevel) on DeviceId',
      '| project DeviceId, SHA1, SHA11, FolderPath, FileOriginUrl, OSPlatform, OSBuild, IsAzureADJoined, LoggedOnUsers, ExposureLevel',
    ].join('\n');
    expect((await hunt(backend(), query)).rows).toEqual([
      {
        DeviceId: 'ws-1',
        SHA1: 'ab',
        SHA11: 'ab',
        FolderPath: 'C:\\Users\\anna\\Downloads\\KcsSetup.exe',
        FileOriginUrl: 'https://rmm.example/x',
        OSPlatform: 'Windows11',
        OSBuild: 22631,
        IsAzureADJoined: true,
        LoggedOnUsers: '[{"UserName":"anna"}]',
        ExposureLevel: 'Medium',
      },
    ]);
  });

  test('concurrent first uses agree', async () => {
    writeEvents([kaseya('ws-1', -DAY, 1), kaseya('ws-2', -2 * DAY, 2)]);
    const b = backend();
    const [first, second] = await Promise.all([hunt(b), hunt(b)]);
    expect(first).toEqual(second);
    expect(first.rows.map((r) => r['DeviceId'])).toEqual(['ws-1', 'ws-2']);
  });
});

describe('local backend: recorded samples (dataset.json)', () => {
  const ANCHOR = new Date('2024-01-01T00:00:00.000Z');

  test('every datetime moves by now - anchor, so the sample looks recent', async () => {
    writeFileSync(file('dataset.json'), JSON.stringify({ anchor: ANCHOR.toISOString() }));
    writeEvents([
      { ...kaseya('ws-1', 0, 1), Timestamp: at(-DAY, ANCHOR), CertificateExpirationTime: at(300 * DAY, ANCHOR) },
      { ...kaseya('ws-2', 0, 2), Timestamp: at(-10 * DAY, ANCHOR) },
    ]);
    const result = await hunt(backend());
    expect(result.rows).toEqual([{ DeviceId: 'ws-1', DeviceName: 'ws-1.corp.example', FirstSeen: at(-DAY), LastSeen: at(-DAY), Report: [1], Count: 1 }]);
    const expiry = await hunt(backend(), "DeviceFileCertificateInfo | where DeviceId == 'ws-1' | summarize e = max(CertificateExpirationTime)");
    expect(expiry.rows).toEqual([{ e: at(300 * DAY) }]);
  });

  test('the shift follows the clock and the anchor', async () => {
    writeFileSync(file('dataset.json'), JSON.stringify({ anchor: ANCHOR.toISOString() }));
    writeEvents([{ ...kaseya('ws-1', 0, 1), Timestamp: at(-DAY, ANCHOR) }]);
    let now = NOW;
    const b = backend(() => now);
    expect((await hunt(b)).rows[0]!['FirstSeen']).toBe(at(-DAY));
    now = new Date(NOW.getTime() + 7 * DAY);
    expect((await hunt(b)).rows[0]!['FirstSeen']).toBe(at(6 * DAY));
    writeFileSync(file('dataset.json'), JSON.stringify({ anchor: at(-2 * DAY, ANCHOR) }));
    expect((await hunt(b)).rows).toEqual([]);
  });

  test('without dataset.json nothing moves', async () => {
    writeEvents([{ ...kaseya('ws-1', 0, 1), Timestamp: at(-DAY, ANCHOR) }]);
    expect((await hunt(backend())).rows).toEqual([]);
  });

  test('a dataset.json without a valid anchor is refused', async () => {
    writeEvents([kaseya('ws-1', -DAY, 1)]);
    writeFileSync(file('dataset.json'), JSON.stringify({ anchor: 'last tuesday' }));
    const error = await failure(hunt(backend()));
    expect(error.failure).toBe('unavailable');
    expect(error.message).toBe(`Cannot read the local data: ${file('dataset.json')}: expected { "anchor": "<ISO 8601 datetime>" }, got anchor "last tuesday"`);
    writeFileSync(file('dataset.json'), '{ not json');
    expect((await failure(hunt(backend()))).message).toContain(`${file('dataset.json')}: not valid JSON`);
  });
});

describe('local backend: load errors', () => {
  const target = (): string => file('DeviceFileCertificateInfo.jsonl');

  test.each<[string, string[], string]>([
    ['a value of the wrong type', ['{"DeviceId":"ws-1"}', '{"DeviceId":"ws-2","Timestamp":1717236000000}'], 'line 2: column Timestamp: expected an ISO 8601 datetime string, got 1717236000000'],
    ['a long that is text', ['{"DeviceId":"ws-1","ReportId":"7"}'], 'line 1: column ReportId: expected an integer (long), got "7"'],
    ['a column not in the schema', ['{"DeviceId":"ws-1"}', '', '{"DeviceId":"ws-2","signer":"Kaseya"}'], 'line 3: column signer: not a column of DeviceFileCertificateInfo'],
    ['a line that is not JSON', ['{"DeviceId":"ws-1"}', '{"DeviceId":'], 'line 2: not valid JSON'],
    ['a line that is not an object', ['["ws-1"]'], 'line 1: expected a JSON object (one event per line)'],
  ])('%s names the file, line and column', async (_what, lines, detail) => {
    writeFileSync(target(), lines.join('\n'));
    const error = await failure(hunt(backend()));
    expect(error.failure).toBe('unavailable');
    expect(error.message).toContain(`Cannot read the local data: ${target()}, ${detail}`);
  });

  test('a failed load is not kept: the fixed file loads', async () => {
    writeFileSync(target(), '{"DeviceId": 5}\n');
    const b = backend();
    expect((await failure(hunt(b))).message).toContain('line 1: column DeviceId: expected a string, got 5');
    writeEvents([kaseya('ws-1', -DAY, 1)]);
    expect(await devices(b)).toEqual(['ws-1']);
  });
});

describe('local backend: cancellation', () => {
  test('an aborted request rejects without running', async () => {
    writeEvents([kaseya('ws-1', -DAY, 1)]);
    const controller = new AbortController();
    controller.abort(new Error('deadline'));
    const error = await failure(hunt(backend(), HUNT, controller.signal));
    expect(error.failure).toBe('timeout');
    expect(error.message).toBe(`The hunt was cancelled before local files in ${dir} answered.`);
  });

  test('aborting while the file loads rejects at once', async () => {
    writeEvents(Array.from({ length: 2000 }, (_, i) => kaseya(`ws-${i}`, -DAY, i)));
    const controller = new AbortController();
    const pending = hunt(backend(), HUNT, controller.signal);
    controller.abort(new Error('shutdown'));
    const error = await failure(pending);
    expect(error.failure).toBe('timeout');
    expect((error.options.cause as Error).message).toBe('shutdown');
  });
});
