/**
 * Reading and writing entities of Azure Table Storage, shared by the modules of the table store:
 * point reads (absent: `undefined`), filtered scans, inserts that tell a duplicate, typed property
 * reads, actors stored as `<prefix>Id` and `<prefix>Name`, and the team partition of the triage table.
 */
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { idFromKey } from '../ids';
import type { Actor } from '../store';
import { isNotFound, statusOf } from './optimistic';

export type Entity = Record<string, unknown>;
/** An entity with its keys, ready to write. */
export type Keyed = Entity & { partitionKey: string; rowKey: string };
/** An entity as read, with its keys and ETag. */
export type Stored = TableEntityResult<Entity>;

/** The triage partition of a team (or a tenant): incidents, outbox, watches and sanctions. */
export const teamPartition = (team: string): string => `team-${idFromKey('team', team)}`;
/** A filter for row keys starting with `prefix` (`|` is followed by `}` in code order). */
export const rowPrefix = (prefix: string): string => odata`RowKey ge ${prefix} and RowKey lt ${`${prefix.slice(0, -1)}}`}`;

export const s = (e: Entity, name: string): string => e[name] as string;
export const n = (e: Entity, name: string): number => e[name] as number;
export const optS = (e: Entity, name: string): string | undefined => (typeof e[name] === 'string' ? (e[name] as string) : undefined);
/** A time, stored as Edm.DateTime (the SDK reads it back as a Date). */
export const time = (e: Entity, name: string): Date => new Date((e[name] as Date).getTime());
export const optDate = (e: Entity, name: string): Date | undefined => (e[name] instanceof Date ? time(e, name) : undefined);
/** A number that may exceed Int32: written as Edm.Int64 (a BigInt), read back as a number. */
export const int = (e: Entity, name: string): number => Number(e[name] as bigint | number);
export const actorOf = (e: Entity, prefix: string): Actor => ({ aadObjectId: s(e, `${prefix}Id`), name: s(e, `${prefix}Name`) });
export const optActor = (e: Entity, prefix: string): Actor | undefined => (typeof e[`${prefix}Id`] === 'string' ? actorOf(e, prefix) : undefined);
export const putActor = (e: Entity, prefix: string, actor: Actor): void => {
  e[`${prefix}Id`] = actor.aadObjectId;
  e[`${prefix}Name`] = actor.name;
};

/** Sorts by a time, then by id. */
export const byTimeThenId = <T extends { readonly id: string }>(time: (item: T) => number) => (a: T, b: T): number =>
  time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** An OData string literal. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** The entity with these keys; `undefined` when there is none. */
export async function readEntity(table: TableClient, partitionKey: string, rowKey: string): Promise<Stored | undefined> {
  try {
    return await table.getEntity<Entity>(partitionKey, rowKey);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Every entity of a table that passes `filter`. */
export async function queryEntities(table: TableClient, filter: string): Promise<Stored[]> {
  const found: Stored[] = [];
  for await (const entity of table.listEntities<Entity>({ queryOptions: { filter } })) found.push(entity);
  return found;
}

/** Inserts; false when an entity with the same keys exists. */
export async function insertEntity(table: TableClient, entity: Keyed): Promise<boolean> {
  try {
    await table.createEntity(entity);
    return true;
  } catch (error) {
    if (statusOf(error) === 409) return false;
    throw error;
  }
}
