/**
 * The SQLite tables for the incident life cycle and the Sentinel exclusion mirror (a migration of
 * `schema.ts`): why and with what note an incident was closed, and which exclusions have their item
 * in the Sentinel watchlist. Times are epoch milliseconds.
 */

/** Adds the incidents' close reason and note, and the mirror ledger. */
export const INCIDENT_CLOSE_MIGRATION = `
  ALTER TABLE incidents ADD COLUMN close_reason TEXT;
  ALTER TABLE incidents ADD COLUMN close_note TEXT;

  CREATE TABLE mirrored_exclusions (
    exclusion_id TEXT PRIMARY KEY,
    mirrored_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
`;
