/**
 * The embedded store: SQLite in one file through better-sqlite3 (synchronous).
 *
 * - WAL journal with `synchronous = NORMAL` by default: a committed write survives a killed process
 *   (the contract tests kill one with SIGKILL), and a power cut or OS crash can roll back the last
 *   transactions but never corrupts the file. `full` also survives those, at an fsync per commit
 *   (measured here: ~0.9 ms instead of ~0.12 ms per write, blocking the event loop, since
 *   better-sqlite3 is synchronous). Foreign keys on; a 5 s busy timeout so that several processes on
 *   one file wait for each other instead of failing.
 * - Every check-then-write runs in one `BEGIN IMMEDIATE` transaction: within a process the
 *   synchronous API already serialises calls; across processes the immediate transaction takes the
 *   write lock before reading, so no two processes decide on the same state.
 * - Each concern is a module beside this one (`sqlite-hunts.ts`, `sqlite-exclusions.ts`,
 *   `sqlite-incidents.ts`, `sqlite-escalations.ts`, `sqlite-outbox.ts`, `sqlite-audit.ts`,
 *   `sqlite-watches.ts`, `sqlite-sanctions.ts`, `sqlite-mirror-ledger.ts`); this class holds the
 *   connection, hands each module what it needs of it (`sqlite-parts.ts`) and delegates to them.
 *   connection and the retention purge, hands each module what it needs of the connection
 *   (`sqlite-parts.ts`) and delegates to them (`../composed-store.ts`).
 */
import Database from 'better-sqlite3';
import { ComposedStore, type StoreConcerns } from '../composed-store';
import { resolveOutboxPolicy } from '../outbox-policy';
import type { PurgeCutoffs, PurgeResult, StoreHealth, StoreOptions } from '../store';
import { Checkpointer } from './checkpointer';
import { preparePrivateDatabase } from './private-files';
import { migrate } from './schema';
import { SqliteAudit } from './sqlite-audit';
import { SqliteEscalations } from './sqlite-escalations';
import { SqliteExclusions } from './sqlite-exclusions';
import { SqliteHunts } from './sqlite-hunts';
import { SqliteIncidents } from './sqlite-incidents';
import { SqliteMirrorLedger } from './sqlite-mirror-ledger';
import { SqliteOutbox } from './sqlite-outbox';
import type { SqliteParts } from './sqlite-parts';
import type { Row } from './sqlite-rows';
import { SqliteSanctions } from './sqlite-sanctions';
import { SqliteWatches } from './sqlite-watches';

/** Options of the SQLite store. */
export interface SqliteStoreOptions extends StoreOptions {
  /** `normal` (default): durable across a killed process; `full`: across a power cut too, slower. */
  readonly synchronous?: 'full' | 'normal';
  /** How long to wait for another process's write lock (default 5000 ms). */
  readonly busyTimeoutMs?: number;
}

/** Hunts deleted per purge transaction (each takes its findings with it: up to a few hundred rows). */
const PURGE_HUNTS_BATCH = 50;
/** Outbox items or audit entries deleted per purge transaction. */
const PURGE_ROWS_BATCH = 500;

/** The connection's parts, and the concerns built on them. */
function assemble(db: Database.Database, options: SqliteStoreOptions): { readonly parts: SqliteParts; readonly concerns: StoreConcerns } {
  const clock = options.clock ?? (() => new Date());
  const statements = new Map<string, Database.Statement>();
  const sql = (text: string): Database.Statement => {
    let statement = statements.get(text);
    if (!statement) {
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
  const parts: SqliteParts = {
    sql,
    write: (work) => db.transaction(work).immediate(),
    now: () => clock().getTime(),
    get: (text, map, ...params) => {
      const row = sql(text).get(...params) as Row | undefined;
      return row === undefined ? undefined : map(row);
    },
    all: (text, map, ...params) => (sql(text).all(...params) as Row[]).map(map),
    insertOutbox: (id, item, at) => outbox.insertOutbox(id, item, at),
    getOutboxItem: (team, id) => outbox.getOutboxItem(team, id),
    rootless: (team, number) => outbox.rootless(team, number),
    setThreadRoot: (team, number, activityId) => incidents.setThreadRoot(team, number, activityId),
  };
  const outbox = new SqliteOutbox(parts, resolveOutboxPolicy(options.outbox));
  const incidents = new SqliteIncidents(parts);
  const concerns: StoreConcerns = {
    hunts: new SqliteHunts(parts),
    exclusions: new SqliteExclusions(parts),
    incidents,
    escalations: new SqliteEscalations(parts),
    outbox,
    ledger: new SqliteMirrorLedger(parts),
    audit: new SqliteAudit(parts),
    watches: new SqliteWatches(parts),
    sanctions: new SqliteSanctions(parts),
  };
  return { parts, concerns };
}

/** The SQLite implementation of {@link Store}. */
export class SqliteStore extends ComposedStore {
  readonly kind = 'sqlite' as const;
  private readonly parts: SqliteParts;

  private constructor(
    private readonly db: Database.Database,
    options: SqliteStoreOptions,
    private readonly checkpointer?: Checkpointer,
  ) {
    const { parts, concerns } = assemble(db, options);
    super(concerns);
    this.parts = parts;
  }

  /**
   * Opens (creating the file and its folder if missing) and migrates the database at `path`; its
   * folder, if created, is 0700 and its files 0600 (`private-files.ts`).
   */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    if (path !== ':memory:') preparePrivateDatabase(path);
    const db = new Database(path);
    try {
      db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
      migrate(db);
      if (path === ':memory:') return new SqliteStore(db, options);
      db.pragma('wal_autocheckpoint = 0');
      return new SqliteStore(db, options, new Checkpointer(path));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  // ------------------------------------------------------------------------------------- operations

  async purge(cutoffs: PurgeCutoffs): Promise<PurgeResult> {
    const hunts = await this.deleteInBatches(
      `DELETE FROM hunts WHERE id IN (SELECT id FROM hunts WHERE created_at < ? LIMIT ${PURGE_HUNTS_BATCH})`,
      cutoffs.huntsBefore,
      PURGE_HUNTS_BATCH,
    );
    const outboxItems = await this.deleteInBatches(
      `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE status IN ('sent', 'dead') AND created_at < ? LIMIT ${PURGE_ROWS_BATCH})`,
      cutoffs.huntsBefore,
      PURGE_ROWS_BATCH,
    );
    const auditEntries = await this.deleteInBatches(
      `DELETE FROM audit WHERE seq IN (SELECT seq FROM audit WHERE COALESCE(last_at, at) < ? LIMIT ${PURGE_ROWS_BATCH})`,
      cutoffs.auditBefore,
      PURGE_ROWS_BATCH,
    );
    return { hunts, outboxItems, auditEntries };
  }

  /**
   * Runs a `DELETE … LIMIT batch` until it deletes less than a batch, each in its own transaction,
   * yielding to the event loop in between (better-sqlite3 is synchronous: one large delete would
   * hold up every turn). Returns how many rows it deleted.
   */
  private async deleteInBatches(sql: string, before: Date, batch: number): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = this.parts.write(() => this.parts.sql(sql).run(before.getTime()).changes);
      total += deleted;
      if (deleted < batch) return total;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async health(): Promise<StoreHealth> {
    try {
      const version = this.db.pragma('user_version', { simple: true }) as number;
      return { ok: true, kind: 'sqlite', detail: `sqlite schema ${version}` };
    } catch (error) {
      return { ok: false, kind: 'sqlite', detail: error instanceof Error ? error.message : 'sqlite unavailable' };
    }
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
