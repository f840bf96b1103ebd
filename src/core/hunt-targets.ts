/**
 * Where a hunt can run: the default backend and, for Log Analytics, other workspaces by alias
 * (`hunt kaseya 5d in emea`), each with the portal link that opens the same query.
 */
import type { Backend } from '../backends/backend';
import type { HuntWindow } from '../hunt/window';
import { UserError } from './user-error';

/** A link to the same query in the service's own portal. */
export interface PortalLink {
  readonly title: string;
  readonly url: string;
}

/** One place hunts run. */
export interface HuntTarget {
  readonly backend: Backend;
  /**
   * The same place for watches: its queries run at background priority under the same concurrency
   * cap (a free slot always goes to an analyst's hunt first) and share only with each other. The
   * interactive backend when absent.
   */
  readonly background?: Backend;
  /** The alias analysts name it by, if it has one. */
  readonly alias?: string;
  /** Whether the backend itself limits a query to the window (the APIs' `timespan`). */
  readonly appliesWindow: boolean;
  /** The same query in the portal, when the target knows how to link to it. */
  readonly portal?: (kql: string, window: HuntWindow) => PortalLink;
  /** Whether it can answer now (for `/healthz`): the data is there, the identity gets a token. */
  readonly ready?: () => Promise<Readiness>;
}

/** What a readiness check found. */
export interface Readiness {
  readonly ok: boolean;
  readonly detail: string;
}

/** The configured targets. */
export class HuntTargets {
  private readonly byAlias: ReadonlyMap<string, HuntTarget>;

  constructor(
    readonly defaultTarget: HuntTarget,
    others: readonly HuntTarget[] = [],
  ) {
    this.byAlias = new Map([defaultTarget, ...others].filter((t) => t.alias).map((t) => [t.alias!, t]));
  }

  /** Every target: the default first. */
  get all(): HuntTarget[] {
    return [this.defaultTarget, ...[...this.byAlias.values()].filter((t) => t !== this.defaultTarget)];
  }

  /** Every alias, in configuration order. */
  get aliases(): string[] {
    return [...this.byAlias.keys()];
  }

  /** The target an alias names (any case), or the default; refuses unknown aliases. */
  resolve(alias?: string): HuntTarget {
    if (alias === undefined) return this.defaultTarget;
    const target = this.byAlias.get(alias.toLowerCase());
    if (target) return target;
    const known = this.aliases;
    throw new UserError(
      `There is no workspace '${alias}'`,
      known.length ? `Workspaces: ${known.join(', ')}.` : 'Only one place to hunt is configured; leave out in <workspace>.',
    );
  }
}
