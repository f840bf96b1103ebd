/**
 * What the local engine's loading threads run (see `local-engine.ts`): `open` (a table's
 * snapshot), `readPart` (a data file, or a part of one), `merge` (the parts as one table) and
 * `snapshot` (the merged table written as its snapshot). Each task first makes sure its thread runs
 * below the event loop (`threads/thread-priority.ts`); reading and merging give way to it while it
 * works, a slice at a time (`threads/give-way.ts`). A thread apart from the query threads' entry,
 * so that it loads only the readers and the engine's tables (`kql/tables.ts`), not the query
 * language: a loading thread is started for each load and its start-up counts.
 *
 * Answers are plain data (they cross threads by structured clone, which keeps no error classes):
 * a data file's problem comes back as `{ ok: false, ... }`; anything else throws.
 */
import { statSync } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { ByteRange } from './local-chunks';
import { LocalDataError } from './local-data-error';
import { readCsvFast } from './local-csv-reader';
import { readJsonlTable, type TableFileSource } from './local-jsonl';
import { partBuffers, type SharedTable, type TablePart } from './local-shared-table';
import { readSnapshot, writeSnapshot, type SnapshotMiss, type SourceVersion } from './local-snapshot';
import { mergeParts } from './local-table-merge';
import { readTablePart } from './local-table-file';
import { giveWayBelow } from '../threads/give-way';
import { lowerPriority } from '../threads/thread-priority';

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
  /** The part's columns go into growable shared memory reserved for this many rows (the first part: see `TableSink`). */
  readonly sharedRows?: number;
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

/** Opens a snapshot (the `open` task). */
export function open(task: OpenTask): OpenAnswer {
  lowerPriority(task.nice);
  const opened = readSnapshot(task.snapshotFile, task.source.schema, task.version, task.id);
  return 'reason' in opened ? { ok: false, miss: opened } : { ok: true, table: opened };
}

/** A part, moved to whoever asked (this thread keeps nothing of it). */
function moved(part: TablePart): ReadPartAnswer {
  return move({ [transferableSymbol]: partBuffers(part), [valueSymbol]: { ok: true, part } }) as unknown as ReadPartAnswer;
}

/** Reads a part of a data file (the `readPart` task). */
export async function readPart(task: ReadPartTask): Promise<ReadPartAnswer> {
  lowerPriority(task.nice);
  try {
    const onProgress = (bytes: number, totalBytes: number, rows: number) => task.progress?.postMessage({ bytes, totalBytes, rows });
    const between = giveWayBelow(task.nice);
    if (!task.range) return moved(await readTablePart(task.source, onProgress, between));
    const options = { onProgress, range: task.range, sharedRows: task.sharedRows, between };
    if (!task.source.file.endsWith('.csv')) return moved(readJsonlTable(task.source, options).toPart());
    const sink = readCsvFast(task.source, options);
    return sink ? moved(sink.toPart()) : { ok: false, readWhole: true };
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
  return mergeParts(task.parts, task.id, giveWayBelow(task.nice));
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
