/**
 * What chat needs to ask of a wide catalog: the tools a text names (`tools screen`), a page of them,
 * the kinds of hunt a tool has, and a typed error when a hunt of a kind it lacks is asked for.
 */
import type { RmmTool } from './catalog';
import type { HuntKind } from './kql-builder';

/** The kinds of hunt, in the order they are listed. */
export const HUNT_KINDS: readonly HuntKind[] = Object.freeze(['file-signature', 'process', 'network']);

/** The kinds of hunt a tool has, in {@link HUNT_KINDS} order. */
export function huntKindsOf(tool: RmmTool): HuntKind[] {
  return HUNT_KINDS.filter((kind) => (kind === 'file-signature' ? tool.fileSignature?.signers.length : kind === 'process' ? tool.process?.filter.length : tool.network?.filter.length));
}

/** The kind `hunt <tool>` runs when none is named: the seed's file signature when the tool has it, else its first kind. */
export function defaultHuntKind(tool: RmmTool): HuntKind {
  const kinds = huntKindsOf(tool);
  if (kinds.length === 0) throw new Error(`${tool.id} has no hunt`);
  return kinds[0]!;
}

/** A hunt of a kind the tool does not have was asked for; {@link available} says which it has. */
export class MissingHuntKindError extends Error {
  readonly available: readonly HuntKind[];

  constructor(
    readonly tool: RmmTool,
    readonly kind: HuntKind,
  ) {
    const available = huntKindsOf(tool);
    super(`${tool.name} has no ${kind} hunt; it has ${available.join(', ')}`);
    this.name = 'MissingHuntKindError';
    this.available = available;
  }
}

/** The tool back when it has a hunt of `kind`; {@link MissingHuntKindError} otherwise. */
export function requireHuntKind(tool: RmmTool, kind: HuntKind): RmmTool {
  if (!huntKindsOf(tool).includes(kind)) throw new MissingHuntKindError(tool, kind);
  return tool;
}

function folded(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/**
 * The tools a filter text names, in catalog order: every word of the text (any case) occurs in the
 * tool's id, name, aliases or category, or names a kind of hunt it has (`net`, `process`,
 * `signature`). An empty text is every tool.
 */
export function filterTools(tools: readonly RmmTool[], text: string): RmmTool[] {
  const words = folded(text).split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...tools];
  return tools.filter((tool) => {
    const haystack = folded([tool.id, tool.name, ...tool.aliases, tool.category ?? ''].join(' '));
    const kinds = huntKindsOf(tool).join(' ');
    return words.every((word) => haystack.includes(word) || KIND_WORDS[word]?.some((kind) => kinds.includes(kind)));
  });
}

const KIND_WORDS: Readonly<Record<string, readonly HuntKind[]>> = {
  signature: ['file-signature'],
  signer: ['file-signature'],
  sig: ['file-signature'],
  process: ['process'],
  proc: ['process'],
  network: ['network'],
  net: ['network'],
};

/** One page of a list. */
export interface Page<T> {
  readonly items: readonly T[];
  /** 1-based, clamped to the pages there are. */
  readonly page: number;
  readonly pageCount: number;
  readonly total: number;
}

/** Page `page` (1-based, clamped) of `items`, `size` to a page. */
export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('a page holds at least one item');
  const pageCount = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(Math.max(1, Number.isFinite(page) ? Math.trunc(page) : 1), pageCount);
  return { items: items.slice((current - 1) * size, current * size), page: current, pageCount, total: items.length };
}
