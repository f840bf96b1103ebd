/**
 * The SQLite columns of issue #11 (a migration of `schema.ts`): hunts remember where they were
 * asked (their buttons work only there), findings count their reports (`report_ids` holds a bounded
 * sample), exclusions bind a device id and belong to a tenant, and audit entries belong to a tenant
 * and can count repeats (one entry per `count_key`).
 *
 * Exclusions made from a card before they bound device ids get the device id of their source
 * finding, where it is still stored; the others keep their recorded name, read literally.
 */

/** Adds the columns, binds the device ids it can, and indexes the audit by tenant and count key. */
export const TRUST_MIGRATION = `
  ALTER TABLE hunts ADD COLUMN origin_tenant TEXT;
  ALTER TABLE hunts ADD COLUMN origin_conversation TEXT;

  ALTER TABLE findings ADD COLUMN report_count INTEGER;

  ALTER TABLE exclusions ADD COLUMN device_id TEXT;
  ALTER TABLE exclusions ADD COLUMN tenant TEXT;
  UPDATE exclusions SET device_id = (
    SELECT f.device_id FROM findings f WHERE f.hunt_id = exclusions.source_hunt_id AND f.row_key = exclusions.source_row_key
  ) WHERE source_hunt_id IS NOT NULL;

  ALTER TABLE audit ADD COLUMN tenant TEXT;
  ALTER TABLE audit ADD COLUMN count_key TEXT;
  ALTER TABLE audit ADD COLUMN count INTEGER;
  ALTER TABLE audit ADD COLUMN last_at INTEGER;
  CREATE UNIQUE INDEX audit_by_count_key ON audit (count_key) WHERE count_key IS NOT NULL;
  CREATE INDEX audit_by_tenant ON audit (tenant, seq);
`;
