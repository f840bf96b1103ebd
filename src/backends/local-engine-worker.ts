/**
 * What the local engine's threads run (see `local-engine.ts`): `query` runs KQL over shared tables,
 * `load` opens a table from its snapshot or reads its data file (then writes the snapshot). Each
 * task lowers its thread's scheduling priority first (Linux keeps a nice value per thread), so the
 * bot's event loop gets a core first whenever it has work.
 *
 * Answers are plain data (they cross threads by structured clone, which keeps no error classes):
 * a refusal the analyst should see comes back as `{ ok: false, ... }`; anything else throws.
 */
import { statSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { executeKql, KqlError, tablesFrom, type Table } from '../kql';
import type { QueryResult } from './backend';
import { LocalDataError } from './local-data-error';
import type { TableFileSource } from './local-jsonl';
import { tableFromShared, type SharedTable } from './local-shared-table';
import { readSnapshot, writeSnapshot, type SnapshotMiss, type SourceVersion } from './local-snapshot';
import { readTableFile } from './local-table-file';

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
export type QueryAnswer = { readonly ok: true; readonly result: QueryResult } | { readonly ok: false; readonly kqlError: string };

/** A table for the loading thread. */
export interface LoadTask {
  readonly source: TableFileSource;
  readonly version: SourceVersion;
  readonly id: string;
  /** Where the table's snapshot is (or goes); none: always read the data file. */
  readonly snapshotFile?: string;
  /** Told `{ bytes, totalBytes, rows }` as the data file is read. */
  readonly progress?: MessagePort;
  readonly nice: number;
}

/** A load's answer. */
export type LoadAnswer =
  | {
      readonly ok: true;
      readonly table: SharedTable;
      readonly from: 'snapshot' | 'data file';
      /** Why the snapshot was not used, when it was not (absent: none was asked for). */
      readonly snapshotMiss?: SnapshotMiss;
      /** Why no snapshot was written after reading the data file. */
      readonly snapshotNotWritten?: string;
    }
  | { readonly ok: false; readonly dataError: string };

function lowerPriority(nice: number): void {
  if (nice <= 0) return;
  try {
    setPriority(0, Math.min(19, nice));
  } catch {
    // Not allowed here (some containers): the thread keeps its priority.
  }
}

/** Decoded tables by id; a few kept beyond those in use (LRU by insertion). */
const decoded = new Map<string, Table>();
const shifted = new Map<string, { readonly shiftMs: number; readonly table: Table }>();
const KEEP = 8;

function tableFor(shared: SharedTable, shiftMs: number): Table {
  let table = decoded.get(shared.id);
  if (table) decoded.delete(shared.id);
  else table = tableFromShared(shared);
  decoded.set(shared.id, table);
  while (decoded.size > KEEP) {
    const oldest = decoded.keys().next().value!;
    decoded.delete(oldest);
    shifted.delete(oldest);
  }
  if (shiftMs === 0) return table;
  const previous = shifted.get(shared.id);
  if (previous?.shiftMs === shiftMs) return previous.table;
  const moved = table.withShiftedDatetimes(shiftMs);
  shifted.set(shared.id, { shiftMs, table: moved });
  return moved;
}

/** Runs a query (the `query` task). */
export function query(task: QueryTask): QueryAnswer {
  lowerPriority(task.nice);
  const tables = task.tables.map((t) => tableFor(t, task.shiftMs));
  try {
    return { ok: true, result: executeKql(task.kql, { tables: tablesFrom(tables), now: new Date(task.now) }) };
  } catch (error) {
    if (error instanceof KqlError) return { ok: false, kqlError: error.message };
    throw error;
  }
}

/** Opens or reads a table (the `load` task). */
export async function load(task: LoadTask): Promise<LoadAnswer> {
  lowerPriority(task.nice);
  try {
    let snapshotMiss: SnapshotMiss | undefined;
    if (task.snapshotFile) {
      const opened = readSnapshot(task.snapshotFile, task.source.schema, task.version, task.id);
      if (!('reason' in opened)) return { ok: true, table: opened, from: 'snapshot' };
      snapshotMiss = opened;
    }
    const table = await readTableFile(task.source, task.id, (bytes, totalBytes, rows) => task.progress?.postMessage({ bytes, totalBytes, rows }));
    let snapshotNotWritten: string | undefined;
    const after = statSync(task.source.file);
    if (after.size !== task.version.size || after.mtimeMs !== task.version.mtimeMs || after.ino !== task.version.ino) {
      snapshotNotWritten = 'the data file changed while it was read';
    } else if (task.snapshotFile) {
      try {
        writeSnapshot(task.snapshotFile, table, task.version);
      } catch (error) {
        snapshotNotWritten = (error as Error).message;
      }
    }
    return {
      ok: true,
      table,
      from: 'data file',
      ...(snapshotMiss ? { snapshotMiss } : {}),
      ...(snapshotNotWritten ? { snapshotNotWritten } : {}),
    };
  } catch (error) {
    if (error instanceof LocalDataError) return { ok: false, dataError: error.message };
    throw error;
  } finally {
    task.progress?.close();
  }
}
