/**
 * Kusto string literals, scanned and decoded as Kusto's own tokenizer does
 * (`Kusto.Language` `TokenParser.ScanStringLiteral`, `KustoFacts.DecodeEscapes`):
 * `'...'` and `"..."` with backslash escapes (`\\ \' \" \a \b \f \n \r \t \v \uXXXX \UXXXXXXXX \xHH`
 * and octal `\ooo`), verbatim `@'...'` / `@"..."` where a doubled quote stands for one,
 * multi-line ```` ```...``` ```` and `~~~...~~~`, each optionally prefixed by `h`/`H`
 * (an obfuscated literal: same value, hidden from logs). A quoted literal ends at the line's end.
 */

/** A scanned literal: its decoded value and the offset just past it. */
export interface ScannedString {
  readonly value: string;
  readonly end: number;
}

/** Why a literal could not be scanned, and where. */
export class StringLiteralError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'StringLiteralError';
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\u0007',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

const HEX = /^[0-9a-fA-F]+$/;
const MULTI_LINE_QUOTES = ['```', '~~~'] as const;

/** True when a string literal starts at `offset` (after an optional `h`/`H` prefix). */
export function startsStringLiteral(text: string, offset: number): boolean {
  const ch = text[offset];
  if (ch === "'" || ch === '"') return true;
  if (ch === '@') return text[offset + 1] === "'" || text[offset + 1] === '"';
  return MULTI_LINE_QUOTES.some((q) => text.startsWith(q, offset));
}

/**
 * Scans the literal starting at `offset` (at its quote, `@` or multi-line fence; the caller has
 * already skipped an `h`/`H` prefix). Throws {@link StringLiteralError} when it is malformed.
 */
export function scanStringLiteral(text: string, offset: number): ScannedString {
  const fence = MULTI_LINE_QUOTES.find((q) => text.startsWith(q, offset));
  if (fence) {
    const close = text.indexOf(fence, offset + fence.length);
    if (close < 0) throw new StringLiteralError(`unterminated multi-line string literal (missing ${fence})`, offset);
    return { value: text.slice(offset + fence.length, close), end: close + fence.length };
  }
  const verbatim = text[offset] === '@';
  const quoteAt = verbatim ? offset + 1 : offset;
  const quote = text[quoteAt];
  let pos = quoteAt + 1;
  let value = '';
  for (;;) {
    if (pos >= text.length || text[pos] === '\n' || text[pos] === '\r') {
      throw new StringLiteralError('unterminated string literal', offset);
    }
    const ch = text[pos]!;
    if (ch === quote) {
      if (verbatim && text[pos + 1] === quote) {
        value += quote;
        pos += 2;
        continue;
      }
      return { value, end: pos + 1 };
    }
    if (ch === '\\' && !verbatim) {
      const escape = decodeEscape(text, pos);
      value += escape.value;
      pos = escape.end;
      continue;
    }
    value += ch;
    pos++;
  }
}

function decodeEscape(text: string, at: number): ScannedString {
  const next = text[at + 1];
  if (next !== undefined && SIMPLE_ESCAPES[next] !== undefined) return { value: SIMPLE_ESCAPES[next]!, end: at + 2 };
  const hex = (count: number): ScannedString => {
    const digits = text.slice(at + 2, at + 2 + count);
    if (digits.length !== count || !HEX.test(digits)) {
      throw new StringLiteralError(`invalid escape sequence '\\${next}${digits}'`, at);
    }
    const code = parseInt(digits, 16);
    if (code > 0x10ffff) throw new StringLiteralError(`invalid escape sequence '\\${next}${digits}'`, at);
    return { value: String.fromCodePoint(code), end: at + 2 + count };
  };
  if (next === 'u') return hex(4);
  if (next === 'U') return hex(8);
  if (next === 'x') return hex(2);
  if (next !== undefined && next >= '0' && next <= '7') {
    let digits = next;
    const second = text[at + 2];
    if (second !== undefined && second >= '0' && second <= '7') {
      digits += second;
      const third = text[at + 3];
      if (third !== undefined && third >= '0' && third <= '7' && next <= '3') digits += third;
    }
    return { value: String.fromCharCode(parseInt(digits, 8)), end: at + 1 + digits.length };
  }
  throw new StringLiteralError(`invalid escape sequence '\\${next ?? ''}'`, at);
}
