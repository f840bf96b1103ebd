/**
 * Escalations in the Azure Table Storage store (`TableStore` delegates to this):
 * `escalation|<hash(team, key)>` entities in the team's triage partition. Everything about one
 * team's incidents lives in that partition, so an escalation — counter bump, new incident,
 * escalation, outbox items — is one entity group transaction: all or nothing, with the counter's
 * (or the existing incident's) ETag as the guard, retried on 412.
 */
import { odata, type TransactionAction } from '@azure/data-tables';
import { idFromKey } from '../ids';
import type { Escalation, EscalationResult, EscalationStore, Incident, NewEscalation } from '../store';
import { StoreError } from '../store-error';
import { sentinelKey } from '../outbox-keys';
import { checkIncidentNumber, checkKey } from '../validate';
import { getText, putJson, putText } from './entity-text';
import { withRetries } from './optimistic';
import {
  actorOf,
  byTimeThenId,
  n,
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
import { incidentFrom, isRootless } from './table-incidents';
import { incidentRowKey } from './table-outbox-death';
import { outboxEntity, outboxFrom } from './table-outbox';
import type { TableParts } from './table-parts';

const COUNTER = 'counter';
const ESCALATION = 'escalation|';

function escalationFrom(e: Entity): Escalation {
  return {
    id: s(e, 'id'),
    key: getText(e, 'key')!,
    team: getText(e, 'team')!,
    huntId: s(e, 'huntId'),
    rowKey: s(e, 'findingKey'),
    incidentNumber: n(e, 'incidentNumber'),
    note: getText(e, 'note')!,
    by: actorOf(e, 'by'),
    at: time(e, 'at'),
    outboxId: s(e, 'outboxId'),
  };
}

/** The Azure Table Storage implementation of {@link EscalationStore}. */
export class TableEscalations implements EscalationStore {
  constructor(private readonly parts: Pick<TableParts, 'triage' | 'now' | 'getFinding' | 'getIncident' | 'getOutboxItem'>) {}

  async escalate(escalation: NewEscalation): Promise<EscalationResult> {
    checkKey('escalation key', escalation.key);
    checkKey('team', escalation.team);
    if (escalation.incident.kind === 'existing') checkIncidentNumber(escalation.incident.number);
    const { team } = escalation;
    const partitionKey = teamPartition(team);
    const id = idFromKey('escalation', `${team}\0${escalation.key}`);
    const outboxId = idFromKey('escalation-outbox', `${team}\0${escalation.key}`);
    let findingChecked = false;
    return withRetries('escalate', async () => {
      const existing = await readEntity(this.parts.triage, partitionKey, `${ESCALATION}${id}`);
      if (existing) return this.escalationResult(escalationFrom(existing), false);
      if (!findingChecked) {
        if (!(await this.parts.getFinding(escalation.huntId, escalation.rowKey))) throw new StoreError('not-found', 'no such finding');
        findingChecked = true;
      }
      const at = this.parts.now();
      const actions: TransactionAction[] = [];
      let incident: Incident;
      if (escalation.incident.kind === 'new') {
        const counter = await readEntity(this.parts.triage, partitionKey, COUNTER);
        const number = (counter ? n(counter, 'lastNumber') : 0) + 1;
        actions.push(
          counter
            ? ['update', { partitionKey, rowKey: COUNTER, lastNumber: number }, 'Merge', { etag: counter.etag }]
            : ['create', { partitionKey, rowKey: COUNTER, lastNumber: number }],
        );
        const entity: Keyed = {
          partitionKey,
          rowKey: incidentRowKey(number),
          number,
          status: 'open',
          createdAt: new Date(at),
        };
        putText(entity, 'team', team);
        putText(entity, 'title', escalation.incident.title);
        putJson(entity, 'channel', escalation.incident.channel);
        putActor(entity, 'createdBy', escalation.by);
        actions.push(['create', entity]);
        incident = incidentFrom(entity);
      } else {
        const found = await readEntity(this.parts.triage, partitionKey, incidentRowKey(escalation.incident.number));
        if (!found) throw new StoreError('not-found', `no incident ${escalation.incident.number}`);
        if (found.status !== 'open') throw new StoreError('conflict', `incident ${escalation.incident.number} is closed`);
        // Guards against the incident being closed meanwhile: the batch fails with 412 and we re-read.
        actions.push(['update', { partitionKey, rowKey: found.rowKey!, status: 'open' }, 'Merge', { etag: found.etag }]);
        incident = incidentFrom(found);
      }
      const kind = escalation.incident.kind === 'new' || (await isRootless(this.parts.triage, partitionKey, incident)) ? 'new-thread' : 'reply';
      const message = escalation.message({ incident, escalationId: id, kind, at: new Date(at) });
      const item = outboxEntity(outboxId, { key: `escalation:${escalation.key}`, team, kind, incidentNumber: incident.number, ...message }, at);
      actions.push(['create', item]);
      let sentinel: (Keyed) | undefined;
      if (escalation.sentinel) {
        const key = sentinelKey(escalation.key);
        const call = escalation.sentinel({ incident, escalationId: id, kind, at: new Date(at) });
        sentinel = outboxEntity(idFromKey('outbox', `${team}\0${key}`), { key, team, kind: 'sentinel', incidentNumber: incident.number, ...call }, at);
        actions.push(['create', sentinel]);
      }
      const record: Keyed = {
        partitionKey,
        rowKey: `${ESCALATION}${id}`,
        id,
        huntId: escalation.huntId,
        findingKey: escalation.rowKey,
        incidentNumber: incident.number,
        at: new Date(at),
        outboxId,
      };
      putText(record, 'key', escalation.key);
      putText(record, 'team', team);
      putText(record, 'note', escalation.note);
      putActor(record, 'by', escalation.by);
      actions.push(['create', record]);
      await this.parts.triage.submitTransaction(actions);
      return {
        record: escalationFrom(record),
        created: true,
        incident,
        outbox: outboxFrom(item, incident.threadRootActivityId),
        ...(sentinel && { sentinel: outboxFrom(sentinel, incident.threadRootActivityId) }),
      };
    });
  }


  private async escalationResult(escalation: Escalation, created: boolean): Promise<EscalationResult> {
    const incident = (await this.parts.getIncident(escalation.team, escalation.incidentNumber))!;
    const outbox = (await this.parts.getOutboxItem(escalation.team, escalation.outboxId))!;
    const sentinel = await this.parts.getOutboxItem(escalation.team, idFromKey('outbox', `${escalation.team}\0${sentinelKey(escalation.key)}`));
    return { record: escalation, created, incident, outbox, ...(sentinel && { sentinel }) };
  }

  async listEscalations(
    filter: { readonly huntId: string } | { readonly team: string; readonly incidentNumber: number },
  ): Promise<Escalation[]> {
    const query =
      'huntId' in filter
        ? `${rowPrefix(ESCALATION)} and ${odata`huntId eq ${filter.huntId}`}`
        : `${odata`PartitionKey eq ${teamPartition(filter.team)} and incidentNumber eq ${filter.incidentNumber}`} and ${rowPrefix(ESCALATION)}`;
    return (await queryEntities(this.parts.triage, query)).map(escalationFrom).sort(byTimeThenId((x) => x.at.getTime()));
  }
}
