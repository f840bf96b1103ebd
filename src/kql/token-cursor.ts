/**
 * The parser's footing: a cursor over one query's tokens, with the checks, the positioned errors
 * and the name rules every part of the parser shares.
 */
import type { Name } from './ast';
import type { KqlError } from './errors';
import type { SourceText } from './source-text';
import { tokenize } from './tokenizer';
import type { Token } from './tokens';
import { KUSTO_RESERVED } from './vocabulary';

/** A cursor over the tokens of one query's text; the parsers extend it. */
export abstract class TokenCursor {
  protected readonly tokens: Token[];
  protected index = 0;

  constructor(protected readonly source: SourceText) {
    this.tokens = tokenize(source);
  }

  protected get token(): Token {
    return this.tokens[this.index]!;
  }

  protected peek(ahead = 1): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  protected next(): Token {
    const token = this.token;
    if (token.kind !== 'end') this.index++;
    return token;
  }

  protected atEnd(): boolean {
    return this.token.kind === 'end';
  }

  protected isPunctuation(text: string, token: Token = this.token): boolean {
    return token.kind === 'punctuation' && token.text === text;
  }

  protected isWord(text: string, token: Token = this.token): boolean {
    return token.kind === 'identifier' && token.text === text;
  }

  protected describe(token: Token): string {
    return token.kind === 'end' ? 'the end of the query' : `'${token.text}'`;
  }

  protected fail(expected: string, token: Token = this.token): KqlError {
    return this.source.error('syntax', `expected ${expected}, found ${this.describe(token)}`, token.start);
  }

  /**
   * A syntax error for something missing before the current token, positioned where Kusto puts
   * it: just after the previous token (so a trailing comma at the end of a line is reported on
   * that line).
   */
  protected missing(expected: string): KqlError {
    const previous = this.tokens[this.index - 1];
    return this.source.error('syntax', `expected ${expected}, found ${this.describe(this.token)}`, previous ? previous.end : this.token.start);
  }

  protected unsupported(what: string, offset: number): KqlError {
    return this.source.error('unsupported', `${what} is not supported by the local KQL engine`, offset);
  }

  protected expectPunctuation(text: string): Token {
    if (!this.isPunctuation(text)) throw this.fail(`'${text}'`);
    return this.next();
  }

  protected expectWord(text: string): Token {
    if (!this.isWord(text)) throw this.fail(`'${text}'`);
    return this.next();
  }

  /** A name: an identifier that is not a keyword, or a bracketed name `['a b']`. */
  protected name(what: string): Name {
    const token = this.token;
    if (this.isPunctuation('[') && this.peek().kind === 'string' && this.isPunctuation(']', this.peek(2))) {
      this.next();
      const text = this.next().value as string;
      this.next();
      return { text, start: token.start };
    }
    if (token.kind !== 'identifier' || token.text.startsWith('!') || KUSTO_RESERVED.has(token.text)) throw this.fail(what);
    this.next();
    return { text: token.text, start: token.start };
  }

  protected startsName(token: Token = this.token): boolean {
    return (token.kind === 'identifier' && !token.text.startsWith('!') && !KUSTO_RESERVED.has(token.text)) || this.isPunctuation('[', token);
  }
}
