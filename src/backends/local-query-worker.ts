/**
 * What the local engine's query threads run (see `local-engine.ts`): `query` runs KQL over shared
 * tables. Each task first makes sure its thread runs below the event loop
 * (`threads/thread-priority.ts`), and then, a slice of a long scan at a time, gives way to it while
 * it works (`threads/give-way.ts`).
 *
 * Answers are plain data (they cross threads by structured clone, which keeps no error classes):
 * a refusal the analyst should see comes back as `{ ok: false, ... }`; anything else throws.
 */
import { executeKql, KqlError, tablesFrom, type KqlErrorKind, type SourcePosition, type Table } from '../kql';
import type { QueryResult } from './backend';
import { tableFromShared, type SharedTable } from './local-shared-table';
import { giveWayBelow } from '../threads/give-way';
import { lowerPriority } from '../threads/thread-priority';

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
  const between = giveWayBelow(task.nice);
  const tables = task.tables.map(tableFor);
  try {
    const slices = between && { between };
    return { ok: true, result: executeKql(task.kql, { tables: tablesFrom(tables), now: new Date(task.now), datetimeShiftMs: task.shiftMs, slices }) };
  } catch (error) {
    if (error instanceof KqlError) return { ok: false, kqlError: { kind: error.kind, detail: error.detail, ...(error.position ? { position: error.position } : {}) } };
    throw error;
  }
}
