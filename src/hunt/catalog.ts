/**
 * The RMM tool catalog: every remote monitoring and management tool of the public hunting rules and
 * of LOLRMM (remote-control tools only), with the strings each of its hunts looks for and where each
 * comes from. Built by `scripts/extract-catalog.ts`. Tool names in KQL come from here only.
 */
import { distance } from 'fastest-levenshtein';
import catalogData from './rmm-catalog.json';

/**
 * One column test of a process or network hunt, in Kusto's terms. Values are compared as Kusto does:
 * `has` by whole terms, every operator here case-insensitively.
 */
export type HuntPredicate =
  /** `Column has 'v'` (one value) or `Column has_any ('v', ...)`. */
  | { readonly column: string; readonly op: 'has'; readonly values: readonly string[] }
  /** `Column startswith 'v'` for any of the values. */
  | { readonly column: string; readonly op: 'startswith'; readonly values: readonly string[] }
  /** `Column =~ 'v'` for any of the values (`Column in~ ('v', ...)` for several). */
  | { readonly column: string; readonly op: '=~'; readonly values: readonly string[] }
  /** `isempty(Column)`. */
  | { readonly column: string; readonly op: 'isempty' }
  /**
   * The file whose SHA-1 is in `Column` was seen signed by one of the values within the hunt's
   * window: `Column in (DeviceFileCertificateInfo | where <window> | where Signer has_any (values) | distinct SHA1)`.
   */
  | { readonly column: string; readonly op: 'signedBy'; readonly values: readonly string[] };

/**
 * Where a string of a hunt comes from and why it may hunt: a public rule that tests it, or a LOLRMM
 * tool file and the rule of `scripts/catalog/` that kept it. Dropped strings are listed, with their
 * reasons, in `docs/catalog-review.md`.
 */
export interface StringProvenance {
  readonly value: string;
  /** The column the hunt tests it against, for process and network hunts. */
  readonly column?: string;
  /** `rmm-hunts/<rule file>` or `lolrmm/<tool file>`. */
  readonly source: string;
  readonly reason: string;
}

/** Predicates of which at least one must hold (`or`). */
export type HuntClause = readonly HuntPredicate[];

/** The process-creation hunt of a tool (`DeviceProcessEvents`). */
export interface ProcessHunt {
  /** Public rule id, or `lolrmm:<tool file>` for a hunt built from LOLRMM. */
  readonly ruleId: string;
  /** Values of `ProcessVersionInfoCompanyName has`/`has_any` in {@link filter}; empty when it does not test the company. */
  readonly companies: readonly string[];
  /** Values of `ProcessVersionInfoProductName has`/`has_any` in {@link filter}; empty when it does not test the product. */
  readonly products: readonly string[];
  /** Program names the filter tests exactly (`FileName =~`), lower case as LOLRMM's; empty when none. */
  readonly fileNames?: readonly string[];
  /** Where each string of {@link filter} comes from. */
  readonly provenance?: readonly StringProvenance[];
  /**
   * The rule's condition as its authors intended it (see `scripts/extract-catalog.ts` for the
   * public rules' flaws): every clause must hold (`and`). The time window is not part of it.
   */
  readonly filter: readonly HuntClause[];
}

/** The network-connection hunt of a tool (`DeviceNetworkEvents`). */
export interface NetworkHunt {
  /**
   * Public rule id (the all-tools rule's for tools that have no network rule of their own), or
   * `lolrmm:<tool file>` for a hunt built from LOLRMM.
   */
  readonly ruleId: string;
  /** Values of `RemoteUrl has`/`has_any` in {@link filter}; empty when the rule does not test the URL. */
  readonly domains: readonly string[];
  /** Values of `InitiatingProcessVersionInfoCompanyName has`/`has_any` in {@link filter}; empty when not tested. */
  readonly companies: readonly string[];
  /** Values of `InitiatingProcessVersionInfoProductName has`/`has_any` in {@link filter}; empty when not tested. */
  readonly products: readonly string[];
  /** Values of `InitiatingProcessFileName has`/`has_any` in {@link filter}; empty when not tested that way. */
  readonly fileNames: readonly string[];
  /** The filter has the clause `isempty(InitiatingProcessVersionInfoCompanyName)` on its own. */
  readonly requiresEmptyCompany: boolean;
  /** Where each string of {@link filter} comes from. */
  readonly provenance?: readonly StringProvenance[];
  /** The rule's condition, as {@link ProcessHunt.filter}. */
  readonly filter: readonly HuntClause[];
}

/** The file-signature hunt of a tool (`DeviceFileCertificateInfo`). */
export interface FileSignatureHunt {
  /** Public rule id, or `lolrmm:<tool file>` for a hunt built from LOLRMM. */
  readonly ruleId: string;
  /**
   * `Signer has` (one) or `Signer has_any` (several), exactly as the public rule names them, or the
   * LOLRMM signers that are the tool's vendor.
   */
  readonly signers: readonly string[];
  /** Where each signer comes from. */
  readonly provenance?: readonly StringProvenance[];
}

/** LOLRMM's categories: remote monitoring and management, or remote access (`RAT`) kept as remote control. */
export type ToolCategory = 'RMM' | 'RAT';

/** One RMM tool. */
export interface RmmTool {
  /** Stable lower-case id, used in commands and card data: `kaseya`, `anydesk`. */
  readonly id: string;
  /** Display name: `Kaseya`, `AnyDesk`. */
  readonly name: string;
  /** Other names analysts type, lower case. */
  readonly aliases: readonly string[];
  /** LOLRMM's category (`RMM` for tools only the public rules name). */
  readonly category?: ToolCategory;
  /** The public rule files (`rmm-hunts/…`) and LOLRMM files (`lolrmm/…`) the tool is built from. */
  readonly sources?: readonly string[];
  readonly fileSignature?: FileSignatureHunt;
  readonly process?: ProcessHunt;
  readonly network?: NetworkHunt;
}

/** The catalog: lookup by id or alias, and suggestions for what is not in it. */
export class Catalog {
  private readonly byKey = new Map<string, RmmTool>();

  constructor(readonly tools: readonly RmmTool[]) {
    for (const tool of tools) {
      for (const key of [tool.id, tool.name, ...tool.aliases]) {
        const normal = normalise(key);
        const existing = this.byKey.get(normal);
        if (existing && existing !== tool) {
          throw new Error(`catalog: '${key}' names both ${existing.id} and ${tool.id}`);
        }
        this.byKey.set(normal, tool);
      }
    }
  }

  /** The tool a user's word names (id, display name or alias, any case), if any. */
  find(word: string): RmmTool | undefined {
    return this.byKey.get(normalise(word));
  }

  /** The tool with this id, if any. */
  get(id: string): RmmTool | undefined {
    const tool = this.byKey.get(normalise(id));
    return tool?.id === id ? tool : undefined;
  }

  /** Up to `limit` tool names closest to a word nobody recognised, best first. */
  suggest(word: string, limit = 3): RmmTool[] {
    const needle = normalise(word);
    if (!needle) return [];
    const scored = new Map<RmmTool, number>();
    for (const [key, tool] of this.byKey) {
      const score = key.startsWith(needle) || needle.startsWith(key) ? 0 : distance(needle, key) / Math.max(key.length, 1);
      const best = scored.get(tool);
      if (best === undefined || score < best) scored.set(tool, score);
    }
    return [...scored.entries()]
      .filter(([, score]) => score <= 0.5)
      .sort((a, b) => a[1] - b[1] || a[0].name.localeCompare(b[0].name))
      .slice(0, limit)
      .map(([tool]) => tool);
  }
}

function normalise(word: string): string {
  return word.normalize('NFKC').toLowerCase().replace(/[\s_-]+/g, '');
}

/** The project's catalog (from `rmm-catalog.json`). */
export function loadCatalog(): Catalog {
  return new Catalog(catalogData.tools as RmmTool[]);
}
