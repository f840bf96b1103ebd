/**
 * Splits KQL text into tokens, following Kusto's own tokenizer (`Kusto.Language` `TokenParser`):
 * ASCII identifiers, `//` comments, string literals (see `string-literals.ts`), `long`, `real` and
 * hexadecimal numbers, timespan literals with Kusto's unit suffixes, `true`/`True`/`TRUE` and
 * `false`/..., punctuation, and negated operator words such as `!has` as one token. A typed
 * literal whose parentheses hold raw text (`datetime(2024-01-01 10:00)`, `long(null)`) is one
 * `typed` token, as in Kusto (`dynamic(...)` is not: its content is parsed as literals).
 */
import type { SourceText } from './source-text';
import { scanStringLiteral, startsStringLiteral, StringLiteralError } from './string-literals';
import { TIMESPAN_UNITS } from './timespan';
import type { Token } from './tokens';
import { RAW_TYPED_LITERALS } from './vocabulary';

const PUNCTUATION = ['==', '!=', '=~', '!~', '<=', '>=', '<>', '..', '=>', '|', '(', ')', '[', ']', '{', '}', ',', ';', '=', '<', '>', '.', '+', '-', '*', '/', '%', ':', '?'];
const BOOLEANS: Readonly<Record<string, boolean>> = { true: true, True: true, TRUE: true, false: false, False: false, FALSE: false };

function isLetter(ch: string | undefined): boolean {
  return ch !== undefined && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'));
}
function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}
function isIdentifierStart(ch: string | undefined): boolean {
  return isLetter(ch) || ch === '_' || ch === '$';
}
function isIdentifierChar(ch: string | undefined): boolean {
  return isLetter(ch) || isDigit(ch) || ch === '_';
}

/** The tokens of `source`, ending with an `end` token. Throws a syntax {@link KqlError} on bad input. */
export function tokenize(source: SourceText): Token[] {
  const text = source.text;
  const tokens: Token[] = [];
  let pos = 0;

  const scanIdentifierEnd = (from: number): number => {
    let end = from + 1;
    while (isIdentifierChar(text[end])) end++;
    return end;
  };

  const string = (start: number, literalStart: number): Token => {
    try {
      const scanned = scanStringLiteral(text, literalStart);
      return { kind: 'string', text: text.slice(start, scanned.end), value: scanned.value, start, end: scanned.end };
    } catch (e) {
      if (e instanceof StringLiteralError) throw source.error('syntax', e.message, e.offset);
      throw e;
    }
  };

  const number = (start: number): Token => {
    if (text[start] === '0' && (text[start + 1] === 'x' || text[start + 1] === 'X')) {
      let end = start + 2;
      while (/[0-9a-fA-F]/.test(text[end] ?? '')) end++;
      if (end > start + 2 && !isIdentifierChar(text[end])) {
        return { kind: 'long', text: text.slice(start, end), value: Number(BigInt(text.slice(start, end))), start, end };
      }
    }
    let end = start;
    while (isDigit(text[end])) end++;
    const digitsEnd = end;
    // real: digits '.' digits? exponent?  |  digits exponent   (not '..', the range operator)
    let realEnd = -1;
    if (text[end] === '.' && text[end + 1] !== '.') {
      let e = end + 1;
      while (isDigit(text[e])) e++;
      e = scanExponent(text, e);
      realEnd = e;
    } else {
      const e = scanExponent(text, end);
      if (e > end) realEnd = e;
    }
    if (realEnd > 0 && !isIdentifierChar(text[realEnd])) {
      return { kind: 'real', text: text.slice(start, realEnd), value: Number(text.slice(start, realEnd)), start, end: realEnd };
    }
    // timespan: digits ('.' digits)? unit
    let numberEnd = digitsEnd;
    if (text[numberEnd] === '.' && isDigit(text[numberEnd + 1])) {
      numberEnd++;
      while (isDigit(text[numberEnd])) numberEnd++;
    }
    let suffixEnd = numberEnd;
    while (isLetter(text[suffixEnd])) suffixEnd++;
    const unit = TIMESPAN_UNITS.get(text.slice(numberEnd, suffixEnd));
    if (unit !== undefined && !isIdentifierChar(text[suffixEnd])) {
      return {
        kind: 'timespan',
        text: text.slice(start, suffixEnd),
        value: Number(text.slice(start, numberEnd)) * unit,
        start,
        end: suffixEnd,
      };
    }
    if (!isIdentifierChar(text[digitsEnd]) && !(text[digitsEnd] === '.' && text[digitsEnd + 1] !== '.')) {
      return { kind: 'long', text: text.slice(start, digitsEnd), value: Number(text.slice(start, digitsEnd)), start, end: digitsEnd };
    }
    let badEnd = digitsEnd;
    while (isIdentifierChar(text[badEnd]) || (text[badEnd] === '.' && text[badEnd + 1] !== '.')) badEnd++;
    const bad = text.slice(start, badEnd);
    const hint = /^\d+(\.\d+)?w$/.test(bad)
      ? ': weeks are not a Kusto timespan unit (use days, e.g. 14d)'
      : ': timespan units are d, h, m/min, s, ms, microsecond, tick (and their long forms)';
    throw source.error('syntax', `invalid literal '${bad}'${hint}`, start);
  };

  while (pos < text.length) {
    const ch = text[pos]!;
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\f' || ch === '\v' || ch === '\u00a0' || ch === '\ufeff') {
      pos++;
      continue;
    }
    if (ch === '/' && text[pos + 1] === '/') {
      while (pos < text.length && text[pos] !== '\n' && text[pos] !== '\r') pos++;
      continue;
    }
    const start = pos;
    if ((ch === 'h' || ch === 'H') && startsStringLiteral(text, pos + 1)) {
      const token = string(start, pos + 1);
      tokens.push(token);
      pos = token.end;
      continue;
    }
    if (startsStringLiteral(text, pos)) {
      const token = string(start, pos);
      tokens.push(token);
      pos = token.end;
      continue;
    }
    if (isIdentifierStart(ch)) {
      let end = scanIdentifierEnd(pos);
      if (text.slice(pos, end) === 'in' && text[end] === '~') end++;
      const name = text.slice(pos, end);
      if (RAW_TYPED_LITERALS.has(name)) {
        let open = end;
        while (text[open] === ' ' || text[open] === '\t') open++;
        if (text[open] === '(') {
          const close = text.indexOf(')', open + 1);
          const newline = text.slice(open + 1, close < 0 ? text.length : close).search(/[\r\n]/);
          if (close < 0 || newline >= 0) throw source.error('syntax', `unterminated ${name}(...) literal: expected ')'`, start);
          tokens.push({ kind: 'typed', text: name, value: text.slice(open + 1, close), valueStart: open + 1, start, end: close + 1 });
          pos = close + 1;
          continue;
        }
      }
      const bool = BOOLEANS[name];
      tokens.push(bool === undefined ? { kind: 'identifier', text: name, start, end } : { kind: 'bool', text: name, value: bool, start, end });
      pos = end;
      continue;
    }
    if (isDigit(ch)) {
      const token = number(start);
      tokens.push(token);
      pos = token.end;
      continue;
    }
    if (ch === '!' && isIdentifierStart(text[pos + 1])) {
      let end = scanIdentifierEnd(pos + 1);
      if (text.slice(pos, end) === '!in' && text[end] === '~') end++;
      tokens.push({ kind: 'identifier', text: text.slice(pos, end), start, end });
      pos = end;
      continue;
    }
    const punctuation = PUNCTUATION.find((p) => text.startsWith(p, pos));
    if (punctuation) {
      tokens.push({ kind: 'punctuation', text: punctuation, start, end: pos + punctuation.length });
      pos += punctuation.length;
      continue;
    }
    throw source.error('syntax', `unexpected character '${ch}'`, pos);
  }
  tokens.push({ kind: 'end', text: '', start: text.length, end: text.length });
  return tokens;
}

function scanExponent(text: string, at: number): number {
  if (text[at] !== 'e' && text[at] !== 'E') return at;
  let e = at + 1;
  if (text[e] === '+' || text[e] === '-') e++;
  if (!isDigit(text[e])) return at;
  while (isDigit(text[e])) e++;
  return e;
}
