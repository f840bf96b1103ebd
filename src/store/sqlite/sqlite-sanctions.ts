/**
 * Sanctioned tools in the SQLite store (`SqliteStore` delegates to this): one row per tenant and
 * tool, replaced in one immediate transaction that also reads the sanction it replaces.
 */
import type { NewSanction, Sanction, SanctionStore } from '../store';
import { checkNewSanction } from '../watch-validate';
import type { SqliteParts } from './sqlite-parts';

type Row = Record<string, unknown>;

function sanctionFrom(row: Row): Sanction {
  return {
    tenant: row.tenant as string,
    toolId: row.tool_id as string,
    instances: JSON.parse(row.instances as string) as string[],
    reason: row.reason as string,
    by: { aadObjectId: row.by_id as string, name: row.by_name as string },
    at: new Date(row.at as number),
  };
}

/** The SQLite implementation of {@link SanctionStore}. */
export class SqliteSanctions implements SanctionStore {
  constructor(private readonly db: Pick<SqliteParts, 'sql' | 'write' | 'now'>) {}

  private sanction(tenant: string, toolId: string): Sanction | undefined {
    const row = this.db.sql('SELECT * FROM sanctions WHERE tenant = ? AND tool_id = ?').get(tenant, toolId) as Row | undefined;
    return row && sanctionFrom(row);
  }

  async setSanction(sanction: NewSanction): Promise<{ readonly record: Sanction; readonly replaced?: Sanction }> {
    checkNewSanction(sanction);
    return this.db.write(() => {
      const replaced = this.sanction(sanction.tenant, sanction.toolId);
      this.db
        .sql(
          `INSERT INTO sanctions (tenant, tool_id, instances, reason, by_id, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (tenant, tool_id) DO UPDATE SET instances = excluded.instances, reason = excluded.reason,
             by_id = excluded.by_id, by_name = excluded.by_name, at = excluded.at`,
        )
        .run(sanction.tenant, sanction.toolId, JSON.stringify(sanction.instances), sanction.reason, sanction.by.aadObjectId, sanction.by.name, this.db.now());
      const record = this.sanction(sanction.tenant, sanction.toolId)!;
      return replaced ? { record, replaced } : { record };
    });
  }

  async getSanction(tenant: string, toolId: string): Promise<Sanction | undefined> {
    return this.sanction(tenant, toolId);
  }

  async listSanctions(tenant: string): Promise<Sanction[]> {
    return (this.db.sql('SELECT * FROM sanctions WHERE tenant = ? ORDER BY tool_id').all(tenant) as Row[]).map(sanctionFrom);
  }

  async removeSanction(tenant: string, toolId: string): Promise<Sanction | undefined> {
    return this.db.write(() => {
      const removed = this.sanction(tenant, toolId);
      if (removed) this.db.sql('DELETE FROM sanctions WHERE tenant = ? AND tool_id = ?').run(tenant, toolId);
      return removed;
    });
  }
}
