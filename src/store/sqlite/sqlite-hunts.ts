/**
 * Hunts and their findings in the SQLite store (`SqliteStore` delegates to this): a hunt is a row of
 * `hunts`, its findings rows of `findings`, read only while the hunt is `done`. The findings are
 * written before the transaction that ends the hunt, {@link FINDINGS_PER_WRITE} to a transaction
 * with a turn of the event loop between two (better-sqlite3 is synchronous: a thousand findings in
 * one transaction would hold the bot's thread for milliseconds), so whoever reads `done` reads every
 * finding and nobody reads a part of them.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { newHuntId } from '../ids';
import type { FindingRange, Hunt, HuntOutcome, HuntStore, NewHunt, StoredFinding } from '../store';
import { StoreError } from '../store-error';
import { checkFindings, checkNewHunt, isRowKey } from '../validate';
import type { SqliteParts } from './sqlite-parts';
import { actor, json, num, optDate, optStr, parse, str, type Row } from './sqlite-rows';

function huntFrom(row: Row): Hunt {
  const device = optStr(row, 'device');
  const instanceId = optStr(row, 'instance_id');
  const messageId = optStr(row, 'message_id');
  const error = optStr(row, 'error');
  const finishedAt = optDate(row, 'finished_at');
  const originTenant = optStr(row, 'origin_tenant');
  return {
    id: str(row, 'id'),
    request: {
      toolId: str(row, 'tool_id'),
      windowMs: num(row, 'window_ms'),
      kind: str(row, 'kind') as Hunt['request']['kind'],
      ...(device !== undefined && { device }),
    },
    kql: str(row, 'kql'),
    source: str(row, 'source'),
    conversation: parse(row, 'conversation'),
    requestedBy: actor(row, 'requested_by'),
    ...(instanceId !== undefined && { instanceId }),
    ...(originTenant !== undefined && { origin: { tenant: originTenant, conversationId: str(row, 'origin_conversation') } }),
    status: str(row, 'status') as Hunt['status'],
    ...(messageId !== undefined && { messageId }),
    ...(error !== undefined && { error }),
    findingCount: num(row, 'finding_count'),
    hiddenCount: num(row, 'hidden_count'),
    ...(row.meta !== null && row.meta !== undefined && { meta: parse(row, 'meta') }),
    createdAt: new Date(num(row, 'created_at')),
    ...(finishedAt !== undefined && { finishedAt }),
  };
}

function hiddenCountOf(outcome: HuntOutcome): number {
  return outcome.status === 'done' ? (outcome.hiddenCount ?? 0) : 0;
}

function findingFrom(row: Row): StoredFinding {
  return {
    rowKey: str(row, 'row_key'),
    deviceId: str(row, 'device_id'),
    deviceName: str(row, 'device_name'),
    firstSeen: new Date(num(row, 'first_seen')),
    lastSeen: new Date(num(row, 'last_seen')),
    count: num(row, 'count'),
    reportIds: parse(row, 'report_ids') as string[],
    ...(row.report_count !== null && { reportCount: num(row, 'report_count') }),
    toolId: str(row, 'tool_id'),
  };
}

/** Findings written per transaction. */
export const FINDINGS_PER_WRITE = 64;

/** The findings of hunt `?` while it is `done` (aliased `f`), to be followed by more conditions. */
export const DONE_FINDINGS = `findings f JOIN hunts h ON h.id = f.hunt_id WHERE f.hunt_id = ? AND h.status = 'done'`;

/** The findings of a `done` hunt from one place in its order to before another (through `findings_by_ordinal`). */
export const FINDINGS_IN_ORDER = `SELECT f.* FROM ${DONE_FINDINGS} AND f.ordinal >= ? AND f.ordinal < ? ORDER BY f.ordinal`;

/** The SQLite implementation of {@link HuntStore}. */
export class SqliteHunts implements HuntStore {
  constructor(private readonly db: Pick<SqliteParts, 'sql' | 'write' | 'now' | 'get' | 'all'>) {}

  async createHunt(hunt: NewHunt): Promise<Hunt> {
    checkNewHunt(hunt);
    const id = newHuntId();
    this.db.sql(
        `INSERT INTO hunts (id, tool_id, window_ms, device, kind, kql, source, conversation, requested_by_id,
           requested_by_name, instance_id, origin_tenant, origin_conversation, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      )
      .run(
        id,
        hunt.request.toolId,
        hunt.request.windowMs,
        hunt.request.device ?? null,
        hunt.request.kind,
        hunt.kql,
        hunt.source,
        json(hunt.conversation),
        hunt.requestedBy.aadObjectId,
        hunt.requestedBy.name,
        hunt.instanceId ?? null,
        hunt.origin?.tenant ?? null,
        hunt.origin?.conversationId ?? null,
        this.db.now(),
      );
    return (await this.getHunt(id))!;
  }

  async setHuntMessage(huntId: string, messageId: string): Promise<void> {
    const result = this.db.sql('UPDATE hunts SET message_id = ? WHERE id = ?').run(messageId, huntId);
    if (result.changes === 0) throw new StoreError('not-found', 'no such hunt');
  }

  async finishHunt(huntId: string, outcome: HuntOutcome): Promise<boolean> {
    const findings = outcome.status === 'done' ? outcome.findings : [];
    checkFindings(findings);
    let start = 0;
    for (; findings.length - start > FINDINGS_PER_WRITE; start += FINDINGS_PER_WRITE) {
      const written = this.db.write(() => this.running(huntId) && this.insert(huntId, findings, start, start + FINDINGS_PER_WRITE));
      if (!written) return this.db.write(() => this.discardUnlessDone(huntId));
      await nextTurn();
    }
    return this.db.write(() => {
      if (!this.running(huntId)) return this.discardUnlessDone(huntId);
      this.insert(huntId, findings, start, findings.length);
      this.db.sql('UPDATE hunts SET status = ?, error = ?, finding_count = ?, hidden_count = ?, meta = ?, finished_at = ? WHERE id = ?')
        .run(
          outcome.status,
          outcome.status === 'failed' ? outcome.error : null,
          findings.length,
          hiddenCountOf(outcome),
          outcome.status === 'done' && outcome.meta !== undefined ? json(outcome.meta) : null,
          this.db.now(),
          huntId,
        );
      if (outcome.status !== 'done') this.discardUnlessDone(huntId);
      return true;
    });
  }

  /** Whether the hunt is running (inside a transaction); rejects `not-found` for an unknown hunt. */
  private running(huntId: string): boolean {
    const row = this.db.sql('SELECT status FROM hunts WHERE id = ?').get(huntId) as Row | undefined;
    if (row === undefined) throw new StoreError('not-found', 'no such hunt');
    return row.status === 'running';
  }

  /** Writes findings `from` to `to - 1` (inside a transaction). */
  private insert(huntId: string, findings: readonly StoredFinding[], from: number, to: number): true {
    const insert = this.db.sql(
      `INSERT INTO findings (hunt_id, row_key, ordinal, device_id, device_name, first_seen, last_seen, count, report_ids, report_count, tool_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let ordinal = from; ordinal < to; ordinal++) {
      const f = findings[ordinal]!;
      insert.run(huntId, f.rowKey, ordinal, f.deviceId, f.deviceName, f.firstSeen.getTime(), f.lastSeen.getTime(), f.count, json(f.reportIds), f.reportCount ?? null, f.toolId);
    }
    return true;
  }

  /**
   * Removes the findings of a hunt that did not end `done` (inside a transaction): those a writer
   * wrote before another ended the hunt, or those a writer that crashed left. Returns false.
   */
  private discardUnlessDone(huntId: string): false {
    this.db.sql(`DELETE FROM findings WHERE hunt_id = ? AND (SELECT status FROM hunts WHERE id = ?) <> 'done'`).run(huntId, huntId);
    return false;
  }

  async getHunt(huntId: string): Promise<Hunt | undefined> {
    return this.db.get('SELECT * FROM hunts WHERE id = ?', huntFrom, huntId);
  }

  async getFinding(huntId: string, rowKey: string): Promise<StoredFinding | undefined> {
    if (!isRowKey(rowKey)) return undefined;
    return this.db.get(`SELECT f.* FROM ${DONE_FINDINGS} AND f.row_key = ?`, findingFrom, huntId, rowKey);
  }

  async listFindings(huntId: string, range?: FindingRange): Promise<StoredFinding[]> {
    const from = range ? Math.max(0, Math.trunc(range.offset)) : 0;
    const to = range ? from + Math.max(0, Math.trunc(range.limit)) : Number.MAX_SAFE_INTEGER;
    return this.db.all(FINDINGS_IN_ORDER, findingFrom, huntId, from, to);
  }

  async listRunningHunts(filter: { readonly instanceId?: string; readonly createdBefore?: Date } = {}): Promise<Hunt[]> {
    return this.db.all(
      `SELECT * FROM hunts WHERE status = 'running'
         AND (@instance IS NULL OR instance_id = @instance) AND (@before IS NULL OR created_at < @before)
       ORDER BY created_at, id`,
      huntFrom,
      { instance: filter.instanceId ?? null, before: filter.createdBefore?.getTime() ?? null },
    );
  }
}
