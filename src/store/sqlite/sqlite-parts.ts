/**
 * What the modules of the SQLite store (`sqlite-hunts.ts`, `sqlite-outbox.ts`, `sqlite-watches.ts`…)
 * need of the store they belong to: its connection, its clock, and the few writes one concern makes
 * on behalf of another inside the same transaction. `SqliteStore` implements it and hands it to each.
 */
import type Database from 'better-sqlite3';
import type { NewOutboxItem, OutboxItem } from '../store';
import type { Row } from './sqlite-rows';

/** What a module needs of the SQLite store it belongs to. */
export interface SqliteParts {
  /** The prepared statement of a text, compiled once per connection. */
  sql(text: string): Database.Statement;
  /** Runs `work` in one immediate (write-locking) transaction. */
  write<T>(work: () => T): T;
  /** The store clock, in epoch milliseconds. */
  now(): number;
  /** The first row of a query, mapped; `undefined` when there is none. */
  get<T>(sql: string, map: (row: Row) => T, ...params: unknown[]): T | undefined;
  /** Every row of a query, mapped. */
  all<T>(sql: string, map: (row: Row) => T, ...params: unknown[]): T[];
  /** Inserts an outbox item (inside a transaction). */
  insertOutbox(id: string, item: NewOutboxItem, at: number): void;
  getOutboxItem(team: string, id: string): Promise<OutboxItem | undefined>;
  /** True when the incident has no thread root and no opening post still on its way. */
  rootless(team: string, number: number): boolean;
  /** Records an incident's thread root unless it has one (inside a transaction); returns the one in force. */
  setThreadRoot(team: string, number: number, activityId: string): string;
}
