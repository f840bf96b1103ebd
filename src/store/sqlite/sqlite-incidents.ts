/**
 * Incidents and the incident channel setting in the SQLite store (`SqliteStore` delegates to this).
 * Closing an incident enqueues its follow-up messages in the same immediate transaction; the thread
 * root is set once (the first value wins).
 */
import { idFromKey } from '../ids';
import type { Actor, Incident, IncidentChannel, IncidentClose, IncidentStore, OpaqueJson } from '../store';
import { StoreError } from '../store-error';
import { enqueuedFollowUps } from '../close-follow-ups';
import { closeKey } from '../outbox-keys';
import { checkFollowUps, checkIncidentClose, checkKey } from '../validate';
import type { SqliteParts } from './sqlite-parts';
import { actor, json, num, optActor, optDate, optStr, parse, str, type Row } from './sqlite-rows';

/** An incident from its row. */
export function incidentFrom(row: Row): Incident {
  const threadRootActivityId = optStr(row, 'thread_root');
  const closedBy = optActor(row, 'closed_by');
  const closedAt = optDate(row, 'closed_at');
  const closeReason = optStr(row, 'close_reason');
  const closeNote = optStr(row, 'close_note');
  return {
    team: str(row, 'team'),
    number: num(row, 'number'),
    title: str(row, 'title'),
    status: str(row, 'status') as Incident['status'],
    channel: parse(row, 'channel'),
    ...(threadRootActivityId !== undefined && { threadRootActivityId }),
    createdBy: actor(row, 'created_by'),
    createdAt: new Date(num(row, 'created_at')),
    ...(closedBy !== undefined && { closedBy }),
    ...(closedAt !== undefined && { closedAt }),
    ...(closeReason !== undefined && { closeReason }),
    ...(closeNote !== undefined && { closeNote }),
  };
}

/** The SQLite implementation of {@link IncidentStore}. */
export class SqliteIncidents implements IncidentStore {
  constructor(private readonly db: Pick<SqliteParts, 'sql' | 'write' | 'now' | 'get' | 'all' | 'insertOutbox' | 'rootless'>) {}

  async getIncident(team: string, number: number): Promise<Incident | undefined> {
    return this.db.get('SELECT * FROM incidents WHERE team = ? AND number = ?', incidentFrom, team, number);
  }

  async listOpenIncidents(team: string): Promise<Incident[]> {
    return this.db.all(`SELECT * FROM incidents WHERE team = ? AND status = 'open' ORDER BY number`, incidentFrom, team);
  }

  async closeIncident(team: string, number: number, closedBy: Actor, close?: IncidentClose): Promise<boolean> {
    checkIncidentClose(close);
    return this.db.write(() => {
      const at = this.db.now();
      const result = this.db.sql(
          `UPDATE incidents SET status = 'closed', closed_by_id = ?, closed_by_name = ?, closed_at = ?, close_reason = ?, close_note = ?
           WHERE team = ? AND number = ? AND status = 'open'`,
        )
        .run(closedBy.aadObjectId, closedBy.name, at, close?.reason ?? null, close?.note ?? null, team, number);
      if (result.changes === 0) {
        if (!this.db.sql('SELECT 1 FROM incidents WHERE team = ? AND number = ?').get(team, number)) throw new StoreError('not-found', `no incident ${number}`);
        return false;
      }
      const messages = close?.messages?.(this.db.get('SELECT * FROM incidents WHERE team = ? AND number = ?', incidentFrom, team, number)!) ?? [];
      checkFollowUps(messages);
      enqueuedFollowUps(messages, this.db.rootless(team, number)).forEach((message, index) => {
        const key = closeKey(number, index);
        this.db.insertOutbox(idFromKey('outbox', `${team}\0${key}`), { ...message, key, team, incidentNumber: number }, at);
      });
      return true;
    });
  }

  async setIncidentThreadRoot(team: string, number: number, activityId: string): Promise<string> {
    return this.db.write(() => this.setThreadRoot(team, number, activityId));
  }

  /** Records the thread root unless it has one (inside a transaction); returns the one in force. */
  setThreadRoot(team: string, number: number, activityId: string): string {
    this.db.sql('UPDATE incidents SET thread_root = ? WHERE team = ? AND number = ? AND thread_root IS NULL').run(activityId, team, number);
    const row = this.db.sql('SELECT thread_root FROM incidents WHERE team = ? AND number = ?').get(team, number) as Row | undefined;
    if (row === undefined) throw new StoreError('not-found', `no incident ${number}`);
    return str(row, 'thread_root');
  }

  async setIncidentChannel(channel: { readonly team: string; readonly conversation: OpaqueJson; readonly setBy: Actor }): Promise<IncidentChannel> {
    checkKey('team', channel.team);
    const setAt = this.db.now();
    this.db.sql(
        `INSERT INTO incident_channels (team, conversation, set_by_id, set_by_name, set_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (team) DO UPDATE SET conversation = excluded.conversation, set_by_id = excluded.set_by_id,
           set_by_name = excluded.set_by_name, set_at = excluded.set_at`,
      )
      .run(channel.team, json(channel.conversation), channel.setBy.aadObjectId, channel.setBy.name, setAt);
    return (await this.getIncidentChannel(channel.team))!;
  }

  async getIncidentChannel(team: string): Promise<IncidentChannel | undefined> {
    return this.db.get('SELECT * FROM incident_channels WHERE team = ?', (row) => ({
      team: str(row, 'team'),
      conversation: parse(row, 'conversation'),
      setBy: actor(row, 'set_by'),
      setAt: new Date(num(row, 'set_at')),
    }), team);
  }
}
