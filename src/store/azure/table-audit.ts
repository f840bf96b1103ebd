/**
 * The audit trail in the Azure Table Storage store (`TableStore` delegates to this).
 *
 * | PartitionKey              | RowKey                                  | what |
 * |---------------------------|-----------------------------------------|------|
 * | `audit`                   | `<inverted time>|<inverted seq>|<rand>` | entries without a tenant (and every entry stored before entries had one) |
 * | `audit-<hash(tenant)>`    | 〃                                      | one tenant's entries |
 * | `auditcount`              | `<hash(count key)>`                     | counted entries (`scope`: the tenant, or `*`) |
 *
 * Row keys sort newest first within a partition; a tenant's list reads the newest of its partition
 * and of `audit`, and its counted entries, and merges them by time. A counted entry is created once
 * per key (a second create gets 409) and counted with ETag-conditional merges, retried on 412.
 * Listing every tenant's entries scans the audit partitions (tests and operators' tools do). The
 * retention purge reads a row-key range of each time-keyed partition (everything older than the
 * cut-off sorts after one key) and the counted entries last counted before it.
 */
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { idFromKey, newToken } from '../ids';
import type { Actor, AuditEntry, AuditStore, NewAuditEntry, NewCountedAuditEntry } from '../store';
import { checkAuditEntry, checkCountedAuditEntry, clampLimit } from '../validate';
import { getJson, getText, putJson, putText } from './entity-text';
import { deleteEntities } from './table-delete';
import { statusOf, withRetries } from './optimistic';

type Entity = Record<string, unknown>;
type Keyed = Entity & { partitionKey: string; rowKey: string };

const UNSCOPED = 'audit';
const COUNTED = 'auditcount';
/** Every audit partition sorts between these. */
const FIRST_PARTITION = 'audit';
const PAST_PARTITIONS = 'audiu';
/** Above every epoch-ms time until the year 2286, so `MAX_TIME - t` sorts newest first. */
const MAX_TIME = 9_999_999_999_999;

const partitionOf = (tenant: string | undefined): string => (tenant === undefined ? UNSCOPED : `audit-${idFromKey('audit-tenant', tenant)}`);

function auditFrom(e: Entity): AuditEntry {
  const tenant = typeof e.tenant === 'string' ? e.tenant : undefined;
  return {
    id: e.rowKey as string,
    ...(tenant !== undefined && { tenant }),
    at: new Date((e.at as Date).getTime()),
    ...(typeof e.count === 'number' && { count: e.count }),
    ...(e.lastAt instanceof Date && { lastAt: new Date(e.lastAt.getTime()) }),
    actor: { aadObjectId: e.actorId as string, name: e.actorName as string } satisfies Actor,
    conversationId: getText(e, 'conversationId')!,
    action: e.action as string,
    details: getJson(e, 'details'),
    outcome: e.outcome as AuditEntry['outcome'],
  };
}

const newestFirst = (a: AuditEntry, b: AuditEntry): number => b.at.getTime() - a.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The Azure Table Storage implementation of {@link AuditStore}. */
export class TableAudit implements AuditStore {
  private seq = 0;

  constructor(
    private readonly audit: TableClient,
    private readonly now: () => number,
  ) {}

  private entity(entry: NewAuditEntry, partitionKey: string, rowKey: string, at: number): Keyed {
    const entity: Keyed = { partitionKey, rowKey, at: new Date(at), action: entry.action, outcome: entry.outcome, actorId: entry.actor.aadObjectId, actorName: entry.actor.name };
    if (entry.tenant !== undefined) entity.tenant = entry.tenant;
    putText(entity, 'conversationId', entry.conversationId);
    putJson(entity, 'details', entry.details);
    return entity;
  }

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    checkAuditEntry(entry);
    const at = this.now();
    this.seq = (this.seq + 1) % 1_000_000;
    const rowKey = `${String(MAX_TIME - at).padStart(13, '0')}|${String(999_999 - this.seq).padStart(6, '0')}|${newToken()}`;
    const entity = this.entity(entry, partitionOf(entry.tenant), rowKey, at);
    await this.audit.createEntity(entity);
    return auditFrom(entity);
  }

  async countAudit(entry: NewCountedAuditEntry): Promise<AuditEntry> {
    checkCountedAuditEntry(entry);
    const rowKey = idFromKey('audit-count', entry.key);
    return withRetries('count audit entry', async () => {
      const existing = await this.read(rowKey);
      const at = this.now();
      if (existing === undefined) {
        const entity = { ...this.entity(entry, COUNTED, rowKey, at), scope: entry.tenant ?? '*', count: 1, lastAt: new Date(at) };
        await this.audit.createEntity(entity);
        return auditFrom(entity);
      }
      const update: Keyed = { partitionKey: COUNTED, rowKey, count: (existing.count as number) + 1, lastAt: new Date(at) };
      await this.audit.updateEntity(update, 'Merge', { etag: existing.etag });
      return auditFrom({ ...existing, ...update });
    });
  }

  async listAudit(options: { readonly limit?: number; readonly tenant?: string } = {}): Promise<AuditEntry[]> {
    const limit = clampLimit(options.limit, 20, 1000);
    const { tenant } = options;
    let found: AuditEntry[];
    if (tenant === undefined) {
      found = await this.all(odata`PartitionKey ge ${FIRST_PARTITION} and PartitionKey lt ${PAST_PARTITIONS}`);
    } else {
      const [unscoped, scoped, counted] = await Promise.all([
        this.newest(UNSCOPED, limit),
        this.newest(partitionOf(tenant), limit),
        this.all(odata`PartitionKey eq ${COUNTED} and (scope eq ${'*'} or scope eq ${tenant})`),
      ]);
      found = [...unscoped, ...scoped, ...counted];
    }
    return found.sort(newestFirst).slice(0, limit);
  }

  /** Deletes the entries of before `before` (a counted entry: last counted before it); returns how many. */
  async purge(before: Date): Promise<number> {
    // Row keys start with the inverted time: everything written before the cut-off sorts at or after this key.
    const firstOld = String(MAX_TIME - before.getTime() + 1).padStart(13, '0');
    const timed = odata`PartitionKey ge ${FIRST_PARTITION} and PartitionKey lt ${PAST_PARTITIONS} and PartitionKey ne ${COUNTED} and RowKey ge ${firstOld}`;
    const counted = odata`PartitionKey eq ${COUNTED} and lastAt lt ${new Date(before.getTime())}`;
    const old = new Map<string, string[]>();
    for (const filter of [timed, counted]) {
      for await (const entity of this.audit.listEntities<Entity>({ queryOptions: { filter } })) {
        const rows = old.get(entity.partitionKey!) ?? [];
        rows.push(entity.rowKey!);
        old.set(entity.partitionKey!, rows);
      }
    }
    let deleted = 0;
    for (const [partitionKey, rowKeys] of old) deleted += await deleteEntities(this.audit, partitionKey, rowKeys);
    return deleted;
  }

  private async read(rowKey: string): Promise<TableEntityResult<Entity> | undefined> {
    try {
      return await this.audit.getEntity<Entity>(COUNTED, rowKey);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** The newest `limit` entries of a partition (its row keys sort newest first). */
  private async newest(partitionKey: string, limit: number): Promise<AuditEntry[]> {
    const found: AuditEntry[] = [];
    const pages = this.audit.listEntities<Entity>({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } }).byPage({ maxPageSize: limit });
    for await (const page of pages) {
      for (const entity of page) {
        found.push(auditFrom(entity));
        if (found.length >= limit) return found;
      }
    }
    return found;
  }

  private async all(filter: string): Promise<AuditEntry[]> {
    const found: AuditEntry[] = [];
    for await (const entity of this.audit.listEntities<Entity>({ queryOptions: { filter } })) found.push(auditFrom(entity));
    return found;
  }
}
