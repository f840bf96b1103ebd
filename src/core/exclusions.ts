/**
 * Exclusions as domain operations: exclude a finding's device (from its card row: the exclusion
 * binds the row's DeviceId) or a name pattern (typed in a command), list the active ones, remove one
 * by id or by its pattern. Everything is per tenant: an exclusion made in one tenant never hides a
 * device in another's hunts, nor shows in its list. Typed inputs only: the grammar
 * (`exclusion-words.ts`), the form schema and the cards live elsewhere.
 */
import { exclusionKind, isActive, MAX_RECORDED_NAME, patternMatches, sameName } from '../store/exclusion-match';
import type { Actor, Created, Exclusion, ExclusionScope, Store } from '../store/store';
import type { FindingRef } from './hunt-service';

/** The expiry of an exclusion made by command without `for`. */
export const DEFAULT_COMMAND_EXPIRY_DAYS = 30;

/** Active exclusions per page of the exclusions card. */
export const EXCLUSIONS_PAGE_SIZE = 8;

/** The longest reason kept. */
export const MAX_REASON = 500;

/** When an exclusion stops applying: never, or after a while. */
export type Expiry = { readonly kind: 'never' } | { readonly kind: 'after'; readonly ms: number };

/** What exclusions need. */
export interface ExclusionDeps {
  readonly store: Store;
  readonly now: () => Date;
  /** Told after an exclusion was made or removed (the Sentinel watchlist mirror hooks in here). */
  readonly changed?: (exclusion: Exclusion) => Promise<void>;
}

/** A name pattern to exclude (typed by a responder). */
export interface ExcludeInput {
  readonly pattern: string;
  /** The tenant scope it applies in. */
  readonly tenant: string;
  readonly scope: ExclusionScope;
  readonly reason: string;
  readonly expiry: Expiry;
  readonly by: Actor;
  /** Idempotency key: the same key makes one exclusion however often it is sent. */
  readonly key: string;
}

/** The exclusion of a finding's device, made from its card row. */
export interface ExcludeFindingInput {
  readonly ref: FindingRef;
  /** This finding's tool, or every RMM tool. */
  readonly scope: 'tool' | 'all';
  readonly reason: string;
  readonly expiry: Expiry;
  readonly by: Actor;
  /** The tenant scope it applies in. */
  readonly tenant: string;
}

/** What removing by pattern did. */
export interface RemovedByPattern {
  /** The active exclusions with exactly that pattern, each removed (or already removed by someone else). */
  readonly removed: ReadonlyArray<{ readonly record: Exclusion; readonly removed: boolean }>;
  /** When none has that pattern: the patterns of the active ones that cover it. */
  readonly covering: readonly string[];
}

/** Exclusion operations. */
export class ExclusionService {
  constructor(private readonly deps: ExclusionDeps) {}

  /** When an exclusion with this expiry, made now, stops applying. */
  expiresAt(expiry: Expiry): Date | null {
    return expiry.kind === 'never' ? null : new Date(this.deps.now().getTime() + expiry.ms);
  }

  /** Excludes the devices a typed name pattern covers. */
  async exclude(input: ExcludeInput): Promise<Created<Exclusion>> {
    const { key, pattern, scope, reason, by, tenant } = input;
    const made = await this.deps.store.addExclusion({ key, pattern, scope, reason, tenant, createdBy: by, expiresAt: this.expiresAt(input.expiry) });
    return this.told(made, made.created);
  }

  /** Tells the `changed` hook when this call changed the exclusion. */
  private async told<T extends { readonly record: Exclusion }>(outcome: T, changed: boolean): Promise<T> {
    if (changed) await this.deps.changed?.(outcome.record);
    return outcome;
  }

  /**
   * Excludes a finding's device: binds its DeviceId, and records the name shown (never a pattern).
   * One exclusion per card row, however many click at once: the key names the row, and once that
   * exclusion is removed the next one's key names the removed record.
   */
  async excludeFinding(input: ExcludeFindingInput): Promise<Created<Exclusion>> {
    const { hunt, finding } = input.ref;
    const scope: ExclusionScope = input.scope === 'all' ? { kind: 'all' } : { kind: 'tool', toolId: finding.toolId };
    let key = `exclude:${hunt.id}:${finding.rowKey}`;
    for (;;) {
      const made = await this.deps.store.addExclusion({
        key,
        pattern: finding.deviceName.slice(0, MAX_RECORDED_NAME),
        deviceId: finding.deviceId,
        tenant: input.tenant,
        scope,
        reason: input.reason,
        createdBy: input.by,
        expiresAt: this.expiresAt(input.expiry),
        source: { huntId: hunt.id, rowKey: finding.rowKey },
      });
      if (made.created || isActive(made.record, this.deps.now())) return this.told(made, made.created);
      key = `exclude:${hunt.id}:${finding.rowKey}:after:${made.record.id}`;
    }
  }

  /** The exclusions in force now in a tenant, oldest first. */
  async active(tenant: string): Promise<Exclusion[]> {
    const now = this.deps.now();
    return (await this.deps.store.listExclusions({ activeAt: now, tenant })).filter((e) => isActive(e, now));
  }

  /**
   * Removes one exclusion of the tenant; undefined when the tenant has no such exclusion (another
   * tenant's id is answered exactly as an unknown one).
   */
  async remove(id: string, by: Actor, tenant: string): Promise<{ readonly record: Exclusion; readonly removed: boolean } | undefined> {
    const found = await this.deps.store.getExclusion(id);
    if (!found || (found.tenant !== undefined && found.tenant !== tenant)) return undefined;
    const outcome = await this.deps.store.removeExclusion(id, by);
    return outcome && this.told(outcome, outcome.removed);
  }

  /**
   * Removes the tenant's active exclusions listed under exactly this text (any case): a pattern, or
   * a device's recorded name. When none is, `covering` names the typed patterns that cover the text.
   */
  async removePattern(pattern: string, by: Actor, tenant: string): Promise<RemovedByPattern> {
    const active = await this.active(tenant);
    const exact = active.filter((e) => sameName(e.pattern, pattern));
    if (exact.length === 0) {
      return { removed: [], covering: active.filter((e) => exclusionKind(e) === 'pattern' && patternMatches(e.pattern, pattern)).map((e) => e.pattern) };
    }
    const removed = [];
    for (const exclusion of exact) {
      const outcome = await this.remove(exclusion.id, by, tenant);
      removed.push({ record: outcome?.record ?? exclusion, removed: outcome?.removed ?? false });
    }
    return { removed, covering: [] };
  }
}
