/**
 * The outbox in the SQLite store (`SqliteStore` delegates to this). The lease expiry of a `sending`
 * item is kept in `next_attempt_at`, so "due" is one indexed condition for both pending items and
 * expired leases. When an incident's opening post dies and the incident is left without a thread
 * root, its oldest pending reply becomes the opening post (re-rooting), in the same transaction.
 */
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
import { checkIncidentNumber, checkKey, clampLimit } from '../validate';
import { checkOutboxKind } from '../watch-validate';
import type { SqliteParts } from './sqlite-parts';
import { json, num, optDate, optStr, parse, str, type Row } from './sqlite-rows';

/** An outbox item from its row (selected with {@link OUTBOX_SELECT}). */
export function outboxFrom(row: Row): OutboxItem {
  const incidentNumber = row.incident_number === null ? undefined : num(row, 'incident_number');
  const lastError = optStr(row, 'last_error');
  const activityId = optStr(row, 'activity_id');
  const threadRootActivityId = row.kind !== 'new-thread' ? optStr(row, 'thread_root') : undefined;
  const sentAt = optDate(row, 'sent_at');
  return {
    id: str(row, 'id'),
    key: str(row, 'key'),
    team: str(row, 'team'),
    kind: str(row, 'kind') as OutboxItem['kind'],
    target: parse(row, 'target'),
    payload: parse(row, 'payload'),
    ...(incidentNumber !== undefined && { incidentNumber }),
    status: str(row, 'status') as OutboxStatus,
    attempts: num(row, 'attempts'),
    nextAttemptAt: new Date(num(row, 'next_attempt_at')),
    ...(lastError !== undefined && { lastError }),
    ...(activityId !== undefined && { activityId }),
    ...(threadRootActivityId !== undefined && { threadRootActivityId }),
    createdAt: new Date(num(row, 'created_at')),
    ...(sentAt !== undefined && { sentAt }),
  };
}

/** Outbox rows with the thread root of their incident, for replies. */
export const OUTBOX_SELECT = `
  SELECT o.*, i.thread_root AS thread_root FROM outbox o
  LEFT JOIN incidents i ON i.team = o.team AND i.number = o.incident_number`;

/**
 * Due, and (for a reply of an incident) the thread exists; a Sentinel call of an incident goes once
 * the thread exists or no opening post of the incident is on its way.
 */
const OUTBOX_DUE = `
  o.status IN ('pending', 'sending') AND o.next_attempt_at <= @now
  AND (o.kind = 'new-thread' OR o.incident_number IS NULL OR i.thread_root IS NOT NULL
    OR (o.kind = 'sentinel' AND NOT EXISTS (
      SELECT 1 FROM outbox n WHERE n.team = o.team AND n.incident_number = o.incident_number AND n.kind = 'new-thread' AND n.status IN ('pending', 'sending'))))`;

/** Of the kinds given (`@kinds`: a JSON list, or null for every kind). */
const OUTBOX_KINDS = `(@kinds IS NULL OR o.kind IN (SELECT value FROM json_each(@kinds)))`;

/** The SQLite implementation of {@link OutboxStore}. */
export class SqliteOutbox implements OutboxStore {
  constructor(
    private readonly db: Pick<SqliteParts, 'sql' | 'write' | 'now' | 'get' | 'all' | 'setThreadRoot'>,
    private readonly policy: OutboxPolicy,
  ) {}

  /** Inserts an item as `pending`, due at `at` (inside a transaction). */
  insertOutbox(id: string, item: NewOutboxItem, at: number): void {
    this.db.sql(
        `INSERT INTO outbox (id, team, key, kind, target, payload, incident_number, status, next_attempt_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(id, item.team, item.key, item.kind, json(item.target), json(item.payload), item.incidentNumber ?? null, at, at);
  }

  async enqueueOutbox(item: NewOutboxItem): Promise<Created<OutboxItem>> {
    checkKey('outbox key', item.key);
    checkKey('team', item.team);
    checkOutboxKind(item);
    if (item.incidentNumber !== undefined) checkIncidentNumber(item.incidentNumber);
    return this.db.write(() => {
      const existing = this.db.get(`${OUTBOX_SELECT} WHERE o.team = ? AND o.key = ?`, outboxFrom, item.team, item.key);
      if (existing) return { record: existing, created: false };
      if (item.incidentNumber !== undefined && !this.db.sql('SELECT 1 FROM incidents WHERE team = ? AND number = ?').get(item.team, item.incidentNumber)) {
        throw new StoreError('not-found', `no incident ${item.incidentNumber}`);
      }
      const id = idFromKey('outbox', `${item.team}\0${item.key}`);
      this.insertOutbox(id, item, this.db.now());
      return { record: this.db.get(`${OUTBOX_SELECT} WHERE o.id = ?`, outboxFrom, id)!, created: true };
    });
  }

  async getOutboxItem(team: string, id: string): Promise<OutboxItem | undefined> {
    return this.db.get(`${OUTBOX_SELECT} WHERE o.team = ? AND o.id = ?`, outboxFrom, team, id);
  }

  async listDueOutbox(options: { readonly limit?: number } = {}): Promise<OutboxItem[]> {
    return this.db.all(`${OUTBOX_SELECT} WHERE ${OUTBOX_DUE} ORDER BY o.next_attempt_at, o.seq LIMIT @limit`, outboxFrom, {
      now: this.db.now(),
      limit: clampLimit(options.limit, 100, 1000),
    });
  }

  async claimOutbox(options: { readonly limit?: number; readonly leaseMs?: number; readonly kinds?: readonly OutboxKind[] } = {}): Promise<ClaimedOutboxItem[]> {
    const limit = clampLimit(options.limit, 10, 100);
    const leaseMs = options.leaseMs ?? this.policy.leaseMs;
    const kinds = options.kinds ? JSON.stringify(options.kinds) : null;
    return this.db.write(() => {
      const now = this.db.now();
      const claimed: ClaimedOutboxItem[] = [];
      const candidates = this.db.sql(`SELECT o.id, o.status, o.attempts FROM outbox o LEFT JOIN incidents i ON i.team = o.team AND i.number = o.incident_number
                  WHERE ${OUTBOX_DUE} AND ${OUTBOX_KINDS} ORDER BY o.next_attempt_at, o.seq`)
        .iterate({ now, kinds }) as IterableIterator<Row>;
      const expired: string[] = [];
      const chosen: string[] = [];
      for (const row of candidates) {
        if (row.status === 'sending' && num(row, 'attempts') >= this.policy.maxAttempts) expired.push(str(row, 'id'));
        else chosen.push(str(row, 'id'));
        if (chosen.length >= limit) break;
      }
      for (const id of expired) {
        this.db.sql(`UPDATE outbox SET status = 'dead', lease_token = NULL, last_error = ? WHERE id = ?`)
          .run(`lease expired on the last of ${this.policy.maxAttempts} attempts`, id);
        this.rerootAfterDeath(id);
      }
      const expiresAt = now + leaseMs;
      for (const id of chosen) {
        const token = newToken();
        this.db.sql(`UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_token = ?, next_attempt_at = ? WHERE id = ?`)
          .run(token, expiresAt, id);
        const item = this.db.get(`${OUTBOX_SELECT} WHERE o.id = ?`, outboxFrom, id)!;
        claimed.push({ ...item, lease: { team: item.team, id, token, expiresAt: new Date(expiresAt) } });
      }
      return claimed;
    });
  }

  async completeOutbox(lease: OutboxLease, result: { readonly activityId: string }): Promise<boolean> {
    checkKey('activity id', result.activityId);
    return this.db.write(() => {
      const item = this.db.sql(`SELECT kind, incident_number FROM outbox WHERE id = ? AND team = ? AND lease_token = ? AND status = 'sending'`)
        .get(lease.id, lease.team, lease.token) as Row | undefined;
      if (item === undefined) return false;
      this.db.sql(`UPDATE outbox SET status = 'sent', lease_token = NULL, activity_id = ?, sent_at = ?, last_error = NULL WHERE id = ?`)
        .run(result.activityId, this.db.now(), lease.id);
      if (item.kind === 'new-thread' && item.incident_number !== null) this.db.setThreadRoot(lease.team, num(item, 'incident_number'), result.activityId);
      return true;
    });
  }

  async failOutbox(
    lease: OutboxLease,
    failure: { readonly error: string; readonly retryAfterMs?: number; readonly permanent?: boolean },
  ): Promise<OutboxStatus | undefined> {
    return this.db.write(() => {
      const item = this.db.sql(`SELECT attempts FROM outbox WHERE id = ? AND team = ? AND lease_token = ? AND status = 'sending'`)
        .get(lease.id, lease.team, lease.token) as Row | undefined;
      if (item === undefined) return undefined;
      const attempts = num(item, 'attempts');
      const status: OutboxStatus = failure.permanent || attempts >= this.policy.maxAttempts ? 'dead' : 'pending';
      const next = this.db.now() + (status === 'pending' ? backoffMs(this.policy, attempts, failure.retryAfterMs) : 0);
      this.db.sql(`UPDATE outbox SET status = ?, lease_token = NULL, last_error = ?, next_attempt_at = ? WHERE id = ?`)
        .run(status, failure.error.slice(0, 2000), next, lease.id);
      if (status === 'dead') this.rerootAfterDeath(lease.id);
      return status;
    });
  }

  async listOutbox(filter: { readonly team?: string; readonly status?: OutboxStatus } = {}): Promise<OutboxItem[]> {
    return this.db.all(
      `${OUTBOX_SELECT} WHERE (@team IS NULL OR o.team = @team) AND (@status IS NULL OR o.status = @status) ORDER BY o.seq`,
      outboxFrom,
      { team: filter.team ?? null, status: filter.status ?? null },
    );
  }

  async giveUpOutbox(options: { readonly createdBefore: Date; readonly error: string; readonly limit?: number; readonly kinds?: readonly OutboxKind[] }): Promise<OutboxItem[]> {
    const kinds = options.kinds ? JSON.stringify(options.kinds) : null;
    return this.db.write(() => {
      const ids = (this.db.sql(
          `SELECT o.id FROM outbox o WHERE o.created_at < @before AND (o.status = 'pending' OR (o.status = 'sending' AND o.next_attempt_at <= @now))
           AND ${OUTBOX_KINDS} ORDER BY o.seq LIMIT @limit`,
        )
        .all({ before: options.createdBefore.getTime(), now: this.db.now(), limit: clampLimit(options.limit, 100, 1000), kinds }) as Row[]).map((row) => str(row, 'id'));
      for (const id of ids) {
        this.db.sql(`UPDATE outbox SET status = 'dead', lease_token = NULL, last_error = ? WHERE id = ?`).run(options.error.slice(0, 2000), id);
      }
      for (const id of ids) this.rerootAfterDeath(id);
      return ids.map((id) => this.db.get(`${OUTBOX_SELECT} WHERE o.id = ?`, outboxFrom, id)!);
    });
  }

  /** True when the incident has no thread root and no opening post still on its way. */
  rootless(team: string, number: number): boolean {
    const incident = this.db.sql('SELECT thread_root FROM incidents WHERE team = ? AND number = ?').get(team, number) as Row | undefined;
    if (!incident || incident.thread_root !== null) return false;
    return !this.db.sql(`SELECT 1 FROM outbox WHERE team = ? AND incident_number = ? AND kind = 'new-thread' AND status IN ('pending', 'sending')`).get(team, number);
  }

  /** After item `id` went dead: if it was its incident's opening post, the oldest pending reply opens the thread instead. */
  private rerootAfterDeath(id: string): void {
    const item = this.db.sql(`SELECT team, kind, incident_number FROM outbox WHERE id = ?`).get(id) as Row | undefined;
    if (!item || item.kind !== 'new-thread' || item.incident_number === null) return;
    const team = str(item, 'team');
    const number = num(item, 'incident_number');
    if (!this.rootless(team, number)) return;
    this.db.sql(
        `UPDATE outbox SET kind = 'new-thread' WHERE id = (
           SELECT id FROM outbox WHERE team = ? AND incident_number = ? AND kind = 'reply' AND status = 'pending' ORDER BY seq LIMIT 1)`,
      )
      .run(team, number);
  }
}
