/**
 * The one error the KQL engine throws for a query it will not answer: a syntax error, a semantic
 * error (unknown table or column, wrong types) or a construct the engine does not support yet.
 * It names the construct and where it is, so the analyst (or the rule author) can fix it.
 */

/** Why a query was refused. */
export type KqlErrorKind = 'syntax' | 'semantic' | 'unsupported';

/** A 1-based line and column (UTF-16 code units) in the query text. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** A refused query. `message` ends with the position when there is one. */
export class KqlError extends Error {
  /** The message without the position. */
  readonly detail: string;

  constructor(
    readonly kind: KqlErrorKind,
    detail: string,
    readonly position?: SourcePosition,
  ) {
    super(position ? `${detail} (line ${position.line}, column ${position.column})` : detail);
    this.name = 'KqlError';
    this.detail = detail;
  }
}
