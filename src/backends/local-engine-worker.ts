/**
 * What the local engine's threads run (see `local-engine.ts`): `query` runs KQL over shared tables;
 * loading is `open` (a table's snapshot), `readPart` (a data file, or a part of one), `merge`
 * (the parts as one table) and `snapshot` (the merged table written as its snapshot). Each
 * task first makes sure its thread runs below the event loop (SCHED_IDLE, else the engine's nice
 * value; see `lowerPriority`), so the bot gets a core first whenever it has work.
 *
 * Answers are plain data (they cross threads by structured clone, which keeps no error classes):
 * a refusal the analyst should see comes back as `{ ok: false, ... }`; anything else throws.
 */
import { execFileSync } from 'node:child_process';
import { readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { getPriority, setPriority } from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { executeKql, KqlError, tablesFrom, type KqlErrorKind, type SourcePosition, type Table } from '../kql';
import type { QueryResult } from './backend';
import { LocalDataError } from './local-data-error';
import type { TableFileSource } from './local-jsonl';
import { buffersOf, ownMemory, tableFromShared, type SharedTable, type TablePart } from './local-shared-table';
import { readSnapshot, writeSnapshot, type SnapshotMiss, type SourceVersion } from './local-snapshot';
import { readTableBuffers } from './local-table-file';
import { readCsvFast } from './local-csv-reader';
import { readJsonlTable } from './local-jsonl';
import { mergeParts } from './local-table-merge';
import type { ByteRange } from './local-chunks';

/** A query for a query thread. */
export interface QueryTask {
  readonly kql: string;
  /** `now()` of the query, ms since the epoch. */
  readonly now: number;
  /** Every datetime of the tables moves by this much (a recorded sample made to look recent). */
  readonly shiftMs: number;
  readonly tables: readonly SharedTable[];
  readonly nice: number;
}

/** A query's answer. */
export type QueryAnswer =
  | { readonly ok: true; readonly result: QueryResult }
  | { readonly ok: false; readonly kqlError: { readonly kind: KqlErrorKind; readonly detail: string; readonly position?: SourcePosition } };

/** Opens a table's snapshot (the `open` task). */
export interface OpenTask {
  readonly snapshotFile: string;
  readonly source: TableFileSource;
  readonly version: SourceVersion;
  readonly id: string;
  readonly nice: number;
}

/** The snapshot's table, or why it was not used. */
export type OpenAnswer = { readonly ok: true; readonly table: SharedTable } | { readonly ok: false; readonly miss: SnapshotMiss };

/** Reads a part of a data file (the `readPart` task). */
export interface ReadPartTask {
  readonly source: TableFileSource;
  /** Bytes of the file, starting at a line; absent: all of it. */
  readonly range?: ByteRange;
  readonly id: string;
  /** Told `{ bytes, totalBytes, rows }` as the part is read. */
  readonly progress?: MessagePort;
  readonly nice: number;
}

/** A part's table, or the data file's problem (`dataError`), or (CSV in parts) that the file must be read whole (`readWhole`). */
export type ReadPartAnswer = { readonly ok: true; readonly part: TablePart } | { readonly ok: false; readonly dataError?: string; readonly readWhole?: true };

/** Puts the parts together (the `merge` task). */
export interface MergeTask {
  readonly parts: readonly TablePart[];
  readonly id: string;
  readonly nice: number;
}

/** Writes a loaded table's snapshot (the `snapshot` task). */
export interface SnapshotTask {
  readonly table: SharedTable;
  readonly source: TableFileSource;
  readonly version: SourceVersion;
  readonly snapshotFile: string;
  readonly nice: number;
}

/** Why no snapshot was written, or nothing when it was. */
export interface SnapshotAnswer {
  readonly notWritten?: string;
}

/** Whether this thread's priority has been lowered. */
let lowered = false;

/**
 * Lowers this thread's scheduling priority below the event loop's, once (Linux keeps a priority
 * per thread; a thread starts with its creator's). First Linux's SCHED_IDLE policy: a core that
 * runs only such threads counts as idle to the kernel, so whatever wakes up (the bot's event loop,
 * a process it talks to) is given that core at once instead of queueing beside the bot. Node has no
 * call for it, so util-linux's `chrt` sets it on this thread (`/proc/thread-self`). Then the nice
 * value, which is what remains where `chrt` is missing or not allowed.
 */
function lowerPriority(nice: number): void {
  if (lowered) return;
  lowered = true;
  try {
    if (getPriority() >= nice) return;
    setPriority(Math.min(19, nice));
  } catch {
    // Not allowed here (some containers): the thread keeps its priority.
    return;
  }
  try {
    execFileSync('chrt', ['--idle', '--pid', '0', path.basename(readlinkSync('/proc/thread-self'))], { stdio: 'ignore', timeout: 5000 });
  } catch {
    // No chrt, or not allowed: the nice value stands.
  }
}

/**
 * Decoded tables, by table name: the version last queried. A backend queries one version of a
 * table at a time (a changed file's new version replaces the previous one), so a query naming
 * another version replaces the cached one and no thread keeps a superseded version's memory alive.
 */
const decoded = new Map<string, { readonly id: string; readonly table: Table }>();

function tableFor(shared: SharedTable): Table {
  const cached = decoded.get(shared.name);
  if (cached?.id === shared.id) return cached.table;
  const table = tableFromShared(shared);
  decoded.set(shared.name, { id: shared.id, table });
  return table;
}

/**
 * Runs a query (the `query` task). The tables are read as they are: a recorded sample's shift is
 * the engine's `datetimeShiftMs`, which runs the query on the data's own clock rather than copy
 * the datetime columns (see `kql/data-clock.ts`).
 */
export function query(task: QueryTask): QueryAnswer {
  lowerPriority(task.nice);
  const tables = task.tables.map(tableFor);
  try {
    return { ok: true, result: executeKql(task.kql, { tables: tablesFrom(tables), now: new Date(task.now), datetimeShiftMs: task.shiftMs }) };
  } catch (error) {
    if (error instanceof KqlError) return { ok: false, kqlError: { kind: error.kind, detail: error.detail, ...(error.position ? { position: error.position } : {}) } };
    throw error;
  }
}

/** Opens a snapshot (the `open` task). */
export function open(task: OpenTask): OpenAnswer {
  lowerPriority(task.nice);
  const opened = readSnapshot(task.snapshotFile, task.source.schema, task.version, task.id);
  return 'reason' in opened ? { ok: false, miss: opened } : { ok: true, table: opened };
}

/** A part, moved to whoever asked (this thread keeps nothing of it). */
function moved(part: TablePart): ReadPartAnswer {
  return move({ [transferableSymbol]: buffersOf(part), [valueSymbol]: { ok: true, part } }) as unknown as ReadPartAnswer;
}

/** Reads a part of a data file (the `readPart` task). */
export async function readPart(task: ReadPartTask): Promise<ReadPartAnswer> {
  lowerPriority(task.nice);
  try {
    const onProgress = (bytes: number, totalBytes: number, rows: number) => task.progress?.postMessage({ bytes, totalBytes, rows });
    if (!task.range) return moved(await readTableBuffers(task.source, task.id, ownMemory, onProgress));
    if (!task.source.file.endsWith('.csv')) return moved(readJsonlTable(task.source, onProgress, task.range).toBuffers(task.id, ownMemory));
    const sink = readCsvFast(task.source, onProgress, task.range);
    return sink ? moved(sink.toBuffers(task.id, ownMemory)) : { ok: false, readWhole: true };
  } catch (error) {
    if (error instanceof LocalDataError) return task.range ? { ok: false, readWhole: true } : { ok: false, dataError: error.message };
    throw error;
  } finally {
    task.progress?.close();
  }
}

/** Merges parts (the `merge` task). */
export function merge(task: MergeTask): SharedTable {
  lowerPriority(task.nice);
  return mergeParts(task.parts, task.id);
}

/** Writes the snapshot of a table read from a data file, unless the file changed while it was read (the `snapshot` task). */
export function snapshot(task: SnapshotTask): SnapshotAnswer {
  lowerPriority(task.nice);
  const after = statSync(task.source.file);
  if (after.size !== task.version.size || after.mtimeMs !== task.version.mtimeMs || after.ino !== task.version.ino) {
    return { notWritten: 'the data file changed while it was read' };
  }
  try {
    writeSnapshot(task.snapshotFile, task.table, task.version);
    return {};
  } catch (error) {
    return { notWritten: (error as Error).message };
  }
}
