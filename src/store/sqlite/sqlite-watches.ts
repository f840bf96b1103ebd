/**
 * Watches in the SQLite store (`SqliteStore` delegates to this). Every
 * check-then-write runs in one immediate transaction, so competing processes on one file decide on
 * the same state one after the other: a due watch is claimed once, a device is recorded once.
 */
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
import type { SqliteParts } from './sqlite-parts';
import { actor, json, num, optDate, parse, str, type Row } from './sqlite-rows';

function watchFrom(row: Row): Watch {
  const lastRunAt = optDate(row, 'last_run_at');
  const windowEnd = optDate(row, 'window_end');
  const stoppedAt = optDate(row, 'stopped_at');
  return {
    tenant: str(row, 'tenant'),
    id: num(row, 'id'),
    key: str(row, 'key'),
    spec: { version: num(row, 'spec_version'), hunt: parse(row, 'spec') },
    intervalMs: num(row, 'interval_ms'),
    baselineWindowMs: num(row, 'baseline_window_ms'),
    conversation: parse(row, 'conversation'),
    createdBy: actor(row, 'created_by'),
    createdAt: new Date(num(row, 'created_at')),
    nextRunAt: new Date(num(row, 'next_run_at')),
    runs: num(row, 'runs'),
    ...(lastRunAt !== undefined && { lastRunAt }),
    ...(windowEnd !== undefined && { windowEnd }),
    ...(row.last_result !== null && { lastResult: parse(row, 'last_result') }),
    ...(stoppedAt !== undefined && { stoppedAt, stoppedBy: actor(row, 'stopped_by') }),
  };
}

function sightingFrom(row: Row): WatchSighting {
  return {
    deviceId: str(row, 'device_id'),
    deviceName: str(row, 'device_name'),
    toolId: str(row, 'tool_id'),
    firstSeen: new Date(num(row, 'first_seen')),
    lastSeen: new Date(num(row, 'last_seen')),
    count: num(row, 'count'),
    ...(row.instances !== null && { unsanctionedInstances: parse(row, 'instances') as string[] }),
    runKey: str(row, 'run_key'),
    recordedAt: new Date(num(row, 'recorded_at')),
  };
}

const flagged = (sighting: NewWatchSighting): boolean => (sighting.unsanctionedInstances?.length ?? 0) > 0;

/** The SQLite implementation of {@link WatchStore}. */
export class SqliteWatches implements WatchStore {
  constructor(private readonly db: Pick<SqliteParts, 'sql' | 'write' | 'now' | 'get' | 'all' | 'insertOutbox' | 'getOutboxItem'>) {}

  private watch(tenant: string, id: number): Watch | undefined {
    return this.db.get('SELECT * FROM watches WHERE tenant = ? AND id = ?', watchFrom, tenant, id);
  }

  // ---------------------------------------------------------------------------------------- watches

  async createWatch(watch: NewWatch): Promise<Created<Watch>> {
    checkNewWatch(watch);
    return this.db.write(() => {
      const existing = this.db.get('SELECT * FROM watches WHERE tenant = ? AND key = ?', watchFrom, watch.tenant, watch.key);
      if (existing) return { record: existing, created: false };
      const counter = this.db
        .sql(
          `INSERT INTO watch_counters (tenant, last_id) VALUES (?, 1)
           ON CONFLICT (tenant) DO UPDATE SET last_id = last_id + 1 RETURNING last_id`,
        )
        .get(watch.tenant) as Row;
      const id = num(counter, 'last_id');
      const now = this.db.now();
      this.db
        .sql(
          `INSERT INTO watches (tenant, id, key, spec_version, spec, interval_ms, baseline_window_ms, conversation,
             created_by_id, created_by_name, created_at, next_run_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          watch.tenant,
          id,
          watch.key,
          watch.spec.version,
          json(watch.spec.hunt),
          watch.intervalMs,
          watch.baselineWindowMs,
          json(watch.conversation),
          watch.createdBy.aadObjectId,
          watch.createdBy.name,
          now,
          watch.firstRunAt?.getTime() ?? now,
        );
      return { record: this.watch(watch.tenant, id)!, created: true };
    });
  }

  async getWatch(tenant: string, id: number): Promise<Watch | undefined> {
    return isWatchId(id) ? this.watch(tenant, id) : undefined;
  }

  async listWatches(filter: { readonly tenant?: string; readonly active?: boolean } = {}): Promise<Watch[]> {
    return this.db.all(
      `SELECT * FROM watches WHERE (@tenant IS NULL OR tenant = @tenant) AND (@active = 0 OR stopped_at IS NULL) ORDER BY tenant, id`,
      watchFrom,
      { tenant: filter.tenant ?? null, active: filter.active ? 1 : 0 },
    );
  }

  async stopWatch(ref: WatchRef, stoppedBy: Actor): Promise<{ readonly record: Watch; readonly stopped: boolean } | undefined> {
    if (!isWatchId(ref.id)) return undefined;
    return this.db.write(() => {
      const watch = this.watch(ref.tenant, ref.id);
      if (!watch) return undefined;
      if (watch.stoppedAt) return { record: watch, stopped: false };
      this.db
        .sql('UPDATE watches SET stopped_at = ?, stopped_by_id = ?, stopped_by_name = ? WHERE tenant = ? AND id = ?')
        .run(this.db.now(), stoppedBy.aadObjectId, stoppedBy.name, ref.tenant, ref.id);
      return { record: this.watch(ref.tenant, ref.id)!, stopped: true };
    });
  }

  async claimDueWatches(options: { readonly limit?: number; readonly leaseMs?: number } = {}): Promise<ClaimedWatch[]> {
    const limit = clampLimit(options.limit, 10, 100);
    const leaseMs = options.leaseMs ?? DEFAULT_WATCH_LEASE_MS;
    return this.db.write(() => {
      const now = this.db.now();
      const due = this.db
        .sql(
          `SELECT tenant, id FROM watches WHERE stopped_at IS NULL AND next_run_at <= @now AND lease_expires_at <= @now
           ORDER BY next_run_at, tenant, id LIMIT @limit`,
        )
        .all({ now, limit }) as Row[];
      const expiresAt = now + leaseMs;
      return due.map((row) => {
        const token = newToken();
        this.db.sql('UPDATE watches SET lease_token = ?, lease_expires_at = ? WHERE tenant = ? AND id = ?').run(token, expiresAt, row.tenant, row.id);
        const watch = this.watch(str(row, 'tenant'), num(row, 'id'))!;
        return { ...watch, lease: { tenant: watch.tenant, id: watch.id, token, expiresAt: new Date(expiresAt) } };
      });
    });
  }

  async finishWatchRun(lease: WatchLease, outcome: WatchRunOutcome): Promise<boolean> {
    checkRunOutcome(outcome);
    return this.db.write(() => {
      const row = this.db.sql('SELECT lease_token FROM watches WHERE tenant = ? AND id = ?').get(lease.tenant, lease.id) as Row | undefined;
      if (row === undefined || row.lease_token !== lease.token) return false;
      this.db
        .sql(
          `UPDATE watches SET lease_token = NULL, lease_expires_at = 0, last_run_at = @now, last_result = @result, next_run_at = @next,
             window_end = COALESCE(@windowEnd, window_end), runs = runs + @done
           WHERE tenant = @tenant AND id = @id`,
        )
        .run({
          now: this.db.now(),
          result: json(outcome.result),
          next: outcome.nextRunAt.getTime(),
          windowEnd: outcome.status === 'done' ? outcome.windowEnd.getTime() : null,
          done: outcome.status === 'done' ? 1 : 0,
          tenant: lease.tenant,
          id: lease.id,
        });
      return true;
    });
  }

  // -------------------------------------------------------------------------------------- sightings

  async recordWatchSightings(
    ref: WatchRef,
    batch: { readonly runKey: string; readonly kind: WatchBatchKind },
    sightings: readonly NewWatchSighting[],
  ): Promise<{ readonly recorded: number }> {
    checkBatch(batch);
    checkSightings(sightings);
    return this.db.write(() => {
      if (!isWatchId(ref.id) || !this.watch(ref.tenant, ref.id)) throw new StoreError('not-found', 'no such watch');
      const open = this.db.sql('SELECT status FROM watch_batches WHERE tenant = ? AND watch_id = ? AND run_key = ?').get(ref.tenant, ref.id, batch.runKey) as
        | Row
        | undefined;
      if (open?.status === 'posted' && batch.kind === 'new-devices') throw new StoreError('conflict', `the post of run ${batch.runKey} is already enqueued`);
      const now = this.db.now();
      let recorded = 0;
      for (const s of sightings) {
        const known = this.db
          .sql('SELECT instances FROM watch_sightings WHERE tenant = ? AND watch_id = ? AND tool_id = ? AND device_id = ?')
          .get(ref.tenant, ref.id, s.toolId, s.deviceId) as Row | undefined;
        if (known && !(flagged(s) && known.instances === null)) continue;
        this.db
          .sql(
            `INSERT INTO watch_sightings (tenant, watch_id, tool_id, device_id, device_name, first_seen, last_seen, count, instances, run_key, recorded_at)
             VALUES (@tenant, @watch, @tool, @device, @name, @first, @last, @count, @instances, @run, @now)
             ON CONFLICT (tenant, watch_id, tool_id, device_id) DO UPDATE SET device_name = excluded.device_name,
               first_seen = excluded.first_seen, last_seen = excluded.last_seen, count = excluded.count,
               instances = excluded.instances, run_key = excluded.run_key, recorded_at = excluded.recorded_at`,
          )
          .run({
            tenant: ref.tenant,
            watch: ref.id,
            tool: s.toolId,
            device: s.deviceId,
            name: s.deviceName,
            first: s.firstSeen.getTime(),
            last: s.lastSeen.getTime(),
            count: s.count,
            instances: flagged(s) ? json(s.unsanctionedInstances) : null,
            run: batch.runKey,
            now,
          });
        recorded += 1;
      }
      if (recorded > 0 || batch.kind === 'baseline') {
        this.db
          .sql(`INSERT OR IGNORE INTO watch_batches (tenant, watch_id, run_key, kind, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)`)
          .run(ref.tenant, ref.id, batch.runKey, batch.kind, now);
      }
      return { recorded };
    });
  }

  async listPendingWatchBatches(ref: WatchRef): Promise<WatchBatch[]> {
    const batches = this.db.all(
      `SELECT * FROM watch_batches WHERE tenant = ? AND watch_id = ? AND status = 'pending' ORDER BY created_at, run_key`,
      (row) => ({ runKey: str(row, 'run_key'), kind: str(row, 'kind') as WatchBatchKind, createdAt: new Date(num(row, 'created_at')) }),
      ref.tenant,
      ref.id,
    );
    return batches.map((batch) => ({
      ...batch,
      status: 'pending' as const,
      sightings: this.db.all(
        'SELECT * FROM watch_sightings WHERE tenant = ? AND watch_id = ? AND run_key = ? ORDER BY tool_id, device_id',
        sightingFrom,
        ref.tenant,
        ref.id,
        batch.runKey,
      ),
    }));
  }

  async enqueueWatchPost(ref: WatchRef, runKey: string, message: OutboxMessage): Promise<Created<OutboxItem> | undefined> {
    if (!isWatchId(ref.id) || !isRowKey(runKey)) return undefined;
    const key = watchPostKey(ref.id, runKey);
    const id = idFromKey('outbox', `${ref.tenant}\0${key}`);
    const created = this.db.write(() => {
      const watch = this.watch(ref.tenant, ref.id);
      if (!watch || watch.stoppedAt) return undefined;
      const batch = this.db.sql('SELECT status FROM watch_batches WHERE tenant = ? AND watch_id = ? AND run_key = ?').get(ref.tenant, ref.id, runKey) as
        | Row
        | undefined;
      if (!batch) return undefined;
      if (batch.status === 'posted') return false;
      this.db.insertOutbox(id, { key, team: ref.tenant, kind: 'post', ...message }, this.db.now());
      this.db.sql(`UPDATE watch_batches SET status = 'posted' WHERE tenant = ? AND watch_id = ? AND run_key = ?`).run(ref.tenant, ref.id, runKey);
      return true;
    });
    if (created === undefined) return undefined;
    const record = await this.db.getOutboxItem(ref.tenant, id);
    return record && { record, created };
  }

  async listWatchSightings(ref: WatchRef): Promise<WatchSighting[]> {
    return this.db.all('SELECT * FROM watch_sightings WHERE tenant = ? AND watch_id = ? ORDER BY tool_id, device_id', sightingFrom, ref.tenant, ref.id);
  }
}
