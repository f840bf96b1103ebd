/**
 * Exclusions as domain operations: exclude a device or a name pattern (from a command, or from a
 * finding's row), list the active ones, remove one by id or by its pattern. Typed inputs only:
 * the grammar (`grammar/exclusion-words.ts`), the form schema and the cards live elsewhere.
 */
import { isActive, patternMatches } from '../store/exclusion-match';
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

/** An exclusion to make. */
export interface ExcludeInput {
  readonly pattern: string;
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

  /** Excludes a device or pattern. */
  async exclude(input: ExcludeInput): Promise<Created<Exclusion>> {
    const { key, pattern, scope, reason, by } = input;
    const made = await this.deps.store.addExclusion({ key, pattern, scope, reason, createdBy: by, expiresAt: this.expiresAt(input.expiry) });
    return this.told(made, made.created);
  }

  /** Tells the `changed` hook when this call changed the exclusion. */
  private async told<T extends { readonly record: Exclusion }>(outcome: T, changed: boolean): Promise<T> {
    if (changed) await this.deps.changed?.(outcome.record);
    return outcome;
  }

  /**
   * Excludes a finding's device. One exclusion per card row, however many click at once: the key
   * names the row, and once that exclusion is removed the next one's key names the removed record.
   */
  async excludeFinding(input: ExcludeFindingInput): Promise<Created<Exclusion>> {
    const { hunt, finding } = input.ref;
    const scope: ExclusionScope = input.scope === 'all' ? { kind: 'all' } : { kind: 'tool', toolId: finding.toolId };
    let key = `exclude:${hunt.id}:${finding.rowKey}`;
    for (;;) {
      const made = await this.deps.store.addExclusion({
        key,
        pattern: finding.deviceName,
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

  /** The exclusions in force now, oldest first. */
  async active(): Promise<Exclusion[]> {
    const now = this.deps.now();
    return (await this.deps.store.listExclusions({ activeAt: now })).filter((e) => isActive(e, now));
  }

  /** Removes one exclusion; undefined when there is no such exclusion. */
  async remove(id: string, by: Actor): Promise<{ readonly record: Exclusion; readonly removed: boolean } | undefined> {
    const outcome = await this.deps.store.removeExclusion(id, by);
    return outcome && this.told(outcome, outcome.removed);
  }

  /** Removes the active exclusions with exactly this pattern (any case). */
  async removePattern(pattern: string, by: Actor): Promise<RemovedByPattern> {
    const active = await this.active();
    const exact = active.filter((e) => e.pattern.toLowerCase() === pattern.toLowerCase());
    if (exact.length === 0) return { removed: [], covering: active.filter((e) => patternMatches(e.pattern, pattern)).map((e) => e.pattern) };
    const removed = [];
    for (const exclusion of exact) {
      const outcome = await this.remove(exclusion.id, by);
      removed.push({ record: outcome?.record ?? exclusion, removed: outcome?.removed ?? false });
    }
    return { removed, covering: [] };
  }
}
