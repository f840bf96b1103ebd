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
 * | audit      | see `table-audit.ts`        |                                         | the audit trail |
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
 * Each concern is a module beside this one, which lays out its own entities: hunts and findings
 * (`table-hunts.ts`), exclusions (`table-exclusions.ts`), incidents (`table-incidents.ts`),
 * escalations (`table-escalations.ts`), the outbox (`table-outbox.ts`, and `table-outbox-death.ts`
 * for what happens when an item dies: an incident is re-rooted), the audit (`table-audit.ts`),
 * watches and sanctions (in the triage table, and a `<prefix>watchseen` table: `table-watches.ts`,
 * `table-sanctions.ts`) and the exclusion mirror's ledger (`table-mirror-ledger.ts`). This class
 * opens the tables, hands each module what it needs of them (`table-parts.ts`), delegates to them
 * (`../composed-store.ts`) and purges.
 */
import { odata, TableClient } from '@azure/data-tables';
import { ComposedStore } from '../composed-store';
import { resolveOutboxPolicy } from '../outbox-policy';
import type { PurgeCutoffs, PurgeResult, StoreHealth, StoreOptions } from '../store';
import { StoreError } from '../store-error';
import { statusOf } from './optimistic';
import { TableAudit } from './table-audit';
import { deleteEntities, deleteEntity } from './table-delete';
import { queryEntities, quote, readEntity, rowPrefix, teamPartition } from './table-entities';
import { TableEscalations } from './table-escalations';
import { TableExclusions } from './table-exclusions';
import { FINDING, HUNT, TableHunts } from './table-hunts';
import { TableIncidents } from './table-incidents';
import { TableMirrorLedger } from './table-mirror-ledger';
import { OUTBOX, outboxEntity, TableOutbox } from './table-outbox';
import type { TableParts } from './table-parts';
import { TableSanctions } from './table-sanctions';
import { TableWatches } from './table-watches';

/** Options of the Azure Table Storage store. */
export interface TableStoreOptions extends StoreOptions {
  /** Prefix of the table names: a letter then letters or digits, at most 40 (default `huntops`). */
  readonly tablePrefix?: string;
  /** Allow plain http (Azurite on loopback); the factory sets it only for loopback endpoints. */
  readonly allowInsecureConnection?: boolean;
}

/** The Azure Table Storage implementation of {@link Store}. */
export class TableStore extends ComposedStore {
  readonly kind = 'azuretables' as const;
  private readonly auditTrail: TableAudit;
  private readonly exclusionList: TableExclusions;

  private constructor(
    private readonly hunts: TableClient,
    exclusions: TableClient,
    private readonly triage: TableClient,
    audit: TableClient,
    private readonly refs: TableClient,
    seen: TableClient,
    options: TableStoreOptions,
  ) {
    const clock = options.clock ?? (() => new Date());
    const parts: TableParts = {
      hunts,
      exclusions,
      triage,
      seen,
      now: () => clock().getTime(),
      partitionOf: teamPartition,
      outboxEntity,
      getOutboxItem: (team, id) => outbox.getOutboxItem(team, id),
      getFinding: (huntId, rowKey) => huntStore.getFinding(huntId, rowKey),
      getIncident: (team, number) => incidents.getIncident(team, number),
    };
    const huntStore = new TableHunts(parts);
    const incidents = new TableIncidents(parts);
    const outbox = new TableOutbox(parts, resolveOutboxPolicy(options.outbox));
    const exclusionList = new TableExclusions(parts);
    const auditTrail = new TableAudit(audit, parts.now);
    super({
      hunts: huntStore,
      exclusions: exclusionList,
      incidents,
      escalations: new TableEscalations(parts),
      outbox,
      ledger: new TableMirrorLedger(exclusions, parts.now),
      audit: auditTrail,
      watches: new TableWatches(parts),
      sanctions: new TableSanctions(triage, teamPartition, parts.now),
    });
    this.auditTrail = auditTrail;
    this.exclusionList = exclusionList;
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
    const store = new TableStore(...clients, options);
    await store.exclusionList.bindLegacyExclusions();
    return store;
  }

  // ------------------------------------------------------------------------------------- operations

  async purge(cutoffs: PurgeCutoffs): Promise<PurgeResult> {
    const huntsBefore = new Date(cutoffs.huntsBefore.getTime());
    let hunts = 0;
    for (const header of await queryEntities(this.hunts, odata`RowKey eq ${HUNT} and createdAt lt ${huntsBefore}`)) {
      const huntId = header.partitionKey!;
      const findings = await queryEntities(this.hunts, `PartitionKey eq ${quote(huntId)} and ${rowPrefix(FINDING)}`);
      await deleteEntities(this.hunts, huntId, findings.map((row) => row.rowKey!));
      if (await deleteEntity(this.hunts, huntId, HUNT)) hunts++;
    }
    let outboxItems = 0;
    const done = await queryEntities(
      this.triage,
      `${rowPrefix(OUTBOX)} and ${odata`(status eq ${'sent'} or status eq ${'dead'}) and createdAt lt ${huntsBefore}`}`,
    );
    for (const row of done) if (await deleteEntity(this.triage, row.partitionKey!, row.rowKey!)) outboxItems++;
    const auditEntries = await this.auditTrail.purge(cutoffs.auditBefore);
    return { hunts, outboxItems, auditEntries };
  }

  async health(): Promise<StoreHealth> {
    try {
      await readEntity(this.refs, 'health', 'health');
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

/** A short, secret-free description of an SDK error: status and code only. */
function describe(error: unknown): string {
  const status = statusOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  return [status !== undefined ? `HTTP ${status}` : undefined, typeof code === 'string' ? code : undefined].filter(Boolean).join(' ') || 'unknown error';
}
