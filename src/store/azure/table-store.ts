/**
 * The scale-out store: Azure Table Storage through `@azure/data-tables`, shared by several bot
 * instances.
 *
 * Layout (tables are `<prefix>hunts`, `<prefix>exclusions`, `<prefix>triage`, `<prefix>audit`,
 * `<prefix>refs`; caller-chosen strings never become keys directly, they are hashed):
 *
 * | table      | PartitionKey                | RowKey                                  | what |
 * |------------|-----------------------------|-----------------------------------------|------|
 * | hunts      | hunt id                     | `hunt`                                  | the hunt |
 * | hunts      | hunt id                     | `finding|<row key>`                     | one finding |
 * | exclusions | `exclusion`                 | id = hash(key)                          | one exclusion |
 * | exclusions | `mirrored`                  | hash(exclusion id)                      | its item is in the Sentinel watchlist |
 * | triage     | `team-<hash(team)>`         | `counter`                               | last incident number |
 * | triage     | 〃                          | `channel`                               | the incident channel |
 * | triage     | 〃                          | `incident|<number, 10 digits>`          | one incident |
 * | triage     | 〃                          | `escalation|<hash(team, key)>`          | one escalation |
 * | triage     | 〃                          | `outbox|<hash(team, key)>`              | one outbox item |
 * | audit      | `audit`                     | `<inverted time>|<inverted seq>|<rand>` | newest first |
 * | refs       | —                           | —                                       | empty: the health check's round trip |
 *
 * Everything about one team's incidents lives in one partition, so an escalation — counter bump,
 * new incident, escalation, outbox item — is one entity group transaction: all or nothing, with the
 * counter's ETag as the guard. Idempotent inserts use deterministic row keys (a second insert gets
 * 409); read-modify-writes (claims, removals, closing) are ETag-conditional and retried on 412.
 *
 * Types are explicit wherever the service would otherwise infer: times are Edm.DateTime (JS `Date`,
 * filtered with `datetime'…'` literals), numbers that may exceed Int32 (window, event count) are
 * Edm.Int64 (JS `BigInt`); an untyped JSON number or filter literal is taken as Int32 by the service.
 * Long text is split over several properties (`entity-text.ts`).
 *
 * Queries that are not point reads scan one table with a filter: running hunts and purging (the hunts
 * table: every hunt and finding of the retention period, `HUNT_RETENTION`, 90 days by default, once
 * the retention job purges it; every one ever recorded if it does not run), due outbox items or
 * escalations of a hunt (the triage table, small), and old audit entries (a row-key range: the
 * audit partition sorts newest first).
 *
 * Watches and sanctions (in the triage table, and a `<prefix>watchseen` table) are laid out in
 * `table-watches.ts` and `table-sanctions.ts`, the exclusion mirror's ledger in `table-mirror-ledger.ts`.
 */
import { odata, TableClient, type TableEntityResult, type TransactionAction } from '@azure/data-tables';
import { idFromKey, newHuntId, newToken } from '../ids';
import { backoffMs, resolveOutboxPolicy } from '../outbox-policy';
import type {
  Actor,
  AuditEntry,
  ClaimedOutboxItem,
  ClaimedWatch,
  Created,
  Escalation,
  EscalationResult,
  Exclusion,
  Hunt,
  HuntOutcome,
  Incident,
  IncidentChannel,
  IncidentClose,
  NewAuditEntry,
  NewEscalation,
  NewExclusion,
  NewHunt,
  NewOutboxItem,
  NewSanction,
  NewWatch,
  NewWatchSighting,
  OpaqueJson,
  OutboxItem,
  OutboxKind,
  OutboxLease,
  OutboxMessage,
  OutboxPolicy,
  OutboxStatus,
  PurgeCutoffs,
  PurgeResult,
  Sanction,
  Store,
  StoredFinding,
  StoreHealth,
  StoreOptions,
  Watch,
  WatchBatch,
  WatchBatchKind,
  WatchLease,
  WatchRef,
  WatchRunOutcome,
  WatchSighting,
} from '../store';
import { StoreError } from '../store-error';
import { closeKey, sentinelKey } from '../outbox-keys';
import {
  checkAuditEntry,
  checkFindings,
  checkFollowUps,
  checkIncidentClose,
  checkIncidentNumber,
  checkKey,
  checkNewExclusion,
  checkNewHunt,
  clampLimit,
  isHuntId,
  isRowKey,
} from '../validate';
import { checkOutboxKind } from '../watch-validate';
import { getJson, getText, putJson, putText } from './entity-text';
import { isContention, isNotFound, statusOf, withRetries } from './optimistic';
import { TableMirrorLedger } from './table-mirror-ledger';
import { TableSanctions } from './table-sanctions';
import { TableWatches } from './table-watches';

/** Options of the Azure Table Storage store. */
export interface TableStoreOptions extends StoreOptions {
  /** Prefix of the table names: a letter then letters or digits, at most 40 (default `huntops`). */
  readonly tablePrefix?: string;
  /** Allow plain http (Azurite on loopback); the factory sets it only for loopback endpoints. */
  readonly allowInsecureConnection?: boolean;
}

type Entity = Record<string, unknown>;
type Stored = TableEntityResult<Entity>;

const HUNT = 'hunt';
const FINDING = 'finding|';
const EXCLUSIONS = 'exclusion';
const COUNTER = 'counter';
const CHANNEL = 'channel';
const INCIDENT = 'incident|';
const ESCALATION = 'escalation|';
const OUTBOX = 'outbox|';
const AUDIT = 'audit';
const BATCH = 100;
/** Above every epoch-ms time until the year 2286, so `MAX_TIME - t` sorts newest first. */
const MAX_TIME = 9_999_999_999_999;

const teamPartition = (team: string): string => `team-${idFromKey('team', team)}`;
const incidentRow = (number: number): string => `${INCIDENT}${String(number).padStart(10, '0')}`;
/** A filter for row keys starting with `prefix` (`|` is followed by `}` in code order). */
const rowPrefix = (prefix: string): string => odata`RowKey ge ${prefix} and RowKey lt ${`${prefix.slice(0, -1)}}`}`;

const s = (e: Entity, name: string): string => e[name] as string;
const n = (e: Entity, name: string): number => e[name] as number;
const optS = (e: Entity, name: string): string | undefined => (typeof e[name] === 'string' ? (e[name] as string) : undefined);
/** A time, stored as Edm.DateTime (the SDK reads it back as a Date). */
const time = (e: Entity, name: string): Date => new Date((e[name] as Date).getTime());
const optDate = (e: Entity, name: string): Date | undefined => (e[name] instanceof Date ? time(e, name) : undefined);
/** A number that may exceed Int32: written as Edm.Int64 (a BigInt), read back as a number. */
const int = (e: Entity, name: string): number => Number(e[name] as bigint | number);
const actorOf = (e: Entity, prefix: string): Actor => ({ aadObjectId: s(e, `${prefix}Id`), name: s(e, `${prefix}Name`) });
const optActor = (e: Entity, prefix: string): Actor | undefined => (typeof e[`${prefix}Id`] === 'string' ? actorOf(e, prefix) : undefined);
const putActor = (e: Entity, prefix: string, actor: Actor): void => {
  e[`${prefix}Id`] = actor.aadObjectId;
  e[`${prefix}Name`] = actor.name;
};

function huntFrom(e: Entity): Hunt {
  const device = optS(e, 'device');
  const instanceId = optS(e, 'instanceId');
  const messageId = optS(e, 'messageId');
  const error = optS(e, 'error');
  const finishedAt = optDate(e, 'finishedAt');
  return {
    id: s(e, 'partitionKey'),
    request: { toolId: s(e, 'toolId'), windowMs: int(e, 'windowMs'), kind: s(e, 'kind') as Hunt['request']['kind'], ...(device !== undefined && { device }) },
    kql: getText(e, 'kql')!,
    source: s(e, 'source'),
    conversation: getJson(e, 'conversation'),
    requestedBy: actorOf(e, 'requestedBy'),
    ...(instanceId !== undefined && { instanceId }),
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
    toolId: s(e, 'toolId'),
  };
}

function exclusionFrom(e: Entity): Exclusion {
  const toolId = optS(e, 'toolId');
  const sourceHuntId = optS(e, 'sourceHuntId');
  const removedAt = optDate(e, 'removedAt');
  const removedBy = optActor(e, 'removedBy');
  return {
    id: s(e, 'rowKey'),
    key: getText(e, 'key')!,
    pattern: s(e, 'pattern'),
    scope: toolId === undefined ? { kind: 'all' } : { kind: 'tool', toolId },
    reason: getText(e, 'reason')!,
    createdBy: actorOf(e, 'createdBy'),
    createdAt: time(e, 'createdAt'),
    expiresAt: e.expiresAt instanceof Date ? time(e, 'expiresAt') : null,
    ...(sourceHuntId !== undefined && { source: { huntId: sourceHuntId, rowKey: s(e, 'sourceRowKey') } }),
    ...(removedAt !== undefined && { removedAt }),
    ...(removedBy !== undefined && { removedBy }),
  };
}

function incidentFrom(e: Entity): Incident {
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

function outboxFrom(e: Entity, threadRootActivityId?: string): OutboxItem {
  const incidentNumber = typeof e.incidentNumber === 'number' ? e.incidentNumber : undefined;
  const lastError = optS(e, 'lastError');
  const activityId = optS(e, 'activityId');
  const sentAt = optDate(e, 'sentAt');
  return {
    id: s(e, 'id'),
    key: getText(e, 'key')!,
    team: getText(e, 'team')!,
    kind: s(e, 'kind') as OutboxItem['kind'],
    target: getJson(e, 'target'),
    payload: getJson(e, 'payload'),
    ...(incidentNumber !== undefined && { incidentNumber }),
    status: s(e, 'status') as OutboxStatus,
    attempts: n(e, 'attempts'),
    nextAttemptAt: time(e, 'nextAttemptAt'),
    ...(lastError !== undefined && { lastError }),
    ...(activityId !== undefined && { activityId }),
    ...(e.kind !== 'new-thread' && threadRootActivityId !== undefined && { threadRootActivityId }),
    createdAt: time(e, 'createdAt'),
    ...(sentAt !== undefined && { sentAt }),
  };
}

function auditFrom(e: Entity): AuditEntry {
  return {
    id: s(e, 'rowKey'),
    at: time(e, 'at'),
    actor: actorOf(e, 'actor'),
    conversationId: getText(e, 'conversationId')!,
    action: s(e, 'action'),
    details: getJson(e, 'details'),
    outcome: s(e, 'outcome') as AuditEntry['outcome'],
  };
}

const byTimeThenId = <T extends { readonly id: string }>(time: (item: T) => number) => (a: T, b: T): number =>
  time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The Azure Table Storage implementation of {@link Store}. */
export class TableStore implements Store {
  readonly kind = 'azuretables' as const;
  private readonly clock: () => Date;
  private readonly policy: OutboxPolicy;
  private auditSeq = 0;
  private readonly watches: TableWatches;
  private readonly sanctions: TableSanctions;
  private readonly ledger: TableMirrorLedger;

  private constructor(
    private readonly hunts: TableClient,
    private readonly exclusions: TableClient,
    private readonly triage: TableClient,
    private readonly audit: TableClient,
    private readonly refs: TableClient,
    seen: TableClient,
    options: TableStoreOptions,
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.policy = resolveOutboxPolicy(options.outbox);
    this.watches = new TableWatches({
      triage,
      seen,
      now: () => this.now(),
      partitionOf: teamPartition,
      outboxEntity: (id, item, at) => this.outboxEntity(id, item, at),
      getOutboxItem: (team, id) => this.getOutboxItem(team, id),
    });
    this.sanctions = new TableSanctions(triage, teamPartition, () => this.now());
    this.ledger = new TableMirrorLedger(exclusions, () => this.now());
  }

  /**
   * Connects with a connection string and creates the tables if missing. Rejects `unavailable`
   * (naming the endpoint's host, never the connection string) when the service cannot be reached.
   */
  static async open(connectionString: string, options: TableStoreOptions = {}): Promise<TableStore> {
    const prefix = options.tablePrefix ?? 'huntops';
    if (!/^[A-Za-z][A-Za-z0-9]{0,39}$/.test(prefix)) {
      throw new StoreError('invalid', 'the table prefix must be a letter followed by up to 39 letters or digits');
    }
    const client = (name: string): TableClient =>
      TableClient.fromConnectionString(connectionString, `${prefix}${name}`, { allowInsecureConnection: options.allowInsecureConnection ?? false });
    const clients = ['hunts', 'exclusions', 'triage', 'audit', 'refs', 'watchseen'].map(client) as [
      TableClient,
      TableClient,
      TableClient,
      TableClient,
      TableClient,
      TableClient,
    ];
    const created = await Promise.allSettled(clients.map((table) => table.createTable()));
    const failed = created.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw new StoreError('unavailable', `cannot use Azure Table Storage at ${new URL(clients[0].url).host}: ${describe(failed.reason)}`);
    return new TableStore(...clients, options);
  }

  private now(): number {
    return this.clock().getTime();
  }

  private async read(table: TableClient, partitionKey: string, rowKey: string): Promise<Stored | undefined> {
    try {
      return await table.getEntity<Entity>(partitionKey, rowKey);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async query(table: TableClient, filter: string): Promise<Stored[]> {
    const found: Stored[] = [];
    for await (const entity of table.listEntities<Entity>({ queryOptions: { filter } })) found.push(entity);
    return found;
  }

  /** Inserts; false when an entity with the same keys exists. */
  private async insert(table: TableClient, entity: Entity & { partitionKey: string; rowKey: string }): Promise<boolean> {
    try {
      await table.createEntity(entity);
      return true;
    } catch (error) {
      if (statusOf(error) === 409) return false;
      throw error;
    }
  }

  // ------------------------------------------------------------------------------------------ hunts

  async createHunt(hunt: NewHunt): Promise<Hunt> {
    checkNewHunt(hunt);
    for (;;) {
      const entity: Entity & { partitionKey: string; rowKey: string } = {
        partitionKey: newHuntId(),
        rowKey: HUNT,
        toolId: hunt.request.toolId,
        windowMs: BigInt(hunt.request.windowMs),
        kind: hunt.request.kind,
        source: hunt.source,
        status: 'running',
        findingCount: 0,
        hiddenCount: 0,
        createdAt: new Date(this.now()),
      };
      if (hunt.request.device !== undefined) entity.device = hunt.request.device;
      if (hunt.instanceId !== undefined) entity.instanceId = hunt.instanceId;
      putText(entity, 'kql', hunt.kql);
      putJson(entity, 'conversation', hunt.conversation);
      putActor(entity, 'requestedBy', hunt.requestedBy);
      if (await this.insert(this.hunts, entity)) return huntFrom(entity);
    }
  }

  async setHuntMessage(huntId: string, messageId: string): Promise<void> {
    if (!isHuntId(huntId)) throw new StoreError('not-found', 'no such hunt');
    try {
      await this.hunts.updateEntity({ partitionKey: huntId, rowKey: HUNT, messageId }, 'Merge');
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
    return withRetries('finish hunt', async () => {
      const header = await this.read(this.hunts, huntId, HUNT);
      if (header === undefined) throw new StoreError('not-found', 'no such hunt');
      if (header.status !== 'running') {
        if (written) await this.deleteFindings(huntId);
        return false;
      }
      if (!written) {
        await this.writeFindings(huntId, findings);
        written = true;
      }
      const update: Entity & { partitionKey: string; rowKey: string } = {
        partitionKey: huntId,
        rowKey: HUNT,
        status: outcome.status,
        findingCount: findings.length,
        hiddenCount: outcome.status === 'done' ? (outcome.hiddenCount ?? 0) : 0,
        finishedAt: new Date(this.now()),
      };
      if (outcome.status === 'failed') update.error = outcome.error;
      if (outcome.status === 'done' && outcome.meta !== undefined) putJson(update, 'meta', outcome.meta);
      await this.hunts.updateEntity(update, 'Merge', { etag: header.etag });
      return true;
    });
  }

  private async writeFindings(huntId: string, findings: readonly StoredFinding[]): Promise<void> {
    const actions: TransactionAction[] = findings.map((f, ordinal) => {
      const entity: Entity & { partitionKey: string; rowKey: string } = {
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
      putJson(entity, 'reportIds', f.reportIds);
      return ['upsert', entity, 'Replace'];
    });
    for (let i = 0; i < actions.length; i += BATCH) await this.hunts.submitTransaction(actions.slice(i, i + BATCH));
  }

  private async deleteFindings(huntId: string): Promise<void> {
    const rows = await this.query(this.hunts, `PartitionKey eq ${quote(huntId)} and ${rowPrefix(FINDING)}`);
    const actions: TransactionAction[] = rows.map((row) => ['delete', { partitionKey: huntId, rowKey: s(row, 'rowKey') }]);
    for (let i = 0; i < actions.length; i += BATCH) await this.hunts.submitTransaction(actions.slice(i, i + BATCH));
  }

  async getHunt(huntId: string): Promise<Hunt | undefined> {
    if (!isHuntId(huntId)) return undefined;
    const header = await this.read(this.hunts, huntId, HUNT);
    return header && huntFrom(header);
  }

  async getFinding(huntId: string, rowKey: string): Promise<StoredFinding | undefined> {
    if (!isHuntId(huntId) || !isRowKey(rowKey)) return undefined;
    const [header, finding] = await Promise.all([this.read(this.hunts, huntId, HUNT), this.read(this.hunts, huntId, `${FINDING}${rowKey}`)]);
    return header?.status === 'done' && finding ? findingFrom(finding) : undefined;
  }

  async listFindings(huntId: string): Promise<StoredFinding[]> {
    if (!isHuntId(huntId)) return [];
    const header = await this.read(this.hunts, huntId, HUNT);
    if (header?.status !== 'done') return [];
    const rows = await this.query(this.hunts, `PartitionKey eq ${quote(huntId)} and ${rowPrefix(FINDING)}`);
    return rows.sort((a, b) => n(a, 'ordinal') - n(b, 'ordinal')).map(findingFrom);
  }

  async listRunningHunts(filter: { readonly instanceId?: string; readonly createdBefore?: Date } = {}): Promise<Hunt[]> {
    let query = odata`RowKey eq ${HUNT} and status eq ${'running'}`;
    if (filter.instanceId !== undefined) query += odata` and instanceId eq ${filter.instanceId}`;
    if (filter.createdBefore !== undefined) query += odata` and createdAt lt ${filter.createdBefore}`;
    return (await this.query(this.hunts, query)).map(huntFrom).sort(byTimeThenId((h) => h.createdAt.getTime()));
  }

  // ------------------------------------------------------------------------------------- exclusions

  async addExclusion(exclusion: NewExclusion): Promise<Created<Exclusion>> {
    checkNewExclusion(exclusion);
    const id = idFromKey('exclusion', exclusion.key);
    const existing = await this.read(this.exclusions, EXCLUSIONS, id);
    if (existing) return { record: exclusionFrom(existing), created: false };
    const { source } = exclusion;
    if (source && !(await this.getFinding(source.huntId, source.rowKey))) throw new StoreError('not-found', 'no such finding');
    const entity: Entity & { partitionKey: string; rowKey: string } = {
      partitionKey: EXCLUSIONS,
      rowKey: id,
      pattern: exclusion.pattern,
      createdAt: new Date(this.now()),
    };
    putText(entity, 'key', exclusion.key);
    putText(entity, 'reason', exclusion.reason);
    putActor(entity, 'createdBy', exclusion.createdBy);
    if (exclusion.scope.kind === 'tool') entity.toolId = exclusion.scope.toolId;
    if (exclusion.expiresAt !== null) entity.expiresAt = new Date(exclusion.expiresAt.getTime());
    if (source) {
      entity.sourceHuntId = source.huntId;
      entity.sourceRowKey = source.rowKey;
    }
    if (await this.insert(this.exclusions, entity)) return { record: exclusionFrom(entity), created: true };
    return { record: exclusionFrom((await this.read(this.exclusions, EXCLUSIONS, id))!), created: false };
  }

  async getExclusion(id: string): Promise<Exclusion | undefined> {
    if (!isRowKey(id)) return undefined;
    const entity = await this.read(this.exclusions, EXCLUSIONS, id);
    return entity && exclusionFrom(entity);
  }

  async listExclusions(filter: { readonly activeAt?: Date } = {}): Promise<Exclusion[]> {
    const all = (await this.query(this.exclusions, odata`PartitionKey eq ${EXCLUSIONS}`)).map(exclusionFrom).sort(byTimeThenId((x) => x.createdAt.getTime()));
    const at = filter.activeAt?.getTime();
    if (at === undefined) return all;
    return all.filter((x) => x.removedAt === undefined && (x.expiresAt === null || x.expiresAt.getTime() > at));
  }

  async removeExclusion(id: string, removedBy: Actor): Promise<{ readonly record: Exclusion; readonly removed: boolean } | undefined> {
    if (!isRowKey(id)) return undefined;
    return withRetries('remove exclusion', async () => {
      const entity = await this.read(this.exclusions, EXCLUSIONS, id);
      if (entity === undefined) return undefined;
      if (entity.removedAt instanceof Date) return { record: exclusionFrom(entity), removed: false };
      const update: Entity & { partitionKey: string; rowKey: string } = { partitionKey: EXCLUSIONS, rowKey: id, removedAt: new Date(this.now()) };
      putActor(update, 'removedBy', removedBy);
      await this.exclusions.updateEntity(update, 'Merge', { etag: entity.etag });
      return { record: exclusionFrom({ ...entity, ...update }), removed: true };
    });
  }

  // -------------------------------------------------------------------------------------- incidents

  async getIncident(team: string, number: number): Promise<Incident | undefined> {
    if (!Number.isSafeInteger(number) || number < 1) return undefined;
    const entity = await this.read(this.triage, teamPartition(team), incidentRow(number));
    return entity && incidentFrom(entity);
  }

  async listOpenIncidents(team: string): Promise<Incident[]> {
    const rows = await this.query(this.triage, odata`PartitionKey eq ${teamPartition(team)} and status eq ${'open'} and ` + rowPrefix(INCIDENT));
    return rows.map(incidentFrom).sort((a, b) => a.number - b.number);
  }

  async closeIncident(team: string, number: number, closedBy: Actor, close?: IncidentClose): Promise<boolean> {
    checkIncidentNumber(number);
    checkIncidentClose(close);
    const partitionKey = teamPartition(team);
    return withRetries('close incident', async () => {
      const entity = await this.read(this.triage, partitionKey, incidentRow(number));
      if (entity === undefined) throw new StoreError('not-found', `no incident ${number}`);
      if (entity.status !== 'open') return false;
      const at = this.now();
      const update: Entity & { partitionKey: string; rowKey: string } = { partitionKey, rowKey: incidentRow(number), status: 'closed', closedAt: new Date(at) };
      putActor(update, 'closedBy', closedBy);
      if (close) putText(update, 'closeReason', close.reason);
      if (close?.note !== undefined) putText(update, 'closeNote', close.note);
      const messages = close?.messages?.(incidentFrom({ ...entity, ...update })) ?? [];
      checkFollowUps(messages);
      const actions: TransactionAction[] = [['update', update, 'Merge', { etag: entity.etag }]];
      messages.forEach((message, index) => {
        const key = closeKey(number, index);
        actions.push(['create', this.outboxEntity(idFromKey('outbox', `${team}\0${key}`), { ...message, key, team, incidentNumber: number }, at)]);
      });
      await this.triage.submitTransaction(actions);
      return true;
    });
  }

  async setIncidentThreadRoot(team: string, number: number, activityId: string): Promise<string> {
    checkIncidentNumber(number);
    return withRetries('set thread root', async () => {
      const entity = await this.read(this.triage, teamPartition(team), incidentRow(number));
      if (entity === undefined) throw new StoreError('not-found', `no incident ${number}`);
      if (typeof entity.threadRoot === 'string') return entity.threadRoot;
      await this.triage.updateEntity({ partitionKey: teamPartition(team), rowKey: incidentRow(number), threadRoot: activityId }, 'Merge', { etag: entity.etag });
      return activityId;
    });
  }

  async setIncidentChannel(channel: { readonly team: string; readonly conversation: OpaqueJson; readonly setBy: Actor }): Promise<IncidentChannel> {
    checkKey('team', channel.team);
    const entity: Entity & { partitionKey: string; rowKey: string } = {
      partitionKey: teamPartition(channel.team),
      rowKey: CHANNEL,
      setAt: new Date(this.now()),
    };
    putText(entity, 'team', channel.team);
    putJson(entity, 'conversation', channel.conversation);
    putActor(entity, 'setBy', channel.setBy);
    await this.triage.upsertEntity(entity, 'Replace');
    return channelFrom(entity);
  }

  async getIncidentChannel(team: string): Promise<IncidentChannel | undefined> {
    const entity = await this.read(this.triage, teamPartition(team), CHANNEL);
    return entity && channelFrom(entity);
  }

  // ------------------------------------------------------------------------------------ escalations

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
      const existing = await this.read(this.triage, partitionKey, `${ESCALATION}${id}`);
      if (existing) return this.escalationResult(escalationFrom(existing), false);
      if (!findingChecked) {
        if (!(await this.getFinding(escalation.huntId, escalation.rowKey))) throw new StoreError('not-found', 'no such finding');
        findingChecked = true;
      }
      const at = this.now();
      const actions: TransactionAction[] = [];
      let incident: Incident;
      if (escalation.incident.kind === 'new') {
        const counter = await this.read(this.triage, partitionKey, COUNTER);
        const number = (counter ? n(counter, 'lastNumber') : 0) + 1;
        actions.push(
          counter
            ? ['update', { partitionKey, rowKey: COUNTER, lastNumber: number }, 'Merge', { etag: counter.etag }]
            : ['create', { partitionKey, rowKey: COUNTER, lastNumber: number }],
        );
        const entity: Entity & { partitionKey: string; rowKey: string } = {
          partitionKey,
          rowKey: incidentRow(number),
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
        const found = await this.read(this.triage, partitionKey, incidentRow(escalation.incident.number));
        if (!found) throw new StoreError('not-found', `no incident ${escalation.incident.number}`);
        if (found.status !== 'open') throw new StoreError('conflict', `incident ${escalation.incident.number} is closed`);
        // Guards against the incident being closed meanwhile: the batch fails with 412 and we re-read.
        actions.push(['update', { partitionKey, rowKey: found.rowKey!, status: 'open' }, 'Merge', { etag: found.etag }]);
        incident = incidentFrom(found);
      }
      const kind = escalation.incident.kind === 'new' ? 'new-thread' : 'reply';
      const message = escalation.message({ incident, escalationId: id, kind, at: new Date(at) });
      const item = this.outboxEntity(outboxId, { key: `escalation:${escalation.key}`, team, kind, incidentNumber: incident.number, ...message }, at);
      actions.push(['create', item]);
      let sentinel: (Entity & { partitionKey: string; rowKey: string }) | undefined;
      if (escalation.sentinel) {
        const key = sentinelKey(escalation.key);
        const call = escalation.sentinel({ incident, escalationId: id, kind, at: new Date(at) });
        sentinel = this.outboxEntity(idFromKey('outbox', `${team}\0${key}`), { key, team, kind: 'sentinel', incidentNumber: incident.number, ...call }, at);
        actions.push(['create', sentinel]);
      }
      const record: Entity & { partitionKey: string; rowKey: string } = {
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
      await this.triage.submitTransaction(actions);
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
    const incident = (await this.getIncident(escalation.team, escalation.incidentNumber))!;
    const outbox = (await this.getOutboxItem(escalation.team, escalation.outboxId))!;
    const sentinel = await this.getOutboxItem(escalation.team, idFromKey('outbox', `${escalation.team}\0${sentinelKey(escalation.key)}`));
    return { record: escalation, created, incident, outbox, ...(sentinel && { sentinel }) };
  }

  async listEscalations(
    filter: { readonly huntId: string } | { readonly team: string; readonly incidentNumber: number },
  ): Promise<Escalation[]> {
    const query =
      'huntId' in filter
        ? `${rowPrefix(ESCALATION)} and ${odata`huntId eq ${filter.huntId}`}`
        : `${odata`PartitionKey eq ${teamPartition(filter.team)} and incidentNumber eq ${filter.incidentNumber}`} and ${rowPrefix(ESCALATION)}`;
    return (await this.query(this.triage, query)).map(escalationFrom).sort(byTimeThenId((x) => x.at.getTime()));
  }

  // ----------------------------------------------------------------------------------------- outbox

  private outboxEntity(id: string, item: NewOutboxItem, at: number): Entity & { partitionKey: string; rowKey: string } {
    const entity: Entity & { partitionKey: string; rowKey: string } = {
      partitionKey: teamPartition(item.team),
      rowKey: `${OUTBOX}${id}`,
      id,
      kind: item.kind,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: new Date(at),
      createdAt: new Date(at),
    };
    putText(entity, 'key', item.key);
    putText(entity, 'team', item.team);
    putJson(entity, 'target', item.target);
    putJson(entity, 'payload', item.payload);
    if (item.incidentNumber !== undefined) entity.incidentNumber = item.incidentNumber;
    return entity;
  }

  /** Outbox items with their incident's thread root (for replies), read once per incident. */
  private async withThreadRoots(rows: readonly Stored[]): Promise<Array<{ row: Stored; item: OutboxItem }>> {
    const roots = new Map<string, Promise<string | undefined>>();
    const rootOf = (row: Stored): Promise<string | undefined> => {
      if (row.kind === 'new-thread' || typeof row.incidentNumber !== 'number') return Promise.resolve(undefined);
      const key = `${row.partitionKey}\0${row.incidentNumber}`;
      let root = roots.get(key);
      if (!root) {
        root = this.read(this.triage, row.partitionKey!, incidentRow(row.incidentNumber)).then((incident) => optS(incident ?? {}, 'threadRoot'));
        roots.set(key, root);
      }
      return root;
    };
    return Promise.all(rows.map(async (row) => ({ row, item: outboxFrom(row, await rootOf(row)) })));
  }

  async enqueueOutbox(item: NewOutboxItem): Promise<Created<OutboxItem>> {
    checkKey('outbox key', item.key);
    checkKey('team', item.team);
    checkOutboxKind(item);
    if (item.incidentNumber !== undefined) checkIncidentNumber(item.incidentNumber);
    const id = idFromKey('outbox', `${item.team}\0${item.key}`);
    const existing = await this.getOutboxItem(item.team, id);
    if (existing) return { record: existing, created: false };
    if (item.incidentNumber !== undefined && !(await this.getIncident(item.team, item.incidentNumber))) {
      throw new StoreError('not-found', `no incident ${item.incidentNumber}`);
    }
    const entity = this.outboxEntity(id, item, this.now());
    const created = await this.insert(this.triage, entity);
    return { record: (await this.getOutboxItem(item.team, id))!, created };
  }

  async getOutboxItem(team: string, id: string): Promise<OutboxItem | undefined> {
    if (!isRowKey(id)) return undefined;
    const row = await this.read(this.triage, teamPartition(team), `${OUTBOX}${id}`);
    return row && (await this.withThreadRoots([row]))[0]!.item;
  }

  /** Due rows (of `kinds`, if given) whose thread (for replies and Sentinel calls of an incident) exists, earliest first. */
  private async due(now: number, kinds?: readonly OutboxKind[]): Promise<Array<{ row: Stored; item: OutboxItem }>> {
    const filter = `${rowPrefix(OUTBOX)} and ${odata`(status eq ${'pending'} or status eq ${'sending'}) and nextAttemptAt le ${new Date(now)}`}`;
    const rows = await this.withThreadRoots((await this.query(this.triage, filter)).filter((row) => !kinds || kinds.includes(row.kind as OutboxKind)));
    return rows
      .filter(({ item }) => item.kind === 'new-thread' || item.incidentNumber === undefined || item.threadRootActivityId !== undefined)
      .sort((a, b) => a.item.nextAttemptAt.getTime() - b.item.nextAttemptAt.getTime() || a.item.createdAt.getTime() - b.item.createdAt.getTime());
  }

  async listDueOutbox(options: { readonly limit?: number } = {}): Promise<OutboxItem[]> {
    return (await this.due(this.now())).slice(0, clampLimit(options.limit, 100, 1000)).map(({ item }) => item);
  }

  async claimOutbox(options: { readonly limit?: number; readonly leaseMs?: number; readonly kinds?: readonly OutboxKind[] } = {}): Promise<ClaimedOutboxItem[]> {
    const limit = clampLimit(options.limit, 10, 100);
    const leaseMs = options.leaseMs ?? this.policy.leaseMs;
    const now = this.now();
    const claimed: ClaimedOutboxItem[] = [];
    for (const { row, item } of await this.due(now, options.kinds)) {
      if (claimed.length >= limit) break;
      const keys = { partitionKey: row.partitionKey!, rowKey: row.rowKey! };
      try {
        if (item.status === 'sending' && item.attempts >= this.policy.maxAttempts) {
          await this.triage.updateEntity(
            { ...keys, status: 'dead', leaseToken: null, lastError: `lease expired on the last of ${this.policy.maxAttempts} attempts` },
            'Merge',
            { etag: row.etag },
          );
          continue;
        }
        const token = newToken();
        const expiresAt = now + leaseMs;
        await this.triage.updateEntity({ ...keys, status: 'sending', attempts: item.attempts + 1, leaseToken: token, nextAttemptAt: new Date(expiresAt) }, 'Merge', {
          etag: row.etag,
        });
        claimed.push({
          ...item,
          status: 'sending',
          attempts: item.attempts + 1,
          nextAttemptAt: new Date(expiresAt),
          lease: { team: item.team, id: item.id, token, expiresAt: new Date(expiresAt) },
        });
      } catch (error) {
        if (!isContention(error) && !isNotFound(error)) throw error;
      }
    }
    return claimed;
  }

  /** The item if `lease` is still its lease. */
  private async leased(lease: OutboxLease): Promise<Stored | undefined> {
    const row = await this.read(this.triage, teamPartition(lease.team), `${OUTBOX}${lease.id}`);
    return row && row.status === 'sending' && row.leaseToken === lease.token ? row : undefined;
  }

  async completeOutbox(lease: OutboxLease, result: { readonly activityId: string }): Promise<boolean> {
    checkKey('activity id', result.activityId);
    return withRetries('complete outbox item', async () => {
      const row = await this.leased(lease);
      if (row === undefined) return false;
      const partitionKey = row.partitionKey!;
      const actions: TransactionAction[] = [
        ['update', { partitionKey, rowKey: row.rowKey!, status: 'sent', leaseToken: null, activityId: result.activityId, sentAt: new Date(this.now()), lastError: null }, 'Merge', { etag: row.etag }],
      ];
      if (row.kind === 'new-thread' && typeof row.incidentNumber === 'number') {
        const incident = await this.read(this.triage, partitionKey, incidentRow(row.incidentNumber));
        if (incident && typeof incident.threadRoot !== 'string') {
          actions.push(['update', { partitionKey, rowKey: incident.rowKey!, threadRoot: result.activityId }, 'Merge', { etag: incident.etag }]);
        }
      }
      await this.triage.submitTransaction(actions);
      return true;
    });
  }

  async failOutbox(
    lease: OutboxLease,
    failure: { readonly error: string; readonly retryAfterMs?: number; readonly permanent?: boolean },
  ): Promise<OutboxStatus | undefined> {
    return withRetries('fail outbox item', async () => {
      const row = await this.leased(lease);
      if (row === undefined) return undefined;
      const attempts = n(row, 'attempts');
      const status: OutboxStatus = failure.permanent || attempts >= this.policy.maxAttempts ? 'dead' : 'pending';
      const next = this.now() + (status === 'pending' ? backoffMs(this.policy, attempts, failure.retryAfterMs) : 0);
      await this.triage.updateEntity(
        { partitionKey: row.partitionKey!, rowKey: row.rowKey!, status, leaseToken: null, lastError: failure.error.slice(0, 2000), nextAttemptAt: new Date(next) },
        'Merge',
        { etag: row.etag },
      );
      return status;
    });
  }

  async listOutbox(filter: { readonly team?: string; readonly status?: OutboxStatus } = {}): Promise<OutboxItem[]> {
    let query = rowPrefix(OUTBOX);
    if (filter.team !== undefined) query += odata` and PartitionKey eq ${teamPartition(filter.team)}`;
    if (filter.status !== undefined) query += odata` and status eq ${filter.status}`;
    const items = (await this.withThreadRoots(await this.query(this.triage, query))).map(({ item }) => item);
    return items.sort(byTimeThenId((x) => x.createdAt.getTime()));
  }

  // ---------------------------------------------------------------------------------- mirror ledger

  listMirroredExclusions(): Promise<string[]> {
    return this.ledger.listMirroredExclusions();
  }

  markExclusionMirrored(exclusionId: string): Promise<void> {
    return this.ledger.markExclusionMirrored(exclusionId);
  }

  markExclusionUnmirrored(exclusionId: string): Promise<void> {
    return this.ledger.markExclusionUnmirrored(exclusionId);
  }

  // ------------------------------------------------------------------------------------------ audit

  async appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    checkAuditEntry(entry);
    const at = this.now();
    this.auditSeq = (this.auditSeq + 1) % 1_000_000;
    const entity: Entity & { partitionKey: string; rowKey: string } = {
      partitionKey: AUDIT,
      rowKey: `${String(MAX_TIME - at).padStart(13, '0')}|${String(999_999 - this.auditSeq).padStart(6, '0')}|${newToken()}`,
      at: new Date(at),
      action: entry.action,
      outcome: entry.outcome,
    };
    putActor(entity, 'actor', entry.actor);
    putText(entity, 'conversationId', entry.conversationId);
    putJson(entity, 'details', entry.details);
    await this.audit.createEntity(entity);
    return auditFrom(entity);
  }

  async listAudit(options: { readonly limit?: number } = {}): Promise<AuditEntry[]> {
    const limit = clampLimit(options.limit, 20, 1000);
    const found: AuditEntry[] = [];
    const pages = this.audit.listEntities<Entity>({ queryOptions: { filter: odata`PartitionKey eq ${AUDIT}` } }).byPage({ maxPageSize: limit });
    for await (const page of pages) {
      for (const entity of page) {
        found.push(auditFrom(entity));
        if (found.length >= limit) return found;
      }
    }
    return found;
  }

  // -------------------------------------------------------------------------- watches and sanctions

  createWatch(watch: NewWatch): Promise<Created<Watch>> {
    return this.watches.createWatch(watch);
  }

  getWatch(tenant: string, id: number): Promise<Watch | undefined> {
    return this.watches.getWatch(tenant, id);
  }

  listWatches(filter?: { readonly tenant?: string; readonly active?: boolean }): Promise<Watch[]> {
    return this.watches.listWatches(filter);
  }

  stopWatch(ref: WatchRef, stoppedBy: Actor): Promise<{ readonly record: Watch; readonly stopped: boolean } | undefined> {
    return this.watches.stopWatch(ref, stoppedBy);
  }

  claimDueWatches(options?: { readonly limit?: number; readonly leaseMs?: number }): Promise<ClaimedWatch[]> {
    return this.watches.claimDueWatches(options);
  }

  finishWatchRun(lease: WatchLease, outcome: WatchRunOutcome): Promise<boolean> {
    return this.watches.finishWatchRun(lease, outcome);
  }

  recordWatchSightings(
    ref: WatchRef,
    batch: { readonly runKey: string; readonly kind: WatchBatchKind },
    sightings: readonly NewWatchSighting[],
  ): Promise<{ readonly recorded: number }> {
    return this.watches.recordWatchSightings(ref, batch, sightings);
  }

  listPendingWatchBatches(ref: WatchRef): Promise<WatchBatch[]> {
    return this.watches.listPendingWatchBatches(ref);
  }

  enqueueWatchPost(ref: WatchRef, runKey: string, message: OutboxMessage): Promise<Created<OutboxItem> | undefined> {
    return this.watches.enqueueWatchPost(ref, runKey, message);
  }

  listWatchSightings(ref: WatchRef): Promise<WatchSighting[]> {
    return this.watches.listWatchSightings(ref);
  }

  setSanction(sanction: NewSanction): Promise<{ readonly record: Sanction; readonly replaced?: Sanction }> {
    return this.sanctions.setSanction(sanction);
  }

  getSanction(tenant: string, toolId: string): Promise<Sanction | undefined> {
    return this.sanctions.getSanction(tenant, toolId);
  }

  listSanctions(tenant: string): Promise<Sanction[]> {
    return this.sanctions.listSanctions(tenant);
  }

  removeSanction(tenant: string, toolId: string): Promise<Sanction | undefined> {
    return this.sanctions.removeSanction(tenant, toolId);
  }

  // ------------------------------------------------------------------------------------- operations

  async purge(cutoffs: PurgeCutoffs): Promise<PurgeResult> {
    const huntsBefore = new Date(cutoffs.huntsBefore.getTime());
    let hunts = 0;
    for (const header of await this.query(this.hunts, odata`RowKey eq ${HUNT} and createdAt lt ${huntsBefore}`)) {
      const huntId = header.partitionKey!;
      const findings = await this.query(this.hunts, `PartitionKey eq ${quote(huntId)} and ${rowPrefix(FINDING)}`);
      await this.deleteAll(this.hunts, huntId, findings.map((row) => row.rowKey!));
      if (await this.deleteOne(this.hunts, huntId, HUNT)) hunts++;
    }
    let outboxItems = 0;
    const done = await this.query(
      this.triage,
      `${rowPrefix(OUTBOX)} and ${odata`(status eq ${'sent'} or status eq ${'dead'}) and createdAt lt ${huntsBefore}`}`,
    );
    for (const row of done) if (await this.deleteOne(this.triage, row.partitionKey!, row.rowKey!)) outboxItems++;
    // Audit row keys start with the inverted time: everything written before the cut-off sorts at or after this key.
    const firstOld = String(MAX_TIME - cutoffs.auditBefore.getTime() + 1).padStart(13, '0');
    const old = await this.query(this.audit, odata`PartitionKey eq ${AUDIT} and RowKey ge ${firstOld}`);
    const auditEntries = await this.deleteAll(this.audit, AUDIT, old.map((row) => row.rowKey!));
    return { hunts, outboxItems, auditEntries };
  }

  /** Deletes an entity; false when it was already gone (another instance purging at the same time). */
  private async deleteOne(table: TableClient, partitionKey: string, rowKey: string): Promise<boolean> {
    try {
      await table.deleteEntity(partitionKey, rowKey);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * Deletes entities of one partition in transactions of up to 100; a transaction refused because
   * one of them is already gone is redone one by one. Returns how many this call deleted.
   */
  private async deleteAll(table: TableClient, partitionKey: string, rowKeys: readonly string[]): Promise<number> {
    let deleted = 0;
    for (let i = 0; i < rowKeys.length; i += BATCH) {
      const batch = rowKeys.slice(i, i + BATCH);
      try {
        await table.submitTransaction(batch.map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }]));
        deleted += batch.length;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        for (const rowKey of batch) if (await this.deleteOne(table, partitionKey, rowKey)) deleted++;
      }
    }
    return deleted;
  }

  async health(): Promise<StoreHealth> {
    try {
      await this.read(this.refs, 'health', 'health');
      return { ok: true, kind: 'azuretables', detail: `azure tables at ${new URL(this.refs.url).host}` };
    } catch (error) {
      return { ok: false, kind: 'azuretables', detail: `azure tables unavailable: ${describe(error)}` };
    }
  }

  /** Nothing to release: the SDK's HTTP pipeline keeps no connection that needs closing. */
  async close(): Promise<void> {
    return Promise.resolve();
  }
}

function channelFrom(e: Entity): IncidentChannel {
  return { team: getText(e, 'team')!, conversation: getJson(e, 'conversation'), setBy: actorOf(e, 'setBy'), setAt: time(e, 'setAt') };
}

/** An OData string literal. */
function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A short, secret-free description of an SDK error: status and code only. */
function describe(error: unknown): string {
  const status = statusOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  return [status !== undefined ? `HTTP ${status}` : undefined, typeof code === 'string' ? code : undefined].filter(Boolean).join(' ') || 'unknown error';
}
