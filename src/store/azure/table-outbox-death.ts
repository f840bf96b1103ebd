/**
 * When an outbox item dies in the Azure Table Storage store: the write that marks it `dead` and, if
 * it was its incident's opening post and the incident is left without a thread root or another
 * opening post on its way, the write that makes the incident's oldest pending reply its opening post
 * (re-rooting). Both rows and the incident are in the team's partition: the writes are one entity
 * group transaction, guarded by the ETags read, so a race with an escalation or a completion makes
 * it fail with 412 and the caller reads again.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { readEntity, type Entity, type Stored } from './table-entities';

const OUTBOX = 'outbox|';
const LIVE = new Set(['pending', 'sending']);

/** The row key of an incident. */
export const incidentRowKey = (number: number): string => `incident|${String(number).padStart(10, '0')}`;

async function itemsOf(triage: TableClient, partitionKey: string, incidentNumber: number): Promise<Stored[]> {
  const found: Stored[] = [];
  const filter = `${odata`PartitionKey eq ${partitionKey} and incidentNumber eq ${incidentNumber}`} and ${odata`RowKey ge ${OUTBOX} and RowKey lt ${'outbox}'}`}`;
  for await (const entity of triage.listEntities<Entity>({ queryOptions: { filter } })) found.push(entity);
  return found;
}

/**
 * True when the incident has no thread root and none of its opening posts (other than `except`) is
 * pending or sending; with the incident read, for an ETag guard.
 */
export async function rootlessIncident(
  triage: TableClient,
  partitionKey: string,
  incidentNumber: number,
  except?: string,
): Promise<{ readonly rootless: boolean; readonly incident?: Stored; readonly items: Stored[] }> {
  const incident = await readEntity(triage, partitionKey, incidentRowKey(incidentNumber));
  if (!incident || typeof incident.threadRoot === 'string') return { rootless: false, items: [] };
  const items = await itemsOf(triage, partitionKey, incidentNumber);
  const opening = items.some((item) => item.rowKey !== except && item.kind === 'new-thread' && LIVE.has(item.status as string));
  return { rootless: !opening, incident, items };
}

/** The writes that mark `row` dead (with `update`'s properties) and re-root its incident if it needs it. */
export async function deathActions(triage: TableClient, row: Stored, update: Entity): Promise<TransactionAction[]> {
  const partitionKey = row.partitionKey!;
  const actions: TransactionAction[] = [['update', { partitionKey, rowKey: row.rowKey!, ...update, status: 'dead', leaseToken: null }, 'Merge', { etag: row.etag }]];
  if (row.kind !== 'new-thread' || typeof row.incidentNumber !== 'number') return actions;
  const { rootless, incident, items } = await rootlessIncident(triage, partitionKey, row.incidentNumber, row.rowKey);
  if (!rootless || !incident) return actions;
  const next = items
    .filter((item) => item.kind === 'reply' && item.status === 'pending')
    .sort((a, b) => (a.createdAt as Date).getTime() - (b.createdAt as Date).getTime() || (String(a.id) < String(b.id) ? -1 : 1))[0];
  if (!next) return actions;
  actions.push(['update', { partitionKey, rowKey: next.rowKey!, kind: 'new-thread' }, 'Merge', { etag: next.etag }]);
  actions.push(['update', { partitionKey, rowKey: incident.rowKey!, status: incident.status }, 'Merge', { etag: incident.etag }]);
  return actions;
}
