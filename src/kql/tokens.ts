/**
 * Tokens of a KQL query. Keywords are not special at this level: Kusto's keywords are contextual
 * (`where` is a column name in some places), so the parser reads them from identifier tokens.
 */

/** What kind of token. */
export type TokenKind = 'identifier' | 'string' | 'long' | 'real' | 'timespan' | 'bool' | 'typed' | 'punctuation' | 'end';

/** A token: its kind, its text, its value when it is a literal, and where it starts and ends. */
export interface Token {
  readonly kind: TokenKind;
  /** The source text of the token (for identifiers: the name; `!has` for negated operator words). */
  readonly text: string;
  /**
   * Literal value: the decoded string, the number, the timespan in milliseconds, the boolean; for a
   * `typed` token (`datetime(...)`, `long(...)`: a type name whose parentheses Kusto reads as raw
   * text), the raw text between the parentheses.
   */
  readonly value?: string | number | boolean;
  /** For a `typed` token: the offset of the text between the parentheses. */
  readonly valueStart?: number;
  /** Offset of the first character. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
}
