/**
 * Hunts and their findings in the Azure Table Storage store (`TableStore` delegates to this): a hunt
 * is the `hunt` entity of its own partition of the hunts table, its findings `finding|<row key>`
 * entities beside it. Findings are written before the header's ETag-conditional update to `done`,
 * so whoever reads `done` reads every finding; a hunt that stopped running meanwhile loses them again.
 */
import { odata, type TransactionAction } from '@azure/data-tables';
import { newHuntId } from '../ids';
import type { FindingRange, Hunt, HuntOutcome, HuntStore, NewHunt, StoredFinding } from '../store';
import { StoreError } from '../store-error';
import { checkFindings, checkNewHunt, isHuntId, isRowKey } from '../validate';
import { getJson, getText, putJson, putText } from './entity-text';
import { isNotFound, withRetries } from './optimistic';
import {
  actorOf,
  byTimeThenId,
  insertEntity,
  int,
  n,
  optDate,
  optS,
  putActor,
  queryEntities,
  quote,
  readEntity,
  rowPrefix,
  s,
  time,
  type Entity,
  type Keyed,
} from './table-entities';
import type { TableParts } from './table-parts';

/** The row key of a hunt's header. */
export const HUNT = 'hunt';
/** The row-key prefix of a hunt's findings. */
export const FINDING = 'finding|';
const BATCH = 100;

function huntFrom(e: Entity): Hunt {
  const device = optS(e, 'device');
  const instanceId = optS(e, 'instanceId');
  const messageId = optS(e, 'messageId');
  const error = optS(e, 'error');
  const finishedAt = optDate(e, 'finishedAt');
  const originTenant = optS(e, 'originTenant');
  return {
    id: s(e, 'partitionKey'),
    request: { toolId: s(e, 'toolId'), windowMs: int(e, 'windowMs'), kind: s(e, 'kind') as Hunt['request']['kind'], ...(device !== undefined && { device }) },
    kql: getText(e, 'kql')!,
    source: s(e, 'source'),
    conversation: getJson(e, 'conversation'),
    requestedBy: actorOf(e, 'requestedBy'),
    ...(instanceId !== undefined && { instanceId }),
    ...(originTenant !== undefined && { origin: { tenant: originTenant, conversationId: getText(e, 'originConversation')! } }),
    status: s(e, 'status') as Hunt['status'],
    ...(messageId !== undefined && { messageId }),
    ...(error !== undefined && { error }),
    findingCount: n(e, 'findingCount'),
    hiddenCount: n(e, 'hiddenCount'),
    ...(getText(e, 'meta') !== undefined && { meta: getJson(e, 'meta') }),
    createdAt: time(e, 'createdAt'),
    ...(finishedAt !== undefined && { finishedAt }),
  };
}

function findingFrom(e: Entity): StoredFinding {
  return {
    rowKey: s(e, 'findingKey'),
    deviceId: s(e, 'deviceId'),
    deviceName: s(e, 'deviceName'),
    firstSeen: time(e, 'firstSeen'),
    lastSeen: time(e, 'lastSeen'),
    count: int(e, 'count'),
    reportIds: getJson(e, 'reportIds') as string[],
    ...(e.reportCount !== undefined && e.reportCount !== null && { reportCount: int(e, 'reportCount') }),
    toolId: s(e, 'toolId'),
  };
}

/** The Azure Table Storage implementation of {@link HuntStore}. */
export class TableHunts implements HuntStore {
  constructor(private readonly parts: Pick<TableParts, 'hunts' | 'now'>) {}

  async createHunt(hunt: NewHunt): Promise<Hunt> {
    checkNewHunt(hunt);
    for (;;) {
      const entity: Keyed = {
        partitionKey: newHuntId(),
        rowKey: HUNT,
        toolId: hunt.request.toolId,
        windowMs: BigInt(hunt.request.windowMs),
        kind: hunt.request.kind,
        source: hunt.source,
        status: 'running',
        findingCount: 0,
        hiddenCount: 0,
        createdAt: new Date(this.parts.now()),
      };
      if (hunt.request.device !== undefined) entity.device = hunt.request.device;
      if (hunt.instanceId !== undefined) entity.instanceId = hunt.instanceId;
      if (hunt.origin !== undefined) {
        entity.originTenant = hunt.origin.tenant;
        putText(entity, 'originConversation', hunt.origin.conversationId);
      }
      putText(entity, 'kql', hunt.kql);
      putJson(entity, 'conversation', hunt.conversation);
      putActor(entity, 'requestedBy', hunt.requestedBy);
      if (await insertEntity(this.parts.hunts, entity)) return huntFrom(entity);
    }
  }

  async setHuntMessage(huntId: string, messageId: string): Promise<void> {
    if (!isHuntId(huntId)) throw new StoreError('not-found', 'no such hunt');
    try {
      await this.parts.hunts.updateEntity({ partitionKey: huntId, rowKey: HUNT, messageId }, 'Merge');
    } catch (error) {
      if (isNotFound(error)) throw new StoreError('not-found', 'no such hunt');
      throw error;
    }
  }

  async finishHunt(huntId: string, outcome: HuntOutcome): Promise<boolean> {
    const findings = outcome.status === 'done' ? outcome.findings : [];
    checkFindings(findings);
    if (!isHuntId(huntId)) throw new StoreError('not-found', 'no such hunt');
    let written = false;
    const ended = await withRetries('finish hunt', async () => {
      const header = await readEntity(this.parts.hunts, huntId, HUNT);
      if (header === undefined) throw new StoreError('not-found', 'no such hunt');
      if (header.status !== 'running') {
        if (written) await this.deleteFindings(huntId);
        return false;
      }
      if (!written) {
        await this.writeFindings(huntId, findings);
        written = true;
      }
      const update: Keyed = {
        partitionKey: huntId,
        rowKey: HUNT,
        status: outcome.status,
        findingCount: findings.length,
        hiddenCount: outcome.status === 'done' ? (outcome.hiddenCount ?? 0) : 0,
        finishedAt: new Date(this.parts.now()),
      };
      if (outcome.status === 'failed') update.error = outcome.error;
      if (outcome.status === 'done' && outcome.meta !== undefined) putJson(update, 'meta', outcome.meta);
      await this.parts.hunts.updateEntity(update, 'Merge', { etag: header.etag });
      return true;
    });
    // A hunt that did not end done keeps no findings: a writer that crashed may have left some.
    if (ended && outcome.status !== 'done') await this.deleteFindings(huntId);
    return ended;
  }

  private async writeFindings(huntId: string, findings: readonly StoredFinding[]): Promise<void> {
    const actions: TransactionAction[] = findings.map((f, ordinal) => {
      const entity: Keyed = {
        partitionKey: huntId,
        rowKey: `${FINDING}${f.rowKey}`,
        findingKey: f.rowKey,
        ordinal,
        deviceId: f.deviceId,
        deviceName: f.deviceName,
        firstSeen: new Date(f.firstSeen.getTime()),
        lastSeen: new Date(f.lastSeen.getTime()),
        count: BigInt(f.count),
        toolId: f.toolId,
      };
      if (f.reportCount !== undefined) entity.reportCount = BigInt(f.reportCount);
      putJson(entity, 'reportIds', f.reportIds);
      return ['upsert', entity, 'Replace'];
    });
    for (let i = 0; i < actions.length; i += BATCH) await this.parts.hunts.submitTransaction(actions.slice(i, i + BATCH));
  }

  private async deleteFindings(huntId: string): Promise<void> {
    const rows = await queryEntities(this.parts.hunts, `PartitionKey eq ${quote(huntId)} and ${rowPrefix(FINDING)}`);
    const actions: TransactionAction[] = rows.map((row) => ['delete', { partitionKey: huntId, rowKey: s(row, 'rowKey') }]);
    for (let i = 0; i < actions.length; i += BATCH) await this.parts.hunts.submitTransaction(actions.slice(i, i + BATCH));
  }

  async getHunt(huntId: string): Promise<Hunt | undefined> {
    if (!isHuntId(huntId)) return undefined;
    const header = await readEntity(this.parts.hunts, huntId, HUNT);
    return header && huntFrom(header);
  }

  async getFinding(huntId: string, rowKey: string): Promise<StoredFinding | undefined> {
    if (!isHuntId(huntId) || !isRowKey(rowKey)) return undefined;
    const [header, finding] = await Promise.all([readEntity(this.parts.hunts, huntId, HUNT), readEntity(this.parts.hunts, huntId, `${FINDING}${rowKey}`)]);
    return header?.status === 'done' && finding ? findingFrom(finding) : undefined;
  }

  async listFindings(huntId: string, range?: FindingRange): Promise<StoredFinding[]> {
    if (!isHuntId(huntId)) return [];
    const header = await readEntity(this.parts.hunts, huntId, HUNT);
    if (header?.status !== 'done') return [];
    let query = `PartitionKey eq ${quote(huntId)} and ${rowPrefix(FINDING)}`;
    if (range) {
      const from = Math.max(0, Math.trunc(range.offset));
      query += odata` and ordinal ge ${from} and ordinal lt ${from + Math.max(0, Math.trunc(range.limit))}`;
    }
    const rows = await queryEntities(this.parts.hunts, query);
    return rows.sort((a, b) => n(a, 'ordinal') - n(b, 'ordinal')).map(findingFrom);
  }

  async listRunningHunts(filter: { readonly instanceId?: string; readonly createdBefore?: Date } = {}): Promise<Hunt[]> {
    let query = odata`RowKey eq ${HUNT} and status eq ${'running'}`;
    if (filter.instanceId !== undefined) query += odata` and instanceId eq ${filter.instanceId}`;
    if (filter.createdBefore !== undefined) query += odata` and createdAt lt ${filter.createdBefore}`;
    return (await queryEntities(this.parts.hunts, query)).map(huntFrom).sort(byTimeThenId((h) => h.createdAt.getTime()));
  }
}
