/**
 * Escalations in the SQLite store (`SqliteStore` delegates to this): the counter bump, the new
 * incident, the escalation and its outbox items (the post, and the Sentinel call if asked) are one
 * immediate transaction — all or nothing, once per key.
 */
import { idFromKey } from '../ids';
import type { Escalation, EscalationResult, EscalationStore, Incident, NewEscalation } from '../store';
import { StoreError } from '../store-error';
import { sentinelKey } from '../outbox-keys';
import { checkIncidentNumber, checkKey, isRowKey } from '../validate';
import { DONE_FINDINGS } from './sqlite-hunts';
import { incidentFrom } from './sqlite-incidents';
import { OUTBOX_SELECT, outboxFrom } from './sqlite-outbox';
import type { SqliteParts } from './sqlite-parts';
import { actor, json, num, str, type Row } from './sqlite-rows';

function escalationFrom(row: Row): Escalation {
  return {
    id: str(row, 'id'),
    key: str(row, 'key'),
    team: str(row, 'team'),
    huntId: str(row, 'hunt_id'),
    rowKey: str(row, 'row_key'),
    incidentNumber: num(row, 'incident_number'),
    note: str(row, 'note'),
    by: actor(row, 'by'),
    at: new Date(num(row, 'at')),
    outboxId: str(row, 'outbox_id'),
  };
}

/** The SQLite implementation of {@link EscalationStore}. */
export class SqliteEscalations implements EscalationStore {
  constructor(private readonly db: Pick<SqliteParts, 'sql' | 'write' | 'now' | 'get' | 'all' | 'insertOutbox' | 'rootless'>) {}

  async escalate(escalation: NewEscalation): Promise<EscalationResult> {
    checkKey('escalation key', escalation.key);
    checkKey('team', escalation.team);
    if (escalation.incident.kind === 'existing') checkIncidentNumber(escalation.incident.number);
    const { team } = escalation;
    return this.db.write(() => {
      const existing = this.db.get('SELECT * FROM escalations WHERE team = ? AND key = ?', escalationFrom, team, escalation.key);
      if (existing) return this.escalationResult(existing, false);
      if (!isRowKey(escalation.rowKey) || !this.db.sql(`SELECT 1 FROM ${DONE_FINDINGS} AND f.row_key = ?`).get(escalation.huntId, escalation.rowKey)) {
        throw new StoreError('not-found', 'no such finding');
      }
      const at = this.db.now();
      let incident: Incident;
      if (escalation.incident.kind === 'new') {
        const counter = this.db.sql(
            `INSERT INTO incident_counters (team, last_number) VALUES (?, 1)
             ON CONFLICT (team) DO UPDATE SET last_number = last_number + 1 RETURNING last_number`,
          )
          .get(team) as Row;
        const number = num(counter, 'last_number');
        this.db.sql(
            `INSERT INTO incidents (team, number, title, status, channel, created_by_id, created_by_name, created_at)
             VALUES (?, ?, ?, 'open', ?, ?, ?, ?)`,
          )
          .run(team, number, escalation.incident.title, json(escalation.incident.channel), escalation.by.aadObjectId, escalation.by.name, at);
        incident = this.db.get('SELECT * FROM incidents WHERE team = ? AND number = ?', incidentFrom, team, number)!;
      } else {
        const found = this.db.get('SELECT * FROM incidents WHERE team = ? AND number = ?', incidentFrom, team, escalation.incident.number);
        if (!found) throw new StoreError('not-found', `no incident ${escalation.incident.number}`);
        if (found.status !== 'open') throw new StoreError('conflict', `incident ${found.number} is closed`);
        incident = found;
      }
      const id = idFromKey('escalation', `${team}\0${escalation.key}`);
      const kind = escalation.incident.kind === 'new' || this.db.rootless(team, incident.number) ? 'new-thread' : 'reply';
      const message = escalation.message({ incident, escalationId: id, kind, at: new Date(at) });
      const outboxId = idFromKey('escalation-outbox', `${team}\0${escalation.key}`);
      this.db.insertOutbox(outboxId, { key: `escalation:${escalation.key}`, team, kind, incidentNumber: incident.number, ...message }, at);
      if (escalation.sentinel) {
        const key = sentinelKey(escalation.key);
        const call = escalation.sentinel({ incident, escalationId: id, kind, at: new Date(at) });
        this.db.insertOutbox(idFromKey('outbox', `${team}\0${key}`), { key, team, kind: 'sentinel', incidentNumber: incident.number, ...call }, at);
      }
      this.db.sql(
          `INSERT INTO escalations (id, team, key, hunt_id, row_key, incident_number, note, by_id, by_name, at, outbox_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, team, escalation.key, escalation.huntId, escalation.rowKey, incident.number, escalation.note, escalation.by.aadObjectId, escalation.by.name, at, outboxId);
      return this.escalationResult(this.db.get('SELECT * FROM escalations WHERE id = ?', escalationFrom, id)!, true);
    });
  }

  private escalationResult(escalation: Escalation, created: boolean): EscalationResult {
    const sentinel = this.db.get(`${OUTBOX_SELECT} WHERE o.team = ? AND o.key = ?`, outboxFrom, escalation.team, sentinelKey(escalation.key));
    return {
      record: escalation,
      created,
      incident: this.db.get('SELECT * FROM incidents WHERE team = ? AND number = ?', incidentFrom, escalation.team, escalation.incidentNumber)!,
      outbox: this.db.get(`${OUTBOX_SELECT} WHERE o.id = ?`, outboxFrom, escalation.outboxId)!,
      ...(sentinel && { sentinel }),
    };
  }

  async listEscalations(
    filter: { readonly huntId: string } | { readonly team: string; readonly incidentNumber: number },
  ): Promise<Escalation[]> {
    if ('huntId' in filter) return this.db.all('SELECT * FROM escalations WHERE hunt_id = ? ORDER BY seq', escalationFrom, filter.huntId);
    return this.db.all('SELECT * FROM escalations WHERE team = ? AND incident_number = ? ORDER BY seq', escalationFrom, filter.team, filter.incidentNumber);
  }
}
