/**
 * Where the engine finds the tables a query names. Table names are case-sensitive.
 */
import type { Table } from './table';

/** Looks tables up by name. */
export interface TableProvider {
  getTable(name: string): Table | undefined;
}

/** A provider over a fixed set of tables, each under its own name. */
export function tablesFrom(tables: Iterable<Table>): TableProvider {
  const byName = new Map<string, Table>();
  for (const table of tables) byName.set(table.name, table);
  return { getTable: (name) => byName.get(name) };
}
