/**
 * The SQLite tables of watches and sanctions (a migration of `schema.ts`): watches numbered per
 * tenant, the devices each watch has reported and the batches (one per run) their posts come from,
 * and sanctioned tools per tenant. Times are epoch milliseconds; opaque values are JSON text.
 */

/** Creates the watch and sanction tables. */
export const WATCH_MIGRATION = `
  CREATE TABLE watch_counters (
    tenant TEXT PRIMARY KEY,
    last_id INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE watches (
    tenant TEXT NOT NULL,
    id INTEGER NOT NULL,
    key TEXT NOT NULL,
    spec_version INTEGER NOT NULL,
    spec TEXT NOT NULL,
    interval_ms INTEGER NOT NULL,
    baseline_window_ms INTEGER NOT NULL,
    conversation TEXT NOT NULL,
    created_by_id TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    next_run_at INTEGER NOT NULL,
    lease_token TEXT,
    lease_expires_at INTEGER NOT NULL DEFAULT 0,
    runs INTEGER NOT NULL DEFAULT 0,
    last_run_at INTEGER,
    window_end INTEGER,
    last_result TEXT,
    stopped_by_id TEXT,
    stopped_by_name TEXT,
    stopped_at INTEGER,
    PRIMARY KEY (tenant, id),
    UNIQUE (tenant, key)
  ) STRICT;
  CREATE INDEX watches_due ON watches (next_run_at) WHERE stopped_at IS NULL;

  CREATE TABLE watch_batches (
    tenant TEXT NOT NULL,
    watch_id INTEGER NOT NULL,
    run_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, watch_id, run_key),
    FOREIGN KEY (tenant, watch_id) REFERENCES watches (tenant, id) ON DELETE CASCADE
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE watch_sightings (
    tenant TEXT NOT NULL,
    watch_id INTEGER NOT NULL,
    tool_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    device_name TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    count INTEGER NOT NULL,
    instances TEXT,
    run_key TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (tenant, watch_id, tool_id, device_id),
    FOREIGN KEY (tenant, watch_id) REFERENCES watches (tenant, id) ON DELETE CASCADE
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX watch_sightings_by_run ON watch_sightings (tenant, watch_id, run_key);

  CREATE TABLE sanctions (
    tenant TEXT NOT NULL,
    tool_id TEXT NOT NULL,
    instances TEXT NOT NULL,
    reason TEXT NOT NULL,
    by_id TEXT NOT NULL,
    by_name TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (tenant, tool_id)
  ) STRICT, WITHOUT ROWID;
`;
