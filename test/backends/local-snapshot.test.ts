/**
 * Columnar snapshots: a second backend (a restart, another process) opens the table from its
 * snapshot; a snapshot that is corrupt (damaged, cut short, not one) or stale (the data file or
 * the schema changed) is detected, never used, and rebuilt from the data file. The table answers
 * as soon as it is read; its snapshot is written after, and a snapshot that cannot be written is
 * said in the log without failing the hunt.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalBackend } from '../../src/backends/local';
import { LocalEngine } from '../../src/backends/local-engine';
import { readTableFile } from '../../src/backends/local-table-file';
import { readSnapshot, snapshotFile, writeSnapshot, type SourceVersion } from '../../src/backends/local-snapshot';
import { tableFromShared } from '../../src/backends/local-shared-table';
import { DEFENDER_SCHEMAS } from '../../src/kql';
import { parseWindow } from '../../src/hunt/window';

const NOW = new Date('2024-06-10T12:00:00.000Z');
const TABLE = 'DeviceFileCertificateInfo';
const SCHEMA = DEFENDER_SCHEMAS[TABLE];
const HUNT = `${TABLE} | where Timestamp > ago(5d) | summarize Count = count(), Reports = make_set(ReportId) by DeviceName, IsSigned, Signer | order by DeviceName asc`;

let dir: string;
let snapshots: string;
const engine = new LocalEngine({ threads: 1, nice: 0 });
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'huntops-snapshot-'));
  snapshots = path.join(dir, 'snapshots');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(() => engine.close());

const dataFile = (): string => path.join(dir, `${TABLE}.jsonl`);

function writeRows(count: number): void {
  const rows = Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      Timestamp: new Date(NOW.getTime() - i * 3_600_000).toISOString(),
      DeviceName: `ws-${i % 7}`,
      Signer: i % 3 === 0 ? 'Kaseya Holdings Inc.' : 'Krämer IT Solutions GmbH',
      IsSigned: i % 5 === 0 ? null : i % 2 === 0,
      ReportId: 1000 + i,
      CrlDistributionPointUrls: '["http://crl.example/a.crl"]',
    }),
  );
  writeFileSync(dataFile(), `${rows.join('\n')}\n`);
}

/**
 * A backend of its own (as after a restart), recording where each table came from; when it read
 * the data file, it answers once the snapshot it writes in the background is written.
 */
async function huntWithNewBackend(): Promise<{ rows: unknown; loads: Array<Record<string, unknown>> }> {
  const loads: Array<Record<string, unknown>> = [];
  let snapshotWritten!: () => void;
  const written = new Promise<void>((resolve) => (snapshotWritten = resolve));
  const log = {
    info: (fields: object, message: string) => {
      if (message === 'loaded a local table') loads.push(fields as Record<string, unknown>);
      if (message === 'wrote the snapshot of a local table') snapshotWritten();
    },
    warn: () => undefined,
  };
  const backend = createLocalBackend({ dataDir: dir, now: () => NOW, maxWindow: parseWindow('30d')!, engine, snapshotDir: snapshots, log });
  const result = await backend.run({ kql: HUNT, window: parseWindow('5d')! });
  if (loads.some((load) => load['from'] === 'data file')) await written;
  return { rows: result.rows, loads };
}

const version = (file: string): SourceVersion => {
  const info = statSync(file);
  return { file, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
};

describe('columnar snapshots', () => {
  test('a restart opens the table from the snapshot, with the same answers', async () => {
    writeRows(300);
    const first = await huntWithNewBackend();
    expect(first.loads).toEqual([expect.objectContaining({ table: TABLE, rows: 300, from: 'data file' })]);
    const second = await huntWithNewBackend();
    expect(second.loads).toEqual([expect.objectContaining({ table: TABLE, rows: 300, from: 'snapshot' })]);
    expect(second.rows).toEqual(first.rows);
    expect((first.rows as unknown[]).length).toBeGreaterThan(0);
  });

  test.each<[string, (file: string) => void, RegExp]>([
    [
      'a damaged column',
      (file) => {
        const bytes = readFileSync(file);
        bytes[bytes.length - 3]! ^= 0xff;
        writeFileSync(file, bytes);
      },
      /^corrupt: column \w+ does not match its checksum$/,
    ],
    ['a file cut short', (file) => truncateSync(file, statSync(file).size - 100), /^corrupt: (buffer \w+ of column \d+ lies outside the file|the file is cut short)$/],
    ['a damaged header', (file) => {
      const bytes = readFileSync(file);
      bytes[40]! ^= 0x01;
      writeFileSync(file, bytes);
    }, /^corrupt: the header does not match its checksum$/],
    ['not a snapshot at all', (file) => writeFileSync(file, 'hello'), /^corrupt: not a snapshot file$/],
  ])('%s is detected, not used, and the snapshot rebuilt', async (_what, damage, reason) => {
    writeRows(300);
    const first = await huntWithNewBackend();
    damage(snapshotFile(snapshots, TABLE, dataFile()));
    const second = await huntWithNewBackend();
    expect(second.loads).toEqual([expect.objectContaining({ from: 'data file', snapshot: expect.stringMatching(reason) })]);
    expect(second.rows).toEqual(first.rows);
    const third = await huntWithNewBackend();
    expect(third.loads).toEqual([expect.objectContaining({ from: 'snapshot' })]);
    expect(third.rows).toEqual(first.rows);
  });

  test('a data file changed since the snapshot makes it stale: read again, with the new events', async () => {
    writeRows(300);
    await huntWithNewBackend();
    appendFileSync(dataFile(), `${JSON.stringify({ Timestamp: NOW.toISOString(), DeviceName: 'ws-new', Signer: 'Kaseya', ReportId: 1 })}\n`);
    const after = await huntWithNewBackend();
    expect(after.loads).toEqual([expect.objectContaining({ from: 'data file', rows: 301, snapshot: expect.stringMatching(/^stale: the data file changed since/) })]);
    expect(after.rows).toEqual(expect.arrayContaining([expect.objectContaining({ DeviceName: 'ws-new' })]));
  });

  test('a snapshot that cannot be written is logged; the table answers all the same and the next start reads the data file', async () => {
    writeRows(40);
    writeFileSync(snapshots, 'a file where the snapshot folder should be');
    const warned: Array<{ fields: object; message: string }> = [];
    const hunt = async () => {
      const loaded: unknown[] = [];
      const log = { info: (fields: object, message: string) => message === 'loaded a local table' && loaded.push(fields), warn: (fields: object, message: string) => warned.push({ fields, message }) };
      const backend = createLocalBackend({ dataDir: dir, now: () => NOW, maxWindow: parseWindow('30d')!, engine, snapshotDir: snapshots, log });
      const result = await backend.run({ kql: HUNT, window: parseWindow('5d')! });
      await engine.close();
      return { rows: result.rows, loaded };
    };
    const first = await hunt();
    expect((first.rows as unknown[]).length).toBeGreaterThan(0);
    expect(warned).toEqual([{ fields: expect.objectContaining({ table: TABLE, reason: expect.stringMatching(/EEXIST|ENOTDIR/) }), message: expect.stringMatching(/^could not write the snapshot/) }]);
    const second = await hunt();
    expect(second.loaded).toEqual([expect.objectContaining({ from: 'data file' })]);
    expect(second.rows).toEqual(first.rows);
  });

  test('a snapshot of another schema or another data file is stale; the same one opens byte for byte', async () => {
    writeRows(50);
    const table = await readTableFile({ file: dataFile(), table: TABLE, schema: SCHEMA }, 'a');
    const file = path.join(dir, 'x.columns');
    writeSnapshot(file, table, version(dataFile()));
    const opened = readSnapshot(file, SCHEMA, version(dataFile()), 'b');
    if ('reason' in opened) throw new Error(`not opened: ${opened.reason}`);
    const original = tableFromShared(table);
    const again = tableFromShared(opened);
    expect(again.rowCount).toBe(50);
    expect(again.columns).toEqual(original.columns);
    expect(readSnapshot(file, DEFENDER_SCHEMAS.DeviceNetworkEvents, version(dataFile()), 'c')).toEqual({ reason: 'stale', detail: 'the table schema changed' });
    expect(readSnapshot(file, SCHEMA, { ...version(dataFile()), ino: version(dataFile()).ino + 1 }, 'd')).toMatchObject({ reason: 'stale' });
    expect(readSnapshot(path.join(dir, 'none.columns'), SCHEMA, version(dataFile()), 'e')).toEqual({ reason: 'missing' });
  });
});
