/**
 * The exclusion mirror's ledger in the SQLite store (`SqliteStore` delegates to this): one row per
 * exclusion whose item is in the Sentinel watchlist.
 */
import type { MirrorLedgerStore } from '../store';
import { checkKey } from '../validate';
import type { SqliteParts } from './sqlite-parts';

/** The SQLite implementation of {@link MirrorLedgerStore}. */
export class SqliteMirrorLedger implements MirrorLedgerStore {
  constructor(private readonly db: Pick<SqliteParts, 'sql' | 'now'>) {}

  async listMirroredExclusions(): Promise<string[]> {
    return (this.db.sql('SELECT exclusion_id FROM mirrored_exclusions ORDER BY exclusion_id').all() as Array<{ exclusion_id: string }>).map((row) => row.exclusion_id);
  }

  async markExclusionMirrored(exclusionId: string): Promise<void> {
    checkKey('exclusion id', exclusionId);
    this.db.sql('INSERT INTO mirrored_exclusions (exclusion_id, mirrored_at) VALUES (?, ?) ON CONFLICT (exclusion_id) DO NOTHING').run(exclusionId, this.db.now());
  }

  async markExclusionUnmirrored(exclusionId: string): Promise<void> {
    checkKey('exclusion id', exclusionId);
    this.db.sql('DELETE FROM mirrored_exclusions WHERE exclusion_id = ?').run(exclusionId);
  }
}
