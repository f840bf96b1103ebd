/**
 * A store made of one object per concern: `SqliteStore` and `TableStore` each build their hunts,
 * exclusions, incidents, escalations, outbox, audit, watches, sanctions and mirror ledger beside
 * them (`sqlite/sqlite-*.ts`, `azure/table-*.ts`) and extend this class, which delegates every
 * {@link Store} call to the concern it belongs to and leaves them retention, health and closing.
 */
import type {
  Actor,
  AuditEntry,
  AuditStore,
  ClaimedOutboxItem,
  ClaimedWatch,
  Created,
  Escalation,
  EscalationResult,
  EscalationStore,
  Exclusion,
  ExclusionStore,
  FindingRange,
  Hunt,
  HuntOutcome,
  HuntStore,
  Incident,
  IncidentChannel,
  IncidentClose,
  IncidentStore,
  MirrorLedgerStore,
  NewAuditEntry,
  NewCountedAuditEntry,
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
  OutboxStatus,
  OutboxStore,
  PurgeCutoffs,
  PurgeResult,
  Sanction,
  SanctionStore,
  Store,
  StoredFinding,
  StoreHealth,
  Watch,
  WatchBatch,
  WatchBatchKind,
  WatchLease,
  WatchRef,
  WatchRunOutcome,
  WatchSighting,
  WatchStore,
} from './store';

/** The objects a composed store delegates to, one per concern. */
export interface StoreConcerns {
  readonly hunts: HuntStore;
  readonly exclusions: ExclusionStore;
  readonly incidents: IncidentStore;
  readonly escalations: EscalationStore;
  readonly outbox: OutboxStore;
  readonly ledger: MirrorLedgerStore;
  readonly audit: AuditStore;
  readonly watches: WatchStore;
  readonly sanctions: SanctionStore;
}

/** A {@link Store} that delegates each concern to its object; implementations add the rest. */
export abstract class ComposedStore implements Store {
  abstract readonly kind: Store['kind'];

  protected constructor(private readonly concerns: StoreConcerns) {}

  // ------------------------------------------------------------------------------------------ hunts

  createHunt(hunt: NewHunt): Promise<Hunt> {
    return this.concerns.hunts.createHunt(hunt);
  }

  setHuntMessage(huntId: string, messageId: string): Promise<void> {
    return this.concerns.hunts.setHuntMessage(huntId, messageId);
  }

  finishHunt(huntId: string, outcome: HuntOutcome): Promise<boolean> {
    return this.concerns.hunts.finishHunt(huntId, outcome);
  }

  getHunt(huntId: string): Promise<Hunt | undefined> {
    return this.concerns.hunts.getHunt(huntId);
  }

  getFinding(huntId: string, rowKey: string): Promise<StoredFinding | undefined> {
    return this.concerns.hunts.getFinding(huntId, rowKey);
  }

  listFindings(huntId: string, range?: FindingRange): Promise<StoredFinding[]> {
    return this.concerns.hunts.listFindings(huntId, range);
  }

  listRunningHunts(filter?: { readonly instanceId?: string; readonly createdBefore?: Date }): Promise<Hunt[]> {
    return this.concerns.hunts.listRunningHunts(filter);
  }

  // ------------------------------------------------------------------------------------- exclusions

  addExclusion(exclusion: NewExclusion): Promise<Created<Exclusion>> {
    return this.concerns.exclusions.addExclusion(exclusion);
  }

  getExclusion(id: string): Promise<Exclusion | undefined> {
    return this.concerns.exclusions.getExclusion(id);
  }

  listExclusions(filter?: { readonly activeAt?: Date; readonly tenant?: string }): Promise<Exclusion[]> {
    return this.concerns.exclusions.listExclusions(filter);
  }

  removeExclusion(id: string, removedBy: Actor): Promise<{ readonly record: Exclusion; readonly removed: boolean } | undefined> {
    return this.concerns.exclusions.removeExclusion(id, removedBy);
  }

  // -------------------------------------------------------------------------------------- incidents

  getIncident(team: string, number: number): Promise<Incident | undefined> {
    return this.concerns.incidents.getIncident(team, number);
  }

  listOpenIncidents(team: string): Promise<Incident[]> {
    return this.concerns.incidents.listOpenIncidents(team);
  }

  closeIncident(team: string, number: number, closedBy: Actor, close?: IncidentClose): Promise<boolean> {
    return this.concerns.incidents.closeIncident(team, number, closedBy, close);
  }

  setIncidentThreadRoot(team: string, number: number, activityId: string): Promise<string> {
    return this.concerns.incidents.setIncidentThreadRoot(team, number, activityId);
  }

  setIncidentChannel(channel: { readonly team: string; readonly conversation: OpaqueJson; readonly setBy: Actor }): Promise<IncidentChannel> {
    return this.concerns.incidents.setIncidentChannel(channel);
  }

  getIncidentChannel(team: string): Promise<IncidentChannel | undefined> {
    return this.concerns.incidents.getIncidentChannel(team);
  }

  // ------------------------------------------------------------------------------------ escalations

  escalate(escalation: NewEscalation): Promise<EscalationResult> {
    return this.concerns.escalations.escalate(escalation);
  }

  listEscalations(filter: { readonly huntId: string } | { readonly team: string; readonly incidentNumber: number }): Promise<Escalation[]> {
    return this.concerns.escalations.listEscalations(filter);
  }

  // ----------------------------------------------------------------------------------------- outbox

  enqueueOutbox(item: NewOutboxItem): Promise<Created<OutboxItem>> {
    return this.concerns.outbox.enqueueOutbox(item);
  }

  getOutboxItem(team: string, id: string): Promise<OutboxItem | undefined> {
    return this.concerns.outbox.getOutboxItem(team, id);
  }

  listDueOutbox(options?: { readonly limit?: number }): Promise<OutboxItem[]> {
    return this.concerns.outbox.listDueOutbox(options);
  }

  claimOutbox(options?: { readonly limit?: number; readonly leaseMs?: number; readonly kinds?: readonly OutboxKind[] }): Promise<ClaimedOutboxItem[]> {
    return this.concerns.outbox.claimOutbox(options);
  }

  completeOutbox(lease: OutboxLease, result: { readonly activityId: string }): Promise<boolean> {
    return this.concerns.outbox.completeOutbox(lease, result);
  }

  failOutbox(
    lease: OutboxLease,
    failure: { readonly error: string; readonly retryAfterMs?: number; readonly permanent?: boolean },
  ): Promise<OutboxStatus | undefined> {
    return this.concerns.outbox.failOutbox(lease, failure);
  }

  listOutbox(filter?: { readonly team?: string; readonly status?: OutboxStatus }): Promise<OutboxItem[]> {
    return this.concerns.outbox.listOutbox(filter);
  }

  giveUpOutbox(options: { readonly createdBefore: Date; readonly error: string; readonly limit?: number; readonly kinds?: readonly OutboxKind[] }): Promise<OutboxItem[]> {
    return this.concerns.outbox.giveUpOutbox(options);
  }

  // ---------------------------------------------------------------------------------- mirror ledger

  listMirroredExclusions(): Promise<string[]> {
    return this.concerns.ledger.listMirroredExclusions();
  }

  markExclusionMirrored(exclusionId: string): Promise<void> {
    return this.concerns.ledger.markExclusionMirrored(exclusionId);
  }

  markExclusionUnmirrored(exclusionId: string): Promise<void> {
    return this.concerns.ledger.markExclusionUnmirrored(exclusionId);
  }

  // ------------------------------------------------------------------------------------------ audit

  appendAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return this.concerns.audit.appendAudit(entry);
  }

  countAudit(entry: NewCountedAuditEntry): Promise<AuditEntry> {
    return this.concerns.audit.countAudit(entry);
  }

  listAudit(options?: { readonly limit?: number; readonly tenant?: string }): Promise<AuditEntry[]> {
    return this.concerns.audit.listAudit(options);
  }

  // -------------------------------------------------------------------------- watches and sanctions

  createWatch(watch: NewWatch): Promise<Created<Watch>> {
    return this.concerns.watches.createWatch(watch);
  }

  getWatch(tenant: string, id: number): Promise<Watch | undefined> {
    return this.concerns.watches.getWatch(tenant, id);
  }

  listWatches(filter?: { readonly tenant?: string; readonly active?: boolean }): Promise<Watch[]> {
    return this.concerns.watches.listWatches(filter);
  }

  stopWatch(ref: WatchRef, stoppedBy: Actor): Promise<{ readonly record: Watch; readonly stopped: boolean } | undefined> {
    return this.concerns.watches.stopWatch(ref, stoppedBy);
  }

  claimDueWatches(options?: { readonly limit?: number; readonly leaseMs?: number }): Promise<ClaimedWatch[]> {
    return this.concerns.watches.claimDueWatches(options);
  }

  finishWatchRun(lease: WatchLease, outcome: WatchRunOutcome): Promise<boolean> {
    return this.concerns.watches.finishWatchRun(lease, outcome);
  }

  recordWatchSightings(
    ref: WatchRef,
    batch: { readonly runKey: string; readonly kind: WatchBatchKind },
    sightings: readonly NewWatchSighting[],
  ): Promise<{ readonly recorded: number }> {
    return this.concerns.watches.recordWatchSightings(ref, batch, sightings);
  }

  listPendingWatchBatches(ref: WatchRef): Promise<WatchBatch[]> {
    return this.concerns.watches.listPendingWatchBatches(ref);
  }

  enqueueWatchPost(ref: WatchRef, runKey: string, message: OutboxMessage): Promise<Created<OutboxItem> | undefined> {
    return this.concerns.watches.enqueueWatchPost(ref, runKey, message);
  }

  listWatchSightings(ref: WatchRef): Promise<WatchSighting[]> {
    return this.concerns.watches.listWatchSightings(ref);
  }

  setSanction(sanction: NewSanction): Promise<{ readonly record: Sanction; readonly replaced?: Sanction }> {
    return this.concerns.sanctions.setSanction(sanction);
  }

  getSanction(tenant: string, toolId: string): Promise<Sanction | undefined> {
    return this.concerns.sanctions.getSanction(tenant, toolId);
  }

  listSanctions(tenant: string): Promise<Sanction[]> {
    return this.concerns.sanctions.listSanctions(tenant);
  }

  removeSanction(tenant: string, toolId: string): Promise<Sanction | undefined> {
    return this.concerns.sanctions.removeSanction(tenant, toolId);
  }

  // ------------------------------------------------------------------------------------- operations

  abstract purge(cutoffs: PurgeCutoffs): Promise<PurgeResult>;

  abstract health(): Promise<StoreHealth>;

  abstract close(): Promise<void>;
}
