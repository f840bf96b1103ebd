/**
 * Kusto's `has`: the right-hand side is a whole term of the left-hand side, case-insensitively.
 *
 * Terms. Kusto's documentation: "each string value is broken into maximal sequences of ASCII
 * alphanumeric characters, and each of those sequences is made into a term" (String operators,
 * `doc/datatypes-string-operators.md` in github.com/microsoft/Kusto-Query-Language, and the
 * "Tips" of the learn.microsoft.com page; the current page says "alphanumeric"). Kusto's own
 * tokenizer (`Kusto.Language` `TextFacts.IsLetterOrDigit`) is ASCII-only too. So only `A-Z`,
 * `a-z` and `0-9` make terms; every other character, including `_` and non-ASCII letters such
 * as `Ü` or `ä`, separates terms: `DWSNET OÜ` has the terms `DWSNET` and `O`, `Krämer` has `Kr`
 * and `mer`. Hence `"DWSNET OÜ" has "O"` and `"Krämer IT" has "Kr"` are true, and
 * `"KustoExplorerQueryRun" has "Explorer"` is false (documented example).
 *
 * Phrases. A needle of several terms (`Action1 Corporation`, `Level Software, Inc`) matches where
 * it occurs in the text, case-insensitively, with no term character on either side of its first
 * and last terms: the match starts and ends on term boundaries. A needle edge that is itself a
 * separator (`Servably, Inc.`, `\Program Files\Level\`) already lies on a boundary, so only the
 * edges that are term characters are checked.
 *
 * A needle with no term at all (`''`, `'.'`) has no documented meaning: "a whole term" cannot be
 * empty. The engine refuses it rather than guess (see {@link NeedleWithoutTermError}).
 */
import { foldCase } from './case-folding';

function isTermChar(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** True when `text` holds at least one term character. */
function hasTermChar(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isTermChar(text.charCodeAt(i))) return true;
  return false;
}

/** Thrown when a `has` needle contains no term. */
export class NeedleWithoutTermError extends Error {
  constructor(readonly needle: string) {
    super(`a has needle must contain a letter or digit; ${JSON.stringify(needle)} has no term`);
    this.name = 'NeedleWithoutTermError';
  }
}

/** A prepared `has` test for one needle: call it with each text. */
export type TermMatcher = (text: string) => boolean;

/** How a term test matches: the case, and which edges of the needle must be term boundaries. */
export interface TermMatchOptions {
  /** `has_cs`, `hasprefix_cs`, `hassuffix_cs`: the case must match too. */
  readonly caseSensitive?: boolean;
  /** The needle must start a term (`has`, `hasprefix`). Default true. */
  readonly startsTerm?: boolean;
  /** The needle must end a term (`has`, `hassuffix`). Default true. */
  readonly endsTerm?: boolean;
}

/**
 * Prepares a term test: `has` (both edges on term boundaries), `hasprefix` (the needle starts a
 * term: "a term prefix"), `hassuffix` (it ends one), each case-insensitive or, with
 * `caseSensitive`, not. Throws {@link NeedleWithoutTermError} for a needle without a term.
 */
export function prepareTermMatch(needle: string, options: TermMatchOptions = {}): TermMatcher {
  if (!hasTermChar(needle)) throw new NeedleWithoutTermError(needle);
  const caseSensitive = options.caseSensitive ?? false;
  const folded = caseSensitive ? needle : foldCase(needle);
  const checkLeft = (options.startsTerm ?? true) && isTermChar(needle.charCodeAt(0));
  const checkRight = (options.endsTerm ?? true) && isTermChar(needle.charCodeAt(needle.length - 1));
  const length = needle.length;
  return (text: string): boolean => {
    if (text.length < length) return false;
    const hay = caseSensitive ? text : foldCase(text);
    for (let at = hay.indexOf(folded); at >= 0; at = hay.indexOf(folded, at + 1)) {
      if (checkLeft && at > 0 && isTermChar(text.charCodeAt(at - 1))) continue;
      if (checkRight && at + length < text.length && isTermChar(text.charCodeAt(at + length))) continue;
      return true;
    }
    return false;
  };
}

/** Prepares `text has needle`. Throws {@link NeedleWithoutTermError} for a needle without a term. */
export function prepareHas(needle: string): TermMatcher {
  return prepareTermMatch(needle);
}
