/**
 * Exclusions in the SQLite store (`SqliteStore` delegates to this): one row per key, added in an
 * immediate transaction that also checks the source finding, removed once (the first removal wins).
 */
import { idFromKey } from '../ids';
import type { Actor, Created, Exclusion, ExclusionStore, NewExclusion } from '../store';
import { StoreError } from '../store-error';
import { checkNewExclusion, checkSourceDevice } from '../validate';
import { DONE_FINDINGS } from './sqlite-hunts';
import type { SqliteParts } from './sqlite-parts';
import { actor, num, optActor, optDate, optStr, str, type Row } from './sqlite-rows';

function exclusionFrom(row: Row): Exclusion {
  const toolId = optStr(row, 'tool_id');
  const sourceHuntId = optStr(row, 'source_hunt_id');
  const removedAt = optDate(row, 'removed_at');
  const removedBy = optActor(row, 'removed_by');
  const deviceId = optStr(row, 'device_id');
  const tenant = optStr(row, 'tenant');
  return {
    id: str(row, 'id'),
    key: str(row, 'key'),
    pattern: str(row, 'pattern'),
    ...(deviceId !== undefined && { deviceId }),
    ...(tenant !== undefined && { tenant }),
    scope: toolId === undefined ? { kind: 'all' } : { kind: 'tool', toolId },
    reason: str(row, 'reason'),
    createdBy: actor(row, 'created_by'),
    createdAt: new Date(num(row, 'created_at')),
    expiresAt: row.expires_at === null ? null : new Date(num(row, 'expires_at')),
    ...(sourceHuntId !== undefined && { source: { huntId: sourceHuntId, rowKey: str(row, 'source_row_key') } }),
    ...(removedAt !== undefined && { removedAt }),
    ...(removedBy !== undefined && { removedBy }),
  };
}

/** The SQLite implementation of {@link ExclusionStore}. */
export class SqliteExclusions implements ExclusionStore {
  constructor(private readonly db: Pick<SqliteParts, 'sql' | 'write' | 'now' | 'get' | 'all'>) {}

  async addExclusion(exclusion: NewExclusion): Promise<Created<Exclusion>> {
    checkNewExclusion(exclusion);
    return this.db.write(() => {
      const existing = this.db.get('SELECT * FROM exclusions WHERE key = ?', exclusionFrom, exclusion.key);
      if (existing) return { record: existing, created: false };
      const { source } = exclusion;
      if (source) {
        const finding = this.db.sql(`SELECT f.device_id FROM ${DONE_FINDINGS} AND f.row_key = ?`).get(source.huntId, source.rowKey) as Row | undefined;
        if (!finding) throw new StoreError('not-found', 'no such finding');
        checkSourceDevice(exclusion, str(finding, 'device_id'));
      }
      const id = idFromKey('exclusion', exclusion.key);
      this.db.sql(
          `INSERT INTO exclusions (id, key, pattern, tool_id, reason, created_by_id, created_by_name, created_at, expires_at,
             source_hunt_id, source_row_key, device_id, tenant)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          exclusion.key,
          exclusion.pattern,
          exclusion.scope.kind === 'tool' ? exclusion.scope.toolId : null,
          exclusion.reason,
          exclusion.createdBy.aadObjectId,
          exclusion.createdBy.name,
          this.db.now(),
          exclusion.expiresAt?.getTime() ?? null,
          source?.huntId ?? null,
          source?.rowKey ?? null,
          exclusion.deviceId ?? null,
          exclusion.tenant ?? null,
        );
      return { record: this.db.get('SELECT * FROM exclusions WHERE id = ?', exclusionFrom, id)!, created: true };
    });
  }

  async getExclusion(id: string): Promise<Exclusion | undefined> {
    return this.db.get('SELECT * FROM exclusions WHERE id = ?', exclusionFrom, id);
  }

  async listExclusions(filter: { readonly activeAt?: Date; readonly tenant?: string } = {}): Promise<Exclusion[]> {
    return this.db.all(
      `SELECT * FROM exclusions
       WHERE (@at IS NULL OR (removed_at IS NULL AND (expires_at IS NULL OR expires_at > @at)))
         AND (@tenant IS NULL OR tenant IS NULL OR tenant = @tenant)
       ORDER BY seq`,
      exclusionFrom,
      { at: filter.activeAt?.getTime() ?? null, tenant: filter.tenant ?? null },
    );
  }

  async removeExclusion(id: string, removedBy: Actor): Promise<{ readonly record: Exclusion; readonly removed: boolean } | undefined> {
    return this.db.write(() => {
      const result = this.db.sql('UPDATE exclusions SET removed_by_id = ?, removed_by_name = ?, removed_at = ? WHERE id = ? AND removed_at IS NULL')
        .run(removedBy.aadObjectId, removedBy.name, this.db.now(), id);
      const record = this.db.get('SELECT * FROM exclusions WHERE id = ?', exclusionFrom, id);
      return record && { record, removed: result.changes > 0 };
    });
  }
}
