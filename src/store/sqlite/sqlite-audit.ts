/**
 * The audit trail in the SQLite store (`SqliteStore` delegates to this): one row per entry; a counted
 * entry is one row per count key, counted up in an immediate transaction.
 */
import { newToken } from '../ids';
import type { AuditEntry, AuditStore, NewAuditEntry, NewCountedAuditEntry } from '../store';
import { checkAuditEntry, checkCountedAuditEntry, clampLimit } from '../validate';
import type { SqliteParts } from './sqlite-parts';
import { actor, json, num, optDate, optStr, parse, str, type Row } from './sqlite-rows';

function auditFrom(row: Row): AuditEntry {
  const tenant = optStr(row, 'tenant');
  const lastAt = optDate(row, 'last_at');
  return {
    id: str(row, 'id'),
    ...(tenant !== undefined && { tenant }),
    at: new Date(num(row, 'at')),
    ...(row.count !== null && { count: num(row, 'count') }),
    ...(lastAt !== undefined && { lastAt }),
    actor: actor(row, 'actor'),
    conversationId: str(row, 'conversation_id'),
    action: str(row, 'action'),
    details: parse(row, 'details'),
    outcome: str(row, 'outcome') as AuditEntry['outcome'],
  };
}

/** The SQLite implementation of {@link AuditStore}. */
export class SqliteAudit implements AuditStore {
  constructor(private readonly db: Pick<SqliteParts, 'sql' | 'write' | 'now' | 'get' | 'all'>) {}

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    checkAuditEntry(entry);
    const id = newToken();
    this.insertAudit(id, entry, null);
    return this.db.get('SELECT * FROM audit WHERE id = ?', auditFrom, id)!;
  }

  private insertAudit(id: string, entry: NewAuditEntry, countKey: string | null): void {
    const at = this.db.now();
    this.db.sql(
        `INSERT INTO audit (id, at, actor_id, actor_name, conversation_id, action, details, outcome, tenant, count_key, count, last_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id, at, entry.actor.aadObjectId, entry.actor.name, entry.conversationId, entry.action, json(entry.details), entry.outcome,
        entry.tenant ?? null, countKey, countKey === null ? null : 1, countKey === null ? null : at,
      );
  }

  async countAudit(entry: NewCountedAuditEntry): Promise<AuditEntry> {
    checkCountedAuditEntry(entry);
    return this.db.write(() => {
      const existing = this.db.sql('SELECT id FROM audit WHERE count_key = ?').get(entry.key) as Row | undefined;
      const id = existing ? str(existing, 'id') : newToken();
      if (existing) this.db.sql('UPDATE audit SET count = count + 1, last_at = ? WHERE id = ?').run(this.db.now(), id);
      else this.insertAudit(id, entry, entry.key);
      return this.db.get('SELECT * FROM audit WHERE id = ?', auditFrom, id)!;
    });
  }

  async listAudit(options: { readonly limit?: number; readonly tenant?: string } = {}): Promise<AuditEntry[]> {
    return this.db.all(
      'SELECT * FROM audit WHERE @tenant IS NULL OR tenant IS NULL OR tenant = @tenant ORDER BY seq DESC LIMIT @limit',
      auditFrom,
      { tenant: options.tenant ?? null, limit: clampLimit(options.limit, 20, 1000) },
    );
  }
}
