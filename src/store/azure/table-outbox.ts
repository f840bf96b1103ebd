/**
 * The outbox in the Azure Table Storage store (`TableStore` delegates to this): `outbox|<hash(team,
 * key)>` entities in the team's triage partition, beside the incident they belong to. Claims,
 * completions and failures are ETag-conditional and retried on 412; a completion of an opening post
 * sets its incident's thread root in the same transaction, and an item's death re-roots its
 * incident (`table-outbox-death.ts`). Due items are a filtered scan of the triage table.
 */
import { odata, type TransactionAction } from '@azure/data-tables';
import { idFromKey, newToken } from '../ids';
import { backoffMs } from '../outbox-policy';
import type {
  ClaimedOutboxItem,
  Created,
  NewOutboxItem,
  OutboxItem,
  OutboxKind,
  OutboxLease,
  OutboxPolicy,
  OutboxStatus,
  OutboxStore,
} from '../store';
import { StoreError } from '../store-error';
import { checkIncidentNumber, checkKey, clampLimit, isRowKey } from '../validate';
import { checkOutboxKind } from '../watch-validate';
import { getJson, getText, putJson, putText } from './entity-text';
import { isContention, isNotFound, withRetries } from './optimistic';
import {
  byTimeThenId,
  insertEntity,
  n,
  optDate,
  optS,
  queryEntities,
  readEntity,
  rowPrefix,
  s,
  teamPartition,
  time,
  type Entity,
  type Keyed,
  type Stored,
} from './table-entities';
import { deathActions, incidentRowKey, rootlessIncident } from './table-outbox-death';
import type { TableParts } from './table-parts';

/** The row-key prefix of outbox items. */
export const OUTBOX = 'outbox|';

/** An outbox item from its entity, with its incident's thread root (for replies). */
export function outboxFrom(e: Entity, threadRootActivityId?: string): OutboxItem {
  const incidentNumber = typeof e.incidentNumber === 'number' ? e.incidentNumber : undefined;
  const lastError = optS(e, 'lastError');
  const activityId = optS(e, 'activityId');
  const sentAt = optDate(e, 'sentAt');
  return {
    id: s(e, 'id'),
    key: getText(e, 'key')!,
    team: getText(e, 'team')!,
    kind: s(e, 'kind') as OutboxItem['kind'],
    target: getJson(e, 'target'),
    payload: getJson(e, 'payload'),
    ...(incidentNumber !== undefined && { incidentNumber }),
    status: s(e, 'status') as OutboxStatus,
    attempts: n(e, 'attempts'),
    nextAttemptAt: time(e, 'nextAttemptAt'),
    ...(lastError !== undefined && { lastError }),
    ...(activityId !== undefined && { activityId }),
    ...(e.kind !== 'new-thread' && threadRootActivityId !== undefined && { threadRootActivityId }),
    createdAt: time(e, 'createdAt'),
    ...(sentAt !== undefined && { sentAt }),
  };
}

/** The entity of a new outbox item, `pending` and due at `at`. */
export function outboxEntity(id: string, item: NewOutboxItem, at: number): Keyed {
  const entity: Keyed = {
    partitionKey: teamPartition(item.team),
    rowKey: `${OUTBOX}${id}`,
    id,
    kind: item.kind,
    status: 'pending',
    attempts: 0,
    nextAttemptAt: new Date(at),
    createdAt: new Date(at),
  };
  putText(entity, 'key', item.key);
  putText(entity, 'team', item.team);
  putJson(entity, 'target', item.target);
  putJson(entity, 'payload', item.payload);
  if (item.incidentNumber !== undefined) entity.incidentNumber = item.incidentNumber;
  return entity;
}

/** The Azure Table Storage implementation of {@link OutboxStore}. */
export class TableOutbox implements OutboxStore {
  constructor(
    private readonly parts: Pick<TableParts, 'triage' | 'now' | 'getIncident'>,
    private readonly policy: OutboxPolicy,
  ) {}

  /** Outbox items with their incident's thread root (for replies), read once per incident. */
  private async withThreadRoots(rows: readonly Stored[]): Promise<Array<{ row: Stored; item: OutboxItem }>> {
    const roots = new Map<string, Promise<string | undefined>>();
    const rootOf = (row: Stored): Promise<string | undefined> => {
      if (row.kind === 'new-thread' || typeof row.incidentNumber !== 'number') return Promise.resolve(undefined);
      const key = `${row.partitionKey}\0${row.incidentNumber}`;
      let root = roots.get(key);
      if (!root) {
        root = readEntity(this.parts.triage, row.partitionKey!, incidentRowKey(row.incidentNumber)).then((incident) => optS(incident ?? {}, 'threadRoot'));
        roots.set(key, root);
      }
      return root;
    };
    return Promise.all(rows.map(async (row) => ({ row, item: outboxFrom(row, await rootOf(row)) })));
  }

  async enqueueOutbox(item: NewOutboxItem): Promise<Created<OutboxItem>> {
    checkKey('outbox key', item.key);
    checkKey('team', item.team);
    checkOutboxKind(item);
    if (item.incidentNumber !== undefined) checkIncidentNumber(item.incidentNumber);
    const id = idFromKey('outbox', `${item.team}\0${item.key}`);
    const existing = await this.getOutboxItem(item.team, id);
    if (existing) return { record: existing, created: false };
    if (item.incidentNumber !== undefined && !(await this.parts.getIncident(item.team, item.incidentNumber))) {
      throw new StoreError('not-found', `no incident ${item.incidentNumber}`);
    }
    const entity = outboxEntity(id, item, this.parts.now());
    const created = await insertEntity(this.parts.triage, entity);
    return { record: (await this.getOutboxItem(item.team, id))!, created };
  }

  async getOutboxItem(team: string, id: string): Promise<OutboxItem | undefined> {
    if (!isRowKey(id)) return undefined;
    const row = await readEntity(this.parts.triage, teamPartition(team), `${OUTBOX}${id}`);
    return row && (await this.withThreadRoots([row]))[0]!.item;
  }

  /** Due rows (of `kinds`, if given) whose thread (for replies and Sentinel calls of an incident) exists, earliest first. */
  private async due(now: number, kinds?: readonly OutboxKind[]): Promise<Array<{ row: Stored; item: OutboxItem }>> {
    const filter = `${rowPrefix(OUTBOX)} and ${odata`(status eq ${'pending'} or status eq ${'sending'}) and nextAttemptAt le ${new Date(now)}`}`;
    const rows = await this.withThreadRoots((await queryEntities(this.parts.triage, filter)).filter((row) => !kinds || kinds.includes(row.kind as OutboxKind)));
    // A Sentinel call of an incident without a thread root goes once no opening post is on its way.
    const rootless = new Map<string, Promise<boolean>>();
    const opened = async ({ row, item }: { row: Stored; item: OutboxItem }): Promise<boolean> => {
      if (item.kind === 'new-thread' || item.incidentNumber === undefined || item.threadRootActivityId !== undefined) return true;
      if (item.kind !== 'sentinel') return false;
      const key = `${row.partitionKey}\0${item.incidentNumber}`;
      if (!rootless.has(key)) rootless.set(key, rootlessIncident(this.parts.triage, row.partitionKey!, item.incidentNumber).then((r) => r.rootless));
      return rootless.get(key)!;
    };
    const ready = await Promise.all(rows.map(opened));
    return rows
      .filter((_, i) => ready[i])
      .sort((a, b) => a.item.nextAttemptAt.getTime() - b.item.nextAttemptAt.getTime() || a.item.createdAt.getTime() - b.item.createdAt.getTime());
  }

  async listDueOutbox(options: { readonly limit?: number } = {}): Promise<OutboxItem[]> {
    return (await this.due(this.parts.now())).slice(0, clampLimit(options.limit, 100, 1000)).map(({ item }) => item);
  }

  async claimOutbox(options: { readonly limit?: number; readonly leaseMs?: number; readonly kinds?: readonly OutboxKind[] } = {}): Promise<ClaimedOutboxItem[]> {
    const limit = clampLimit(options.limit, 10, 100);
    const leaseMs = options.leaseMs ?? this.policy.leaseMs;
    const now = this.parts.now();
    const claimed: ClaimedOutboxItem[] = [];
    for (const { row, item } of await this.due(now, options.kinds)) {
      if (claimed.length >= limit) break;
      const keys = { partitionKey: row.partitionKey!, rowKey: row.rowKey! };
      try {
        if (item.status === 'sending' && item.attempts >= this.policy.maxAttempts) {
          await this.parts.triage.submitTransaction(await deathActions(this.parts.triage, row, { lastError: `lease expired on the last of ${this.policy.maxAttempts} attempts` }));
          continue;
        }
        const token = newToken();
        const expiresAt = now + leaseMs;
        await this.parts.triage.updateEntity({ ...keys, status: 'sending', attempts: item.attempts + 1, leaseToken: token, nextAttemptAt: new Date(expiresAt) }, 'Merge', {
          etag: row.etag,
        });
        claimed.push({
          ...item,
          status: 'sending',
          attempts: item.attempts + 1,
          nextAttemptAt: new Date(expiresAt),
          lease: { team: item.team, id: item.id, token, expiresAt: new Date(expiresAt) },
        });
      } catch (error) {
        if (!isContention(error) && !isNotFound(error)) throw error;
      }
    }
    return claimed;
  }

  /** The item if `lease` is still its lease. */
  private async leased(lease: OutboxLease): Promise<Stored | undefined> {
    const row = await readEntity(this.parts.triage, teamPartition(lease.team), `${OUTBOX}${lease.id}`);
    return row && row.status === 'sending' && row.leaseToken === lease.token ? row : undefined;
  }

  async completeOutbox(lease: OutboxLease, result: { readonly activityId: string }): Promise<boolean> {
    checkKey('activity id', result.activityId);
    return withRetries('complete outbox item', async () => {
      const row = await this.leased(lease);
      if (row === undefined) return false;
      const partitionKey = row.partitionKey!;
      const actions: TransactionAction[] = [
        ['update', { partitionKey, rowKey: row.rowKey!, status: 'sent', leaseToken: null, activityId: result.activityId, sentAt: new Date(this.parts.now()), lastError: null }, 'Merge', { etag: row.etag }],
      ];
      if (row.kind === 'new-thread' && typeof row.incidentNumber === 'number') {
        const incident = await readEntity(this.parts.triage, partitionKey, incidentRowKey(row.incidentNumber));
        if (incident && typeof incident.threadRoot !== 'string') {
          actions.push(['update', { partitionKey, rowKey: incident.rowKey!, threadRoot: result.activityId }, 'Merge', { etag: incident.etag }]);
        }
      }
      await this.parts.triage.submitTransaction(actions);
      return true;
    });
  }

  async failOutbox(
    lease: OutboxLease,
    failure: { readonly error: string; readonly retryAfterMs?: number; readonly permanent?: boolean },
  ): Promise<OutboxStatus | undefined> {
    return withRetries('fail outbox item', async () => {
      const row = await this.leased(lease);
      if (row === undefined) return undefined;
      const attempts = n(row, 'attempts');
      const status: OutboxStatus = failure.permanent || attempts >= this.policy.maxAttempts ? 'dead' : 'pending';
      const lastError = failure.error.slice(0, 2000);
      if (status === 'dead') {
        await this.parts.triage.submitTransaction(await deathActions(this.parts.triage, row, { lastError, nextAttemptAt: new Date(this.parts.now()) }));
        return status;
      }
      const next = this.parts.now() + backoffMs(this.policy, attempts, failure.retryAfterMs);
      await this.parts.triage.updateEntity(
        { partitionKey: row.partitionKey!, rowKey: row.rowKey!, status, leaseToken: null, lastError, nextAttemptAt: new Date(next) },
        'Merge',
        { etag: row.etag },
      );
      return status;
    });
  }

  async listOutbox(filter: { readonly team?: string; readonly status?: OutboxStatus } = {}): Promise<OutboxItem[]> {
    let query = rowPrefix(OUTBOX);
    if (filter.team !== undefined) query += odata` and PartitionKey eq ${teamPartition(filter.team)}`;
    if (filter.status !== undefined) query += odata` and status eq ${filter.status}`;
    const items = (await this.withThreadRoots(await queryEntities(this.parts.triage, query))).map(({ item }) => item);
    return items.sort(byTimeThenId((x) => x.createdAt.getTime()));
  }

  async giveUpOutbox(options: { readonly createdBefore: Date; readonly error: string; readonly limit?: number; readonly kinds?: readonly OutboxKind[] }): Promise<OutboxItem[]> {
    const now = this.parts.now();
    const { kinds } = options;
    const filter = `${rowPrefix(OUTBOX)} and ${odata`(status eq ${'pending'} or status eq ${'sending'}) and createdAt lt ${new Date(options.createdBefore.getTime())}`}`;
    const stale = (await queryEntities(this.parts.triage, filter))
      .filter((row) => !kinds || kinds.includes(row.kind as OutboxKind))
      .filter((row) => row.status === 'pending' || (row.nextAttemptAt as Date).getTime() <= now)
      .sort((a, b) => (a.createdAt as Date).getTime() - (b.createdAt as Date).getTime())
      .slice(0, clampLimit(options.limit, 100, 1000));
    const given: OutboxItem[] = [];
    for (const { partitionKey, rowKey } of stale) {
      const item = await withRetries('give up outbox item', async () => {
        const row = await readEntity(this.parts.triage, partitionKey!, rowKey!);
        if (!row || !(row.status === 'pending' || (row.status === 'sending' && (row.nextAttemptAt as Date).getTime() <= this.parts.now()))) return undefined;
        await this.parts.triage.submitTransaction(await deathActions(this.parts.triage, row, { lastError: options.error.slice(0, 2000) }));
        return this.getOutboxItem(getText(row, 'team')!, s(row, 'id'));
      });
      if (item) given.push(item);
    }
    return given;
  }
}
