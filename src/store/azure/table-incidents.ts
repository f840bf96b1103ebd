/**
 * Incidents and the incident channel setting in the Azure Table Storage store (`TableStore`
 * delegates to this): `incident|<number, 10 digits>` and `channel` entities in the team's triage
 * partition. Closing an incident and enqueuing its follow-ups is one entity group transaction
 * guarded by the incident's ETag; the thread root is set once (the first value wins).
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { idFromKey } from '../ids';
import type { Actor, Incident, IncidentChannel, IncidentClose, IncidentStore, OpaqueJson } from '../store';
import { StoreError } from '../store-error';
import { enqueuedFollowUps } from '../close-follow-ups';
import { closeKey } from '../outbox-keys';
import { checkFollowUps, checkIncidentClose, checkIncidentNumber, checkKey } from '../validate';
import { getJson, getText, putJson, putText } from './entity-text';
import { withRetries } from './optimistic';
import {
  actorOf,
  n,
  optActor,
  optDate,
  optS,
  putActor,
  queryEntities,
  readEntity,
  rowPrefix,
  s,
  teamPartition,
  time,
  type Entity,
  type Keyed,
} from './table-entities';
import { incidentRowKey, rootlessIncident } from './table-outbox-death';
import { outboxEntity } from './table-outbox';
import type { TableParts } from './table-parts';

const CHANNEL = 'channel';
const INCIDENT = 'incident|';

/** An incident from its entity. */
export function incidentFrom(e: Entity): Incident {
  const threadRootActivityId = optS(e, 'threadRoot');
  const closedBy = optActor(e, 'closedBy');
  const closedAt = optDate(e, 'closedAt');
  const closeReason = getText(e, 'closeReason');
  const closeNote = getText(e, 'closeNote');
  return {
    team: getText(e, 'team')!,
    number: n(e, 'number'),
    title: getText(e, 'title')!,
    status: s(e, 'status') as Incident['status'],
    channel: getJson(e, 'channel'),
    ...(threadRootActivityId !== undefined && { threadRootActivityId }),
    createdBy: actorOf(e, 'createdBy'),
    createdAt: time(e, 'createdAt'),
    ...(closedBy !== undefined && { closedBy }),
    ...(closedAt !== undefined && { closedAt }),
    ...(closeReason !== undefined && { closeReason }),
    ...(closeNote !== undefined && { closeNote }),
  };
}

function channelFrom(e: Entity): IncidentChannel {
  return { team: getText(e, 'team')!, conversation: getJson(e, 'conversation'), setBy: actorOf(e, 'setBy'), setAt: time(e, 'setAt') };
}

/** True when the incident has no thread root and no opening post still on its way. */
export async function isRootless(triage: TableClient, partitionKey: string, incident: Incident): Promise<boolean> {
  return incident.threadRootActivityId === undefined && (await rootlessIncident(triage, partitionKey, incident.number)).rootless;
}

/** The Azure Table Storage implementation of {@link IncidentStore}. */
export class TableIncidents implements IncidentStore {
  constructor(private readonly parts: Pick<TableParts, 'triage' | 'now'>) {}

  async getIncident(team: string, number: number): Promise<Incident | undefined> {
    if (!Number.isSafeInteger(number) || number < 1) return undefined;
    const entity = await readEntity(this.parts.triage, teamPartition(team), incidentRowKey(number));
    return entity && incidentFrom(entity);
  }

  async listOpenIncidents(team: string): Promise<Incident[]> {
    const rows = await queryEntities(this.parts.triage, odata`PartitionKey eq ${teamPartition(team)} and status eq ${'open'} and ` + rowPrefix(INCIDENT));
    return rows.map(incidentFrom).sort((a, b) => a.number - b.number);
  }

  async closeIncident(team: string, number: number, closedBy: Actor, close?: IncidentClose): Promise<boolean> {
    checkIncidentNumber(number);
    checkIncidentClose(close);
    const partitionKey = teamPartition(team);
    return withRetries('close incident', async () => {
      const entity = await readEntity(this.parts.triage, partitionKey, incidentRowKey(number));
      if (entity === undefined) throw new StoreError('not-found', `no incident ${number}`);
      if (entity.status !== 'open') return false;
      const at = this.parts.now();
      const update: Keyed = { partitionKey, rowKey: incidentRowKey(number), status: 'closed', closedAt: new Date(at) };
      putActor(update, 'closedBy', closedBy);
      if (close) putText(update, 'closeReason', close.reason);
      if (close?.note !== undefined) putText(update, 'closeNote', close.note);
      const messages = close?.messages?.(incidentFrom({ ...entity, ...update })) ?? [];
      checkFollowUps(messages);
      const rootless = messages.length > 0 && (await isRootless(this.parts.triage, partitionKey, incidentFrom(entity)));
      const actions: TransactionAction[] = [['update', update, 'Merge', { etag: entity.etag }]];
      enqueuedFollowUps(messages, rootless).forEach((message, index) => {
        const key = closeKey(number, index);
        actions.push(['create', outboxEntity(idFromKey('outbox', `${team}\0${key}`), { ...message, key, team, incidentNumber: number }, at)]);
      });
      await this.parts.triage.submitTransaction(actions);
      return true;
    });
  }

  async setIncidentThreadRoot(team: string, number: number, activityId: string): Promise<string> {
    checkIncidentNumber(number);
    return withRetries('set thread root', async () => {
      const entity = await readEntity(this.parts.triage, teamPartition(team), incidentRowKey(number));
      if (entity === undefined) throw new StoreError('not-found', `no incident ${number}`);
      if (typeof entity.threadRoot === 'string') return entity.threadRoot;
      await this.parts.triage.updateEntity({ partitionKey: teamPartition(team), rowKey: incidentRowKey(number), threadRoot: activityId }, 'Merge', { etag: entity.etag });
      return activityId;
    });
  }

  async setIncidentChannel(channel: { readonly team: string; readonly conversation: OpaqueJson; readonly setBy: Actor }): Promise<IncidentChannel> {
    checkKey('team', channel.team);
    const entity: Keyed = {
      partitionKey: teamPartition(channel.team),
      rowKey: CHANNEL,
      setAt: new Date(this.parts.now()),
    };
    putText(entity, 'team', channel.team);
    putJson(entity, 'conversation', channel.conversation);
    putActor(entity, 'setBy', channel.setBy);
    await this.parts.triage.upsertEntity(entity, 'Replace');
    return channelFrom(entity);
  }

  async getIncidentChannel(team: string): Promise<IncidentChannel | undefined> {
    const entity = await readEntity(this.parts.triage, teamPartition(team), CHANNEL);
    return entity && channelFrom(entity);
  }
}
