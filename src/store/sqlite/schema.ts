/**
 * The SQLite schema, as numbered migrations. `PRAGMA user_version` holds how many have run; opening a
 * store runs the missing ones in one immediate transaction, so two processes opening a new file at
 * once migrate it once. Times are epoch milliseconds (INTEGER); opaque values are JSON text.
 */
import type Database from 'better-sqlite3';
import { INCIDENT_CLOSE_MIGRATION } from './schema-sentinel';
import { TRUST_MIGRATION } from './schema-trust';
import { WATCH_MIGRATION } from './schema-watches';

/** Migration n (1-based) is `MIGRATIONS[n - 1]`; never edit one that has shipped, append a new one. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE hunts (
    id TEXT PRIMARY KEY,
    tool_id TEXT NOT NULL,
    window_ms INTEGER NOT NULL,
    device TEXT,
    kind TEXT NOT NULL,
    kql TEXT NOT NULL,
    source TEXT NOT NULL,
    conversation TEXT NOT NULL,
    requested_by_id TEXT NOT NULL,
    requested_by_name TEXT NOT NULL,
    instance_id TEXT,
    status TEXT NOT NULL,
    message_id TEXT,
    error TEXT,
    finding_count INTEGER NOT NULL DEFAULT 0,
    hidden_count INTEGER NOT NULL DEFAULT 0,
    meta TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
  ) STRICT;
  CREATE INDEX hunts_by_status ON hunts (status, created_at);
  CREATE INDEX hunts_by_created ON hunts (created_at);

  CREATE TABLE findings (
    hunt_id TEXT NOT NULL REFERENCES hunts (id) ON DELETE CASCADE,
    row_key TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    device_name TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    count REAL NOT NULL,
    report_ids TEXT NOT NULL,
    tool_id TEXT NOT NULL,
    PRIMARY KEY (hunt_id, row_key)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE exclusions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL UNIQUE,
    pattern TEXT NOT NULL,
    tool_id TEXT,
    reason TEXT NOT NULL,
    created_by_id TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    source_hunt_id TEXT,
    source_row_key TEXT,
    removed_by_id TEXT,
    removed_by_name TEXT,
    removed_at INTEGER
  ) STRICT;

  CREATE TABLE incident_counters (
    team TEXT PRIMARY KEY,
    last_number INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE incidents (
    team TEXT NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    thread_root TEXT,
    created_by_id TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    closed_by_id TEXT,
    closed_by_name TEXT,
    closed_at INTEGER,
    PRIMARY KEY (team, number)
  ) STRICT;

  CREATE TABLE incident_channels (
    team TEXT PRIMARY KEY,
    conversation TEXT NOT NULL,
    set_by_id TEXT NOT NULL,
    set_by_name TEXT NOT NULL,
    set_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE escalations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    team TEXT NOT NULL,
    key TEXT NOT NULL,
    hunt_id TEXT NOT NULL,
    row_key TEXT NOT NULL,
    incident_number INTEGER NOT NULL,
    note TEXT NOT NULL,
    by_id TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    outbox_id TEXT NOT NULL,
    UNIQUE (team, key)
  ) STRICT;
  CREATE INDEX escalations_by_hunt ON escalations (hunt_id);
  CREATE INDEX escalations_by_incident ON escalations (team, incident_number);

  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    team TEXT NOT NULL,
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    payload TEXT NOT NULL,
    incident_number INTEGER,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_token TEXT,
    last_error TEXT,
    activity_id TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER,
    UNIQUE (team, key)
  ) STRICT;
  CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    at INTEGER NOT NULL,
    actor_id TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    action TEXT NOT NULL,
    details TEXT NOT NULL,
    outcome TEXT NOT NULL
  ) STRICT;

  CREATE TABLE conversation_refs (
    key TEXT PRIMARY KEY,
    reference TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;
  `,
  WATCH_MIGRATION,
  INCIDENT_CLOSE_MIGRATION,
  TRUST_MIGRATION,
  // Issue #15: a card reads the findings of its page, by their place in the hunt.
  `CREATE UNIQUE INDEX findings_by_ordinal ON findings (hunt_id, ordinal);`,
];

/**
 * Brings the database to the latest schema. Refuses a database newer than this code (a downgrade
 * would silently misread it).
 */
export function migrate(db: Database.Database): void {
  const run = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`the store file has schema version ${version}, newer than this HuntOps (${MIGRATIONS.length})`);
    }
    for (let next = version; next < MIGRATIONS.length; next++) {
      db.exec(MIGRATIONS[next]!);
      db.pragma(`user_version = ${next + 1}`);
    }
  });
  run.immediate();
}
