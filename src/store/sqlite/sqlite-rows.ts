/**
 * Reading and writing SQLite rows, shared by the modules of the SQLite store: typed column reads
 * (a nullable column reads as `undefined`), JSON columns and actors stored as `<prefix>_id` and
 * `<prefix>_name`.
 */
import type { Actor, OpaqueJson } from '../store';

/** A row as better-sqlite3 returns it. */
export type Row = Record<string, unknown>;

export const str = (row: Row, column: string): string => row[column] as string;
export const num = (row: Row, column: string): number => row[column] as number;
export const optStr = (row: Row, column: string): string | undefined => (row[column] === null ? undefined : (row[column] as string));
/** A time stored as epoch milliseconds; `undefined` when null. */
export const optDate = (row: Row, column: string): Date | undefined => (row[column] === null ? undefined : new Date(row[column] as number));
/** A JSON value as column text. */
export const json = (value: OpaqueJson): string => JSON.stringify(value ?? null);
/** Reads back a column written by {@link json}. */
export const parse = (row: Row, column: string): OpaqueJson => JSON.parse(row[column] as string) as OpaqueJson;
export const actor = (row: Row, prefix: string): Actor => ({ aadObjectId: str(row, `${prefix}_id`), name: str(row, `${prefix}_name`) });
export const optActor = (row: Row, prefix: string): Actor | undefined => (row[`${prefix}_id`] === null ? undefined : actor(row, prefix));
