/**
 * Watches in the Azure Table Storage store (`TableStore` delegates to this).
 *
 * Layout (added to `table-store.ts`'s):
 *
 * | table     | PartitionKey                       | RowKey                           | what |
 * |-----------|------------------------------------|----------------------------------|------|
 * | triage    | `team-<hash(tenant)>`              | `watchcounter`                   | last watch number |
 * | triage    | 〃                                 | `watchkey|<hash(key)>`           | a watch's idempotency key → its number |
 * | triage    | 〃                                 | `watch|<number, 10 digits>`      | one watch |
 * | watchseen | `w-<hash(tenant, number)>`         | `sighting|<hash(tool, device)>`  | a device the watch reported |
 * | watchseen | 〃                                 | `batch|<run key>`                | one run's batch |
 *
 * A watch lives in its tenant's triage partition, beside the outbox items of that tenant, so that
 * enqueueing a post is one entity group transaction guarded by the watch's ETag: a stop that
 * commits first makes the enqueue fail and re-read. Claims, finishes and stops are ETag-conditional.
 * Sightings are inserted if absent (409 means another recorder got there first). A batch is
 * `recording` while its run writes its devices and `pending` after; a `recording` batch older than
 * a lease is taken as left by a dead instance and listed with the pending ones.
 */
import { odata, type TransactionAction } from '@azure/data-tables';
import { idFromKey, newToken } from '../ids';
import type {
  Actor,
  ClaimedWatch,
  Created,
  NewWatch,
  NewWatchSighting,
  OutboxItem,
  OutboxMessage,
  Watch,
  WatchBatch,
  WatchBatchKind,
  WatchLease,
  WatchRef,
  WatchRunOutcome,
  WatchSighting,
  WatchStore,
} from '../store';
import { DEFAULT_WATCH_LEASE_MS } from '../store';
import { StoreError } from '../store-error';
import { clampLimit, isRowKey } from '../validate';
import { checkBatch, checkNewWatch, checkRunOutcome, checkSightings, isWatchId, watchPostKey } from '../watch-validate';
import { getJson, getText, putJson, putText } from './entity-text';
import { isContention, isNotFound, withRetries } from './optimistic';
import { actorOf, insertEntity, int, n, optDate, putActor, queryEntities, readEntity, rowPrefix, s, time, type Entity, type Keyed, type Stored } from './table-entities';
import type { TableParts } from './table-parts';

const COUNTER = 'watchcounter';
const KEY = 'watchkey|';
const WATCH = 'watch|';
const SIGHTING = 'sighting|';
const BATCH = 'batch|';
const TRANSACTION = 100;
const NO_LEASE = new Date(0);

const watchRow = (id: number): string => `${WATCH}${String(id).padStart(10, '0')}`;
const seenPartition = (ref: WatchRef): string => `w-${idFromKey('watch', `${ref.tenant}\0${ref.id}`)}`;
const sightingRow = (toolId: string, deviceId: string): string => `${SIGHTING}${idFromKey('sighting', `${toolId}\0${deviceId}`)}`;
const flagged = (sighting: NewWatchSighting): boolean => (sighting.unsanctionedInstances?.length ?? 0) > 0;
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function watchFrom(e: Entity): Watch {
  const lastRunAt = optDate(e, 'lastRunAt');
  const windowEnd = optDate(e, 'windowEnd');
  const stoppedAt = optDate(e, 'stoppedAt');
  const lastResult = getText(e, 'lastResult');
  return {
    tenant: getText(e, 'tenant')!,
    id: n(e, 'id'),
    key: getText(e, 'key')!,
    spec: { version: n(e, 'specVersion'), hunt: getJson(e, 'spec') },
    intervalMs: int(e, 'intervalMs'),
    baselineWindowMs: int(e, 'baselineWindowMs'),
    conversation: getJson(e, 'conversation'),
    createdBy: actorOf(e, 'createdBy'),
    createdAt: time(e, 'createdAt'),
    nextRunAt: time(e, 'nextRunAt'),
    runs: n(e, 'runs'),
    ...(lastRunAt !== undefined && { lastRunAt }),
    ...(windowEnd !== undefined && { windowEnd }),
    ...(lastResult !== undefined && { lastResult: getJson(e, 'lastResult') }),
    ...(stoppedAt !== undefined && { stoppedAt, stoppedBy: actorOf(e, 'stoppedBy') }),
  };
}

function sightingFrom(e: Entity): WatchSighting {
  const instances = getText(e, 'instances');
  return {
    deviceId: getText(e, 'deviceId')!,
    deviceName: getText(e, 'deviceName')!,
    toolId: getText(e, 'toolId')!,
    firstSeen: time(e, 'firstSeen'),
    lastSeen: time(e, 'lastSeen'),
    count: int(e, 'count'),
    ...(instances !== undefined && { unsanctionedInstances: JSON.parse(instances) as string[] }),
    runKey: s(e, 'runKey'),
    recordedAt: time(e, 'recordedAt'),
  };
}

const bySighting = (a: WatchSighting, b: WatchSighting): number => byString(a.toolId, b.toolId) || byString(a.deviceId, b.deviceId);

/** The Azure Table Storage implementation of {@link WatchStore}. */
export class TableWatches implements WatchStore {
  constructor(private readonly parts: Pick<TableParts, 'triage' | 'seen' | 'now' | 'partitionOf' | 'outboxEntity' | 'getOutboxItem'>) {}

  private readWatch(tenant: string, id: number): Promise<Stored | undefined> {
    return readEntity(this.parts.triage, this.parts.partitionOf(tenant), watchRow(id));
  }

  // ---------------------------------------------------------------------------------------- watches

  async createWatch(watch: NewWatch): Promise<Created<Watch>> {
    checkNewWatch(watch);
    const partitionKey = this.parts.partitionOf(watch.tenant);
    const keyRow = `${KEY}${idFromKey('watch-key', watch.key)}`;
    return withRetries('create watch', async () => {
      const known = await readEntity(this.parts.triage, partitionKey, keyRow);
      if (known) return { record: watchFrom((await this.readWatch(watch.tenant, n(known, 'id')))!), created: false };
      const counter = await readEntity(this.parts.triage, partitionKey, COUNTER);
      const id = (counter ? n(counter, 'lastId') : 0) + 1;
      const now = new Date(this.parts.now());
      const entity: Keyed = {
        partitionKey,
        rowKey: watchRow(id),
        id,
        specVersion: watch.spec.version,
        intervalMs: BigInt(watch.intervalMs),
        baselineWindowMs: BigInt(watch.baselineWindowMs),
        createdAt: now,
        nextRunAt: watch.firstRunAt ? new Date(watch.firstRunAt.getTime()) : now,
        leaseToken: '',
        leaseExpiresAt: NO_LEASE,
        runs: 0,
        stopped: false,
      };
      putText(entity, 'tenant', watch.tenant);
      putText(entity, 'key', watch.key);
      putJson(entity, 'spec', watch.spec.hunt);
      putJson(entity, 'conversation', watch.conversation);
      putActor(entity, 'createdBy', watch.createdBy);
      await this.parts.triage.submitTransaction([
        counter
          ? ['update', { partitionKey, rowKey: COUNTER, lastId: id }, 'Merge', { etag: counter.etag }]
          : ['create', { partitionKey, rowKey: COUNTER, lastId: id }],
        ['create', { partitionKey, rowKey: keyRow, id }],
        ['create', entity],
      ]);
      return { record: watchFrom(entity), created: true };
    });
  }

  async getWatch(tenant: string, id: number): Promise<Watch | undefined> {
    if (!isWatchId(id)) return undefined;
    const entity = await this.readWatch(tenant, id);
    return entity && watchFrom(entity);
  }

  async listWatches(filter: { readonly tenant?: string; readonly active?: boolean } = {}): Promise<Watch[]> {
    let query = rowPrefix(WATCH);
    if (filter.tenant !== undefined) query += odata` and PartitionKey eq ${this.parts.partitionOf(filter.tenant)}`;
    if (filter.active) query += odata` and stopped eq ${false}`;
    const watches = (await queryEntities(this.parts.triage, query)).map(watchFrom);
    return watches.sort((a, b) => byString(a.tenant, b.tenant) || a.id - b.id);
  }

  async stopWatch(ref: WatchRef, stoppedBy: Actor): Promise<{ readonly record: Watch; readonly stopped: boolean } | undefined> {
    if (!isWatchId(ref.id)) return undefined;
    return withRetries('stop watch', async () => {
      const entity = await this.readWatch(ref.tenant, ref.id);
      if (!entity) return undefined;
      if (entity.stopped === true) return { record: watchFrom(entity), stopped: false };
      const update: Keyed = { partitionKey: entity.partitionKey!, rowKey: entity.rowKey!, stopped: true, stoppedAt: new Date(this.parts.now()) };
      putActor(update, 'stoppedBy', stoppedBy);
      await this.parts.triage.updateEntity(update, 'Merge', { etag: entity.etag });
      return { record: watchFrom({ ...entity, ...update }), stopped: true };
    });
  }

  async claimDueWatches(options: { readonly limit?: number; readonly leaseMs?: number } = {}): Promise<ClaimedWatch[]> {
    const limit = clampLimit(options.limit, 10, 100);
    const leaseMs = options.leaseMs ?? DEFAULT_WATCH_LEASE_MS;
    const now = new Date(this.parts.now());
    const filter = `${rowPrefix(WATCH)} and ${odata`stopped eq ${false} and nextRunAt le ${now} and leaseExpiresAt le ${now}`}`;
    const due = (await queryEntities(this.parts.triage, filter)).sort(
      (a, b) => time(a, 'nextRunAt').getTime() - time(b, 'nextRunAt').getTime() || byString(a.partitionKey!, b.partitionKey!) || n(a, 'id') - n(b, 'id'),
    );
    const claimed: ClaimedWatch[] = [];
    const expiresAt = new Date(now.getTime() + leaseMs);
    for (const entity of due) {
      if (claimed.length >= limit) break;
      const token = newToken();
      try {
        await this.parts.triage.updateEntity({ partitionKey: entity.partitionKey!, rowKey: entity.rowKey!, leaseToken: token, leaseExpiresAt: expiresAt }, 'Merge', {
          etag: entity.etag,
        });
      } catch (error) {
        if (isContention(error) || isNotFound(error)) continue;
        throw error;
      }
      const watch = watchFrom(entity);
      claimed.push({ ...watch, lease: { tenant: watch.tenant, id: watch.id, token, expiresAt } });
    }
    return claimed;
  }

  async finishWatchRun(lease: WatchLease, outcome: WatchRunOutcome): Promise<boolean> {
    checkRunOutcome(outcome);
    if (!isWatchId(lease.id)) return false;
    return withRetries('finish watch run', async () => {
      const entity = await this.readWatch(lease.tenant, lease.id);
      if (!entity || entity.leaseToken !== lease.token) return false;
      const update: Keyed = {
        partitionKey: entity.partitionKey!,
        rowKey: entity.rowKey!,
        leaseToken: '',
        leaseExpiresAt: NO_LEASE,
        lastRunAt: new Date(this.parts.now()),
        nextRunAt: new Date(outcome.nextRunAt.getTime()),
        runs: n(entity, 'runs') + (outcome.status === 'done' ? 1 : 0),
      };
      if (outcome.status === 'done') update.windowEnd = new Date(outcome.windowEnd.getTime());
      putJson(update, 'lastResult', outcome.result);
      await this.parts.triage.updateEntity(update, 'Merge', { etag: entity.etag });
      return true;
    });
  }

  // -------------------------------------------------------------------------------------- sightings

  private sightingEntity(partitionKey: string, sighting: NewWatchSighting, runKey: string, at: Date): Keyed {
    const entity: Keyed = {
      partitionKey,
      rowKey: sightingRow(sighting.toolId, sighting.deviceId),
      firstSeen: new Date(sighting.firstSeen.getTime()),
      lastSeen: new Date(sighting.lastSeen.getTime()),
      count: BigInt(sighting.count),
      runKey,
      recordedAt: at,
    };
    putText(entity, 'deviceId', sighting.deviceId);
    putText(entity, 'deviceName', sighting.deviceName);
    putText(entity, 'toolId', sighting.toolId);
    if (flagged(sighting)) putText(entity, 'instances', JSON.stringify(sighting.unsanctionedInstances));
    return entity;
  }

  /** Records one sighting if it is new (or newly flagged); true when this call recorded it. */
  private async recordOne(partitionKey: string, sighting: NewWatchSighting, runKey: string, at: Date, known: Stored | undefined): Promise<boolean> {
    let current = known;
    for (;;) {
      if (current && !(flagged(sighting) && getText(current, 'instances') === undefined)) return false;
      const entity = this.sightingEntity(partitionKey, sighting, runKey, at);
      try {
        if (current) await this.parts.seen.updateEntity(entity, 'Replace', { etag: current.etag });
        else await this.parts.seen.createEntity(entity);
        return true;
      } catch (error) {
        if (!isContention(error)) throw error;
        current = await readEntity(this.parts.seen, partitionKey, entity.rowKey);
      }
    }
  }

  async recordWatchSightings(
    ref: WatchRef,
    batch: { readonly runKey: string; readonly kind: WatchBatchKind },
    sightings: readonly NewWatchSighting[],
  ): Promise<{ readonly recorded: number }> {
    checkBatch(batch);
    checkSightings(sightings);
    if (!isWatchId(ref.id) || !(await this.readWatch(ref.tenant, ref.id))) throw new StoreError('not-found', 'no such watch');
    const partitionKey = seenPartition(ref);
    const batchRow = `${BATCH}${batch.runKey}`;
    const header = await readEntity(this.parts.seen, partitionKey, batchRow);
    if (header?.status === 'posted' && batch.kind === 'new-devices') throw new StoreError('conflict', `the post of run ${batch.runKey} is already enqueued`);
    const at = new Date(this.parts.now());
    const opened = !header && (await insertEntity(this.parts.seen, { partitionKey, rowKey: batchRow, kind: batch.kind, status: 'recording', createdAt: at }));
    const known = new Map((await queryEntities(this.parts.seen, `${odata`PartitionKey eq ${partitionKey}`} and ${rowPrefix(SIGHTING)}`)).map((e) => [e.rowKey!, e]));
    const fresh = sightings.filter((sighting) => !known.has(sightingRow(sighting.toolId, sighting.deviceId)));
    let recorded = 0;
    const individually: NewWatchSighting[] = sightings.filter((sighting) => known.has(sightingRow(sighting.toolId, sighting.deviceId)));
    for (let i = 0; i < fresh.length; i += TRANSACTION) {
      const chunk = fresh.slice(i, i + TRANSACTION);
      const actions: TransactionAction[] = chunk.map((sighting) => ['create', this.sightingEntity(partitionKey, sighting, batch.runKey, at)]);
      try {
        await this.parts.seen.submitTransaction(actions);
        recorded += chunk.length;
      } catch (error) {
        if (!isContention(error)) throw error;
        individually.push(...chunk);
      }
    }
    for (const sighting of individually) {
      if (await this.recordOne(partitionKey, sighting, batch.runKey, at, known.get(sightingRow(sighting.toolId, sighting.deviceId)))) recorded += 1;
    }
    await this.closeRecording(partitionKey, batchRow, recorded > 0 || batch.kind === 'baseline', opened);
    return { recorded };
  }

  /** Ends a batch's recording: `pending` when it has something to post, gone when this call opened it for nothing. */
  private async closeRecording(partitionKey: string, batchRow: string, keep: boolean, opened: boolean): Promise<void> {
    await withRetries('close watch batch', async () => {
      const header = await readEntity(this.parts.seen, partitionKey, batchRow);
      if (!header || header.status !== 'recording') return;
      if (keep) await this.parts.seen.updateEntity({ partitionKey, rowKey: batchRow, status: 'pending' }, 'Merge', { etag: header.etag });
      else if (opened) await this.parts.seen.deleteEntity(partitionKey, batchRow, { etag: header.etag });
    });
  }

  async listPendingWatchBatches(ref: WatchRef): Promise<WatchBatch[]> {
    if (!isWatchId(ref.id)) return [];
    const partitionKey = seenPartition(ref);
    const staleBefore = this.parts.now() - DEFAULT_WATCH_LEASE_MS;
    const headers = (await queryEntities(this.parts.seen, `${odata`PartitionKey eq ${partitionKey}`} and ${rowPrefix(BATCH)}`)).filter(
      (e) => e.status === 'pending' || (e.status === 'recording' && time(e, 'createdAt').getTime() < staleBefore),
    );
    if (headers.length === 0) return [];
    const byRun = new Map<string, WatchSighting[]>();
    for (const entity of await queryEntities(this.parts.seen, `${odata`PartitionKey eq ${partitionKey}`} and ${rowPrefix(SIGHTING)}`)) {
      const sighting = sightingFrom(entity);
      byRun.set(sighting.runKey, [...(byRun.get(sighting.runKey) ?? []), sighting]);
    }
    return headers
      .map((e) => ({
        runKey: e.rowKey!.slice(BATCH.length),
        kind: s(e, 'kind') as WatchBatchKind,
        status: 'pending' as const,
        createdAt: time(e, 'createdAt'),
        sightings: (byRun.get(e.rowKey!.slice(BATCH.length)) ?? []).sort(bySighting),
      }))
      .filter((batch) => batch.kind === 'baseline' || batch.sightings.length > 0)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || byString(a.runKey, b.runKey));
  }

  async enqueueWatchPost(ref: WatchRef, runKey: string, message: OutboxMessage): Promise<Created<OutboxItem> | undefined> {
    if (!isWatchId(ref.id) || !isRowKey(runKey)) return undefined;
    const partitionKey = seenPartition(ref);
    const batchRow = `${BATCH}${runKey}`;
    const key = watchPostKey(ref.id, runKey);
    const outboxId = idFromKey('outbox', `${ref.tenant}\0${key}`);
    const header = await readEntity(this.parts.seen, partitionKey, batchRow);
    if (!header) return undefined;
    const created = await withRetries('enqueue watch post', async () => {
      const watch = await this.readWatch(ref.tenant, ref.id);
      if (!watch || watch.stopped === true) return undefined;
      if (header.status === 'posted' || (await this.parts.getOutboxItem(ref.tenant, outboxId))) return false;
      const item = this.parts.outboxEntity(outboxId, { key, team: ref.tenant, kind: 'post', ...message }, this.parts.now());
      await this.parts.triage.submitTransaction([
        ['update', { partitionKey: watch.partitionKey!, rowKey: watch.rowKey! }, 'Merge', { etag: watch.etag }],
        ['create', item],
      ]);
      return true;
    });
    if (created === undefined) return undefined;
    if (header.status !== 'posted') await this.parts.seen.updateEntity({ partitionKey, rowKey: batchRow, status: 'posted' }, 'Merge');
    const record = await this.parts.getOutboxItem(ref.tenant, outboxId);
    return record && { record, created };
  }

  async listWatchSightings(ref: WatchRef): Promise<WatchSighting[]> {
    if (!isWatchId(ref.id)) return [];
    const rows = await queryEntities(this.parts.seen, `${odata`PartitionKey eq ${seenPartition(ref)}`} and ${rowPrefix(SIGHTING)}`);
    return rows.map(sightingFrom).sort(bySighting);
  }
}
