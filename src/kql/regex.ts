/**
 * Kusto's regular expressions are RE2's, and the engine runs them on re2js, the JavaScript port of
 * RE2: the same syntax and the same answers (leftmost-first matching; `.` is any character but
 * `\n`; `\w \d \s \b` are ASCII; flags `(?i)`, `(?s)`, `(?m)`, `(?U)`; no look-around and no
 * back-references, which RE2 refuses), and, above all, time linear in the length of the text.
 * Telemetry strings are written by the adversary: with a backtracking engine (JavaScript's
 * `RegExp`) a pattern such as `^(\w+\s?)*$` takes time exponential in the length of a command line
 * and stalls the bot; here it costs a scan of the text. The pattern is bounded too: RE2 refuses
 * repetition counts above 1000 (nested ones multiplied), and a pattern whose compiled program is
 * larger than {@link MAX_PROGRAM_SIZE} instructions is refused.
 *
 * Why re2js: it is pure JavaScript (no native build, nothing to download at install), it is a port
 * of RE2 itself (RE2/J), so its syntax and semantics are the ones Kusto documents, and it is
 * maintained. The native `re2` bindings need a compiler or a prebuilt binary from the network;
 * `re2-wasm` has not been published since 2021.
 */
import { RE2JS, RE2JSException, type Matcher } from 're2js';

/**
 * The largest compiled pattern accepted, in program instructions (RE2's measure of a pattern's
 * cost): matching costs at most this much work per character of text. `\w{1000}` is about 1000;
 * the patterns of hunting rules are far smaller.
 */
export const MAX_PROGRAM_SIZE = 10_000;

/** A pattern RE2 refuses, or one too large to run (`tooLarge`). */
export class RegexError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
    this.name = 'RegexError';
  }
}

/** One match: where it is, and the text of each capture group (`undefined` when the group took no part). */
export interface RegexMatch {
  readonly start: number;
  readonly end: number;
  group(index: number): string | undefined;
}

/** A rewrite of `replace_regex`, parsed once: literal text and group references. */
export type Rewrite = ReadonlyArray<string | number>;

/** A compiled RE2 pattern. */
export class KustoRegex {
  private constructor(
    private readonly re: RE2JS,
    /** The pattern as written. */
    readonly pattern: string,
  ) {}

  /** Compiles an RE2 pattern. Throws {@link RegexError} for a pattern RE2 refuses or one too large. */
  static compile(pattern: string): KustoRegex {
    let re: RE2JS;
    try {
      re = RE2JS.compile(pattern);
    } catch (error) {
      if (error instanceof RE2JSException) throw new RegexError(`the regular expression ${JSON.stringify(pattern)} is not valid RE2: ${error.message.replace(/^error parsing regexp: /, '')}`);
      throw error;
    }
    if (re.programSize() > MAX_PROGRAM_SIZE) {
      throw new RegexError(`the regular expression ${JSON.stringify(pattern)} is too large: ${re.programSize()} instructions, at most ${MAX_PROGRAM_SIZE}`, true);
    }
    return new KustoRegex(re, pattern);
  }

  /** How many capture groups the pattern has. */
  get groupCount(): number {
    return this.re.groupCount();
  }

  /** Whether the pattern matches somewhere in `text` (`matches regex`). */
  test(text: string): boolean {
    return this.re.test(text);
  }

  /** The leftmost-first match in `text`, if any. */
  firstMatch(text: string): RegexMatch | undefined {
    const matcher = this.re.matcher(text);
    return matcher.find() ? matchOf(matcher) : undefined;
  }

  /**
   * `text` with every match replaced by `rewrite`, as RE2's `GlobalReplace` does it (Kusto's
   * `replace_regex`): matches do not overlap, and an empty match right where the previous match
   * ended is skipped (so `a*` over `baaac` gives `-b-c-`, where JavaScript and Java give `-b--c-`).
   */
  replaceAll(text: string, rewrite: Rewrite): string {
    const matcher = this.re.matcher(text);
    let out = '';
    let at = 0;
    let lastEnd = -1;
    let count = 0;
    while (at <= text.length && matcher.find(at)) {
      const match = matchOf(matcher);
      out += text.slice(at, match.start);
      if (match.start === lastEnd && match.end === match.start) {
        const width = at < text.length ? String.fromCodePoint(text.codePointAt(at)!).length : 1;
        out += text.slice(at, at + width);
        at += width;
        continue;
      }
      for (const part of rewrite) out += typeof part === 'number' ? (match.group(part) ?? '') : part;
      at = match.end;
      lastEnd = match.end;
      count++;
    }
    return count === 0 ? text : out + text.slice(at);
  }
}

function matchOf(matcher: Matcher): RegexMatch {
  const start = matcher.start();
  const end = matcher.end();
  return { start, end, group: (index) => matcher.group(index) ?? undefined };
}

/**
 * Parses the rewrite of `replace_regex` as RE2 reads it: `\0` is the whole match, `\1`…`\9` a
 * capture group, `\\` a backslash, and everything else literal text. Throws {@link RegexError}
 * for another escape, and for a group the pattern does not have (RE2 then replaces nothing; Kusto
 * does not document either case).
 */
export function parseRewrite(rewrite: string, groupCount: number): Rewrite {
  const parts: Array<string | number> = [];
  let literal = '';
  for (let i = 0; i < rewrite.length; i++) {
    const ch = rewrite[i]!;
    if (ch !== '\\') {
      literal += ch;
      continue;
    }
    const next = rewrite[++i];
    if (next === '\\') {
      literal += '\\';
    } else if (next !== undefined && next >= '0' && next <= '9') {
      const group = Number(next);
      if (group > groupCount) throw new RegexError(`the rewrite ${JSON.stringify(rewrite)} refers to group ${group}, but the pattern has ${groupCount}`);
      if (literal) parts.push(literal);
      literal = '';
      parts.push(group);
    } else {
      throw new RegexError(`the rewrite ${JSON.stringify(rewrite)} has the escape \\${next ?? ''}: only \\0 to \\9 and \\\\ are defined`);
    }
  }
  if (literal) parts.push(literal);
  return parts;
}
