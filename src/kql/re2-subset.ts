/**
 * Kusto's regular expressions are RE2's; the engine runs them with JavaScript's `RegExp`. The two
 * agree on a common subset, and only that subset is accepted: literal characters, escaped
 * punctuation, `.`, character classes, `\d \w \s \D \W \S \b`, groups `( )` and `(?: )`,
 * alternation, anchors `^ $`, and the quantifiers `? * + {n} {n,} {n,m}` (greedy or lazy).
 * Where they differ it is translated: RE2's `.` is any character but `\n` and its `\s` is
 * `[\t\n\f\r ]` (JavaScript's are wider). Anything else (look-around, back-references, named
 * groups, flags, `\p{...}`) is refused with a {@link RegexSubsetError} naming it.
 */

/** A pattern outside the subset the engine runs. */
export class RegexSubsetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegexSubsetError';
  }
}

const RE2_SPACE = '\\t\\n\\f\\r ';
const CLASS_ESCAPES: Readonly<Record<string, string>> = { d: '\\d', w: '\\w', D: '\\D', W: '\\W', s: RE2_SPACE };

/** The JavaScript source of an RE2 `pattern`. Throws {@link RegexSubsetError} outside the subset. */
export function translateRe2(pattern: string): string {
  let out = '';
  let i = 0;
  const refuse = (what: string): never => {
    throw new RegexSubsetError(`${what} in the regular expression ${JSON.stringify(pattern)} is not supported by the local KQL engine`);
  };
  const escape = (ch: string, inClass: boolean): string => {
    if (/[^A-Za-z0-9]/.test(ch)) return `\\${ch}`;
    if (inClass && CLASS_ESCAPES[ch] !== undefined) return CLASS_ESCAPES[ch]!;
    switch (ch) {
      case 'd':
      case 'w':
      case 'D':
      case 'W':
      case 'n':
      case 't':
      case 'r':
      case 'f':
        return `\\${ch}`;
      case 's':
        return `[${RE2_SPACE}]`;
      case 'S':
        return `[^${RE2_SPACE}]`;
      case 'b':
        if (inClass) return refuse('\\b in a character class');
        return '\\b';
      default:
        return refuse(`the escape \\${ch}`);
    }
  };
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) refuse('a trailing backslash');
      out += escape(next!, false);
      i += 2;
    } else if (ch === '[') {
      let j = i + 1;
      let cls = '[';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      if (pattern[j] === ']') {
        cls += '\\]';
        j++;
      }
      while (j < pattern.length && pattern[j] !== ']') {
        const c = pattern[j]!;
        if (c === '\\') {
          const next = pattern[j + 1];
          if (next === undefined) refuse('a trailing backslash');
          cls += escape(next!, true);
          j += 2;
        } else if (c === '[') {
          if (pattern[j + 1] === ':') refuse('a POSIX class [:...:]');
          cls += '\\[';
          j++;
        } else {
          cls += c;
          j++;
        }
      }
      if (j >= pattern.length) refuse('an unterminated character class');
      out += `${cls}]`;
      i = j + 1;
    } else if (ch === '(') {
      if (pattern[i + 1] === '?') {
        if (pattern[i + 2] !== ':') refuse(`the group '(?${pattern[i + 2] ?? ''}'`);
        out += '(?:';
        i += 3;
      } else {
        out += '(';
        i++;
      }
    } else if (ch === '.') {
      out += '[^\\n]';
      i++;
    } else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (!m) refuse("a '{' that is not a repetition");
      out += m![0];
      i += m![0].length;
    } else {
      out += ch;
      i++;
    }
  }
  try {
    new RegExp(out);
  } catch (e) {
    refuse(`the pattern (${(e as Error).message})`);
  }
  return out;
}
