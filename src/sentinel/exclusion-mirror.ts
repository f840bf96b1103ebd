/**
 * Exclusions mirrored to the Sentinel watchlist, one item per active exclusion, so the SIEM's
 * analytics rules skip the devices analysts cleared in HuntOps.
 *
 * HuntOps is the source of truth for its items, but it does not silently undo what someone did in
 * Sentinel. To tell "never written" (write it) from "written, then deleted in Sentinel" (report it),
 * the mirror keeps a {@link MirrorLedger} of the exclusions whose item it wrote. `exclusions sync`
 * ({@link ExclusionMirror.sync}) then reconciles both ways:
 *
 * | exclusion | item in Sentinel | ledger | sync |
 * |---|---|---|---|
 * | active | missing | not written | adds it (`added`) |
 * | active | missing | written | reports it (`deletedInSentinel`); re-adds only with `restoreDeleted` |
 * | active | present, edited | — | rewrites HuntOps's columns (`rewritten`) |
 * | removed or expired | present | — | deletes it (`removed`) |
 * | — | present, no HuntOps exclusion | — | reports it (`unknown`), leaves it |
 * | another scope's (`others`) | present | — | leaves it, reports nothing |
 *
 * Every write is idempotent (the item id is derived from the exclusion id), so a repeat after a
 * failure or a crash converges.
 */
import {
  exclusionItemId,
  exclusionItemValues,
  isActiveExclusion,
  itemMatches,
  type MirroredExclusion,
} from './exclusion-item';
import { SentinelError } from './sentinel-error';
import type { SentinelWatchlist, WatchlistItem } from './sentinel-watchlist';

/** What the mirror needs of the watchlist client. */
export type WatchlistApi = Pick<SentinelWatchlist, 'alias' | 'ensure' | 'upsertItem' | 'deleteItem' | 'listItems'>;

/**
 * Which exclusions have their item written to the watchlist (by exclusion id). Kept by the caller
 * (next to the exclusions in the store); the mirror marks an exclusion after writing its item and
 * unmarks it after deleting the item.
 */
export interface MirrorLedger {
  /** Ids of the exclusions whose item was written and not deleted since. */
  mirrored(): Promise<ReadonlySet<string>>;
  markMirrored(exclusionId: string): Promise<void>;
  markUnmirrored(exclusionId: string): Promise<void>;
}

/** How the mirror is set up. */
export interface ExclusionMirrorOptions {
  readonly watchlist: WatchlistApi;
  readonly ledger: MirrorLedger;
  /** Default: the system clock. */
  readonly clock?: () => Date;
}

/** One exclusion sync could not reconcile, and why. */
export interface SyncFailure {
  readonly exclusionId: string;
  readonly error: SentinelError;
}

/** What {@link ExclusionMirror.sync} found and did, by exclusion id (`unknown`: by item). */
export interface SyncReport {
  readonly watchlist: string;
  /** True when sync had to create the watchlist. */
  readonly createdWatchlist: boolean;
  /** Items added for active exclusions that had none. */
  readonly added: readonly string[];
  /** Items deleted for removed or expired exclusions. */
  readonly removed: readonly string[];
  /** Items edited in Sentinel, rewritten with HuntOps's columns. */
  readonly rewritten: readonly string[];
  /** Active exclusions whose item HuntOps wrote and someone deleted in Sentinel (not re-added). */
  readonly deletedInSentinel: readonly string[];
  /** Of those, the ones re-added because the caller asked (`restoreDeleted`). */
  readonly restored: readonly string[];
  /** Items that are no HuntOps exclusion's (added in Sentinel by hand, or left from an older store): left alone. */
  readonly unknown: readonly WatchlistItem[];
  /** Exclusions that could not be reconciled this time (throttling, the service unavailable). */
  readonly failures: readonly SyncFailure[];
}

/** Failures after which nothing else can succeed either: sync stops at once. */
const FATAL: ReadonlySet<SentinelError['failure']> = new Set(['forbidden', 'auth', 'not-found', 'cancelled']);

/** Exclusions, mirrored to a Sentinel watchlist. */
export class ExclusionMirror {
  private readonly watchlist: WatchlistApi;
  private readonly ledger: MirrorLedger;
  private readonly clock: () => Date;
  private ensured = false;

  constructor(options: ExclusionMirrorOptions) {
    this.watchlist = options.watchlist;
    this.ledger = options.ledger;
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Brings one exclusion's item in line with the exclusion as it is now, after a change in HuntOps:
   * written while the exclusion is active (creating the watchlist the first time, and again should
   * it have been deleted in Sentinel since), deleted once it is removed or expired. It reads no
   * earlier state, so calls may come in any order and be repeated (an outbox can carry them).
   * Periodic reconciliation, which must not undo deletions made in Sentinel, is {@link sync}.
   */
  async apply(exclusion: MirroredExclusion, signal?: AbortSignal): Promise<void> {
    if (!isActiveExclusion(exclusion, this.clock())) {
      await this.remove(exclusion, signal);
      return;
    }
    await this.ensure(signal);
    try {
      await this.write(exclusion, signal);
    } catch (error) {
      if (!(error instanceof SentinelError) || error.failure !== 'not-found') throw error;
      this.ensured = false;
      await this.ensure(signal);
      await this.write(exclusion, signal);
    }
  }

  /** Deletes an exclusion's item (for an exclusion the store no longer has); false when there was none. */
  async remove(exclusion: Pick<MirroredExclusion, 'id'>, signal?: AbortSignal): Promise<boolean> {
    const deleted = await this.watchlist.deleteItem(exclusionItemId(exclusion), signal);
    await this.ledger.markUnmirrored(exclusion.id);
    return deleted;
  }

  /**
   * Reconciles the watchlist with `exclusions` (all of them, removed and expired included: an
   * exclusion the store no longer knows makes its item `unknown`). The items of `others` (exclusion
   * ids of another scope, such as another tenant's) are left alone and not reported. Stops with the
   * error when Sentinel refuses the bot or the watchlist is gone; other failures are reported per
   * exclusion.
   */
  async sync(
    exclusions: readonly MirroredExclusion[],
    options: { readonly restoreDeleted?: boolean; readonly signal?: AbortSignal; readonly others?: ReadonlySet<string> } = {},
  ): Promise<SyncReport> {
    const { signal } = options;
    const now = this.clock();
    const createdWatchlist = await this.ensure(signal);
    const items = new Map((await this.watchlist.listItems(signal)).map((item) => [item.itemId.toLowerCase(), item]));
    for (const id of options.others ?? []) items.delete(exclusionItemId({ id }).toLowerCase());
    const mirrored = await this.ledger.mirrored();
    const report = { added: [] as string[], removed: [] as string[], rewritten: [] as string[], deletedInSentinel: [] as string[], restored: [] as string[], failures: [] as SyncFailure[] };
    for (const exclusion of exclusions) {
      const itemId = exclusionItemId(exclusion).toLowerCase();
      const item = items.get(itemId);
      items.delete(itemId);
      try {
        await this.reconcile(exclusion, item, isActiveExclusion(exclusion, now), mirrored.has(exclusion.id), options.restoreDeleted === true, report, signal);
      } catch (error) {
        if (!(error instanceof SentinelError) || FATAL.has(error.failure)) throw error;
        report.failures.push({ exclusionId: exclusion.id, error });
      }
    }
    return { watchlist: this.watchlist.alias, createdWatchlist, ...report, unknown: [...items.values()] };
  }

  private async reconcile(
    exclusion: MirroredExclusion,
    item: WatchlistItem | undefined,
    active: boolean,
    wasMirrored: boolean,
    restoreDeleted: boolean,
    report: { added: string[]; removed: string[]; rewritten: string[]; deletedInSentinel: string[]; restored: string[] },
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (!active) {
      if (item) {
        await this.watchlist.deleteItem(item.itemId, signal);
        report.removed.push(exclusion.id);
      }
      if (item || wasMirrored) await this.ledger.markUnmirrored(exclusion.id);
      return;
    }
    if (item) {
      if (!itemMatches(item.values, exclusion)) {
        await this.write(exclusion, signal);
        report.rewritten.push(exclusion.id);
      } else if (!wasMirrored) {
        await this.ledger.markMirrored(exclusion.id);
      }
      return;
    }
    if (wasMirrored) {
      report.deletedInSentinel.push(exclusion.id);
      if (!restoreDeleted) return;
      await this.write(exclusion, signal);
      report.restored.push(exclusion.id);
      return;
    }
    await this.write(exclusion, signal);
    report.added.push(exclusion.id);
  }

  private async write(exclusion: MirroredExclusion, signal: AbortSignal | undefined): Promise<void> {
    await this.watchlist.upsertItem(exclusionItemId(exclusion), exclusionItemValues(exclusion), signal);
    await this.ledger.markMirrored(exclusion.id);
  }

  /** Makes sure the watchlist exists, once per mirror; true when this call created it. */
  private async ensure(signal: AbortSignal | undefined): Promise<boolean> {
    if (this.ensured) return false;
    const { created } = await this.watchlist.ensure(signal);
    this.ensured = true;
    return created;
  }
}
