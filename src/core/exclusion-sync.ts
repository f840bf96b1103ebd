/**
 * Exclusions and the Sentinel watchlist: every change of an exclusion enqueues a Sentinel item that
 * writes (or deletes) its watchlist item as the exclusion is when the item is delivered; a periodic
 * pass catches what no change announces (an exclusion expiring, a change whose item was never
 * enqueued); `exclusions sync` reconciles both ways and reports the drift; the exclusions card says
 * when the mirror cannot write (the Contributor role missing), while HuntOps keeps applying the
 * exclusions to its own hunts.
 */
import type { MirroredExclusion } from '../sentinel/exclusion-item';
import type { MirrorLedger, SyncReport } from '../sentinel/exclusion-mirror';
import { isActive } from '../store/exclusion-match';
import type { Exclusion, Store } from '../store/store';
import type { Log } from './log';
import { sentinelExclusionPayload } from './payloads/sentinel-payload';
import type { SentinelServices } from './sentinel-services';

/** The outbox team of the exclusion mirror's items (exclusions belong to no incident team). */
export const MIRROR_TEAM = 'sentinel';

/** How often the periodic pass runs by default. */
export const MIRROR_PASS_MS = 10 * 60_000;

/** The outbox key of the item that mirrors an exclusion's creation or its removal (or expiry). */
export function mirrorKey(exclusionId: string, change: 'added' | 'removed'): string {
  return `sentinel:exclusion:${exclusionId}:${change}`;
}

/** The mirror's ledger, kept in the store. */
export function storeLedger(store: Store): MirrorLedger {
  return {
    mirrored: async () => new Set(await store.listMirroredExclusions()),
    markMirrored: (id) => store.markExclusionMirrored(id),
    markUnmirrored: (id) => store.markExclusionUnmirrored(id),
  };
}

/** An exclusion as the mirror writes it: with the DeviceId of the hunt row it was made from, while the store keeps that hunt. */
export async function mirroredExclusion(store: Store, exclusion: Exclusion): Promise<MirroredExclusion> {
  const finding = exclusion.source && (await store.getFinding(exclusion.source.huntId, exclusion.source.rowKey));
  return { ...exclusion, ...(finding ? { deviceId: finding.deviceId } : {}) };
}

/** What the exclusions card says about the watchlist, when something is wrong. */
export interface MirrorStatus {
  /** Active exclusions the watchlist does not have because their item failed for good. */
  readonly failed: number;
  /** The last error of one of them (it names the role the bot's identity needs). */
  readonly error?: string;
}

/** What the mirror needs. */
export interface ExclusionSyncDeps {
  readonly store: Store;
  readonly sentinel: Pick<SentinelServices, 'mirror' | 'watchlist' | 'workspaceName'>;
  readonly now: () => Date;
  /** Wakes the outbox workers after something was enqueued. */
  readonly notifyOutbox: () => void;
  readonly log: Log;
}

/** The exclusions' side of the watchlist. */
export class ExclusionSync {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly deps: ExclusionSyncDeps) {}

  /** The watchlist's alias. */
  get watchlist(): string {
    return this.deps.sentinel.watchlist;
  }

  /** The Sentinel workspace's name. */
  get workspace(): string {
    return this.deps.sentinel.workspaceName;
  }

  /** The exclusion service's "exclusion changed" hook: enqueues the item that brings the watchlist in line. */
  async changed(exclusion: Exclusion): Promise<void> {
    if (await this.enqueue(exclusion.id, exclusion.removedAt ? 'removed' : 'added')) this.deps.notifyOutbox();
  }

  /**
   * Enqueues an item for every exclusion whose watchlist item is out of line without a change to say
   * so: removed or expired ones still marked written, active ones never written. Items already
   * enqueued for the same change (delivered, pending, or failed for good) are not enqueued again.
   * Resolves with how many were enqueued.
   */
  async pass(): Promise<number> {
    const now = this.deps.now();
    const [exclusions, mirrored] = await Promise.all([this.deps.store.listExclusions(), this.deps.store.listMirroredExclusions()]);
    const written = new Set(mirrored);
    let enqueued = 0;
    for (const exclusion of exclusions) {
      const active = isActive(exclusion, now);
      if (active === written.has(exclusion.id)) continue;
      if (await this.enqueue(exclusion.id, active ? 'added' : 'removed')) enqueued++;
    }
    if (enqueued > 0) this.deps.notifyOutbox();
    return enqueued;
  }

  /** Reconciles the watchlist with every exclusion (`exclusions sync`); with `restoreDeleted`, items deleted in Sentinel are written again. */
  async sync(options: { readonly restoreDeleted?: boolean } = {}): Promise<SyncReport> {
    const exclusions = await this.deps.store.listExclusions();
    const mirrored = await Promise.all(exclusions.map((exclusion) => mirroredExclusion(this.deps.store, exclusion)));
    return this.deps.sentinel.mirror.sync(mirrored, options);
  }

  /** Why some active exclusions are not in the watchlist, when their items failed for good. */
  async status(active: readonly Exclusion[]): Promise<MirrorStatus> {
    const written = new Set(await this.deps.store.listMirroredExclusions());
    const missing = new Set(active.filter((e) => !written.has(e.id)).map((e) => mirrorKey(e.id, 'added')));
    if (missing.size === 0) return { failed: 0 };
    const dead = (await this.deps.store.listOutbox({ team: MIRROR_TEAM, status: 'dead' })).filter((item) => missing.has(item.key));
    const last = dead[dead.length - 1];
    return { failed: dead.length, ...(last?.lastError ? { error: last.lastError } : {}) };
  }

  /** Runs the periodic pass now and every `intervalMs`. */
  start(intervalMs = MIRROR_PASS_MS): void {
    const run = () => {
      this.running ??= this.pass()
        .catch((error: unknown) => this.deps.log.error({ err: error }, 'exclusion mirror: the periodic pass failed'))
        .finally(() => (this.running = undefined));
    };
    run();
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
  }

  /** Stops the periodic pass, waiting for one in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async enqueue(exclusionId: string, change: 'added' | 'removed'): Promise<boolean> {
    const { created } = await this.deps.store.enqueueOutbox({
      key: mirrorKey(exclusionId, change),
      team: MIRROR_TEAM,
      kind: 'sentinel',
      target: null,
      payload: sentinelExclusionPayload(exclusionId),
    });
    return created;
  }
}
