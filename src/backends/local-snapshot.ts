/**
 * Columnar snapshots of loaded tables, so that a restart or a second process opens a table of
 * tens of millions of rows by reading its columns back instead of parsing the text again.
 *
 * One file per data file, `<snapshotDir>/<Table>-<hash of the data file's path>.columns`:
 *
 * ```
 * "HUNTCOLS" | u32 format version | u32 header length | u32 CRC-32 of the header | header (JSON) | buffers
 * ```
 *
 * The header names the table, its schema, its row count, the data file it was read from (path,
 * size, modification time, inode) and every buffer (column, kind, offset, length, CRC-32 of its
 * bytes). A snapshot is used only when all of it holds: the magic and version, the header's
 * checksum, the same schema and data file (a file that changed since makes it stale), every
 * buffer inside the file with its checksum (a truncated or damaged file is corrupt). Anything else
 * is reported as the reason it is not used, and the caller reads the data file again and writes a
 * new snapshot. Snapshots are written to a temporary file and renamed into place, so a reader never
 * sees half of one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { TableSchema } from '../kql/tables';
import { BUFFER_KINDS, type SharedColumn, type SharedTable } from './local-shared-table';

const MAGIC = Buffer.from('HUNTCOLS', 'latin1');
const VERSION = 1;
const PREAMBLE = 20;
const ALIGN = 8;

/** Which version of a data file a snapshot was read from. */
export interface SourceVersion {
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

interface BufferEntry {
  readonly column: number;
  readonly kind: (typeof BUFFER_KINDS)[number];
  readonly offset: number;
  readonly length: number;
  readonly crc: number;
}

interface Header {
  readonly table: string;
  readonly schema: TableSchema;
  readonly rowCount: number;
  readonly source: SourceVersion;
  readonly buffers: readonly BufferEntry[];
}

/** Why a snapshot was not used. */
export type SnapshotMiss = { readonly reason: 'missing' } | { readonly reason: 'stale' | 'corrupt'; readonly detail: string };

/** The snapshot file of a data file. */
export function snapshotFile(snapshotDir: string, table: string, dataFile: string): string {
  const hash = createHash('sha256').update(path.resolve(dataFile)).digest('hex').slice(0, 16);
  return path.join(snapshotDir, `${table}-${hash}.columns`);
}

function aligned(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

/** Writes `table`, read from `source`, as the snapshot `file` (atomically: a temporary file renamed). */
export function writeSnapshot(file: string, table: SharedTable, source: SourceVersion): void {
  const buffers: BufferEntry[] = [];
  const data: SharedArrayBuffer[] = [];
  let offset = 0;
  table.columns.forEach((column, index) => {
    for (const kind of BUFFER_KINDS) {
      const buffer = column[kind];
      if (!buffer) continue;
      buffers.push({ column: index, kind, offset, length: buffer.byteLength, crc: crc32(new Uint8Array(buffer)) });
      data.push(buffer);
      offset = aligned(offset + buffer.byteLength);
    }
  });
  const header: Header = { table: table.name, schema: table.schema, rowCount: table.rowCount, source, buffers };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const preamble = Buffer.alloc(PREAMBLE);
  MAGIC.copy(preamble, 0);
  preamble.writeUInt32LE(VERSION, 8);
  preamble.writeUInt32LE(headerBytes.length, 12);
  preamble.writeUInt32LE(crc32(headerBytes), 16);
  const dataStart = aligned(PREAMBLE + headerBytes.length);

  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomUUID()}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, preamble, 0, PREAMBLE, 0);
    writeSync(fd, headerBytes, 0, headerBytes.length, PREAMBLE);
    buffers.forEach((entry, i) => writeAll(fd, new Uint8Array(data[i]!), dataStart + entry.offset));
    closeSync(fd);
    renameSync(temporary, file);
  } catch (error) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(temporary, { force: true });
    throw error;
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30), position + done);
}

function readAll(fd: number, into: Uint8Array, position: number): number {
  let done = 0;
  while (done < into.length) {
    const got = readSync(fd, into, done, Math.min(into.length - done, 1 << 30), position + done);
    if (got === 0) break;
    done += got;
  }
  return done;
}

function sameSchema(a: TableSchema, b: TableSchema): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]!.name && c.type === b[i]!.type);
}

/**
 * Opens the snapshot `file` of `source` (with `schema`) as a shared table with this `id`; or why it
 * cannot be used. Never throws for a bad snapshot: every problem is a {@link SnapshotMiss}.
 */
export function readSnapshot(file: string, schema: TableSchema, source: SourceVersion, id: string): SharedTable | SnapshotMiss {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { reason: 'missing' };
    return { reason: 'corrupt', detail: `cannot open it (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
  try {
    return readOpen(fd, schema, source, id);
  } finally {
    closeSync(fd);
  }
}

function readOpen(fd: number, schema: TableSchema, source: SourceVersion, id: string): SharedTable | SnapshotMiss {
  const corrupt = (detail: string): SnapshotMiss => ({ reason: 'corrupt', detail });
  const size = fstatSync(fd).size;
  const preamble = Buffer.alloc(PREAMBLE);
  if (readAll(fd, preamble, 0) < PREAMBLE || !preamble.subarray(0, 8).equals(MAGIC)) return corrupt('not a snapshot file');
  if (preamble.readUInt32LE(8) !== VERSION) return { reason: 'stale', detail: `format version ${preamble.readUInt32LE(8)}, not ${VERSION}` };
  const headerLength = preamble.readUInt32LE(12);
  if (PREAMBLE + headerLength > size) return corrupt('the header is cut short');
  const headerBytes = Buffer.alloc(headerLength);
  readAll(fd, headerBytes, PREAMBLE);
  if (crc32(headerBytes) !== preamble.readUInt32LE(16)) return corrupt('the header does not match its checksum');
  let header: Header;
  try {
    header = JSON.parse(headerBytes.toString('utf8')) as Header;
  } catch {
    return corrupt('the header is not JSON');
  }
  if (!sameSchema(header.schema, schema)) return { reason: 'stale', detail: 'the table schema changed' };
  const from = header.source;
  if (from.file !== source.file || from.size !== source.size || from.mtimeMs !== source.mtimeMs || from.ino !== source.ino) {
    return { reason: 'stale', detail: `the data file changed since (${from.size} bytes at ${new Date(from.mtimeMs).toISOString()} then, ${source.size} bytes at ${new Date(source.mtimeMs).toISOString()} now)` };
  }
  const dataStart = aligned(PREAMBLE + headerLength);
  const columns: Array<{ -readonly [K in keyof SharedColumn]: SharedColumn[K] }> = schema.map((c) => ({ type: c.type }));
  for (const entry of header.buffers) {
    const column = columns[entry.column];
    if (!column || !BUFFER_KINDS.includes(entry.kind) || dataStart + entry.offset + entry.length > size) return corrupt(`buffer ${entry.kind} of column ${entry.column} lies outside the file`);
    const buffer = new SharedArrayBuffer(entry.length);
    const bytes = new Uint8Array(buffer);
    if (readAll(fd, bytes, dataStart + entry.offset) < entry.length) return corrupt('the file is cut short');
    if (crc32(bytes) !== entry.crc) return corrupt(`column ${schema[entry.column]!.name} does not match its checksum`);
    column[entry.kind] = buffer;
  }
  const problem = columns.findIndex((c) => !complete(c, header.rowCount));
  if (problem >= 0) return corrupt(`column ${schema[problem]!.name} is incomplete`);
  return { id, name: header.table, schema, rowCount: header.rowCount, columns };
}

/** Whether a column has the buffers of its type, of the sizes `rowCount` rows need. */
function complete(column: SharedColumn, rowCount: number): boolean {
  switch (column.type) {
    case 'string':
    case 'dynamic': {
      if (!column.codes || !column.dictBytes || !column.dictOffsets || column.codes.byteLength !== rowCount * 4 || column.dictOffsets.byteLength < 8) return false;
      const offsets = new Float64Array(column.dictOffsets);
      const entries = offsets.length - 1;
      const codes = new Int32Array(column.codes);
      for (let i = 0; i < codes.length; i++) if (codes[i]! < 0 || codes[i]! >= entries) return false;
      for (let i = 0; i < entries; i++) if (!(offsets[i]! <= offsets[i + 1]!)) return false;
      return offsets[0] === 0 && offsets[entries] === column.dictBytes.byteLength;
    }
    case 'bool':
      return column.values?.byteLength === rowCount;
    default:
      return column.values?.byteLength === rowCount * 8;
  }
}
