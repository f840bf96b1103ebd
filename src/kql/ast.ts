/**
 * The syntax tree of a KQL query, as the parser produces it: no names resolved, no types.
 * Every node records the offset where it starts so later errors can name a line and column.
 */

/** A name as written, with where it is. */
export interface Name {
  readonly text: string;
  readonly start: number;
}

/** A literal value. `timespan` values are milliseconds. */
export interface LiteralExpression {
  readonly kind: 'literal';
  readonly type: 'string' | 'long' | 'real' | 'timespan' | 'bool';
  readonly value: string | number | boolean;
  readonly start: number;
}

/** A column, `let` variable or table name. */
export interface NameExpression {
  readonly kind: 'name';
  readonly name: string;
  readonly start: number;
}

/** `f(a, b)`. */
export interface CallExpression {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expression[];
  readonly start: number;
}

/** `a op b` for a binary operator (`==`, `and`, `has`, `+`, ...). */
export interface BinaryExpression {
  readonly kind: 'binary';
  readonly operator: string;
  readonly operatorStart: number;
  readonly left: Expression;
  readonly right: Expression;
  readonly start: number;
}

/** `-a`, `+a`. */
export interface UnaryExpression {
  readonly kind: 'unary';
  readonly operator: '-' | '+';
  readonly operand: Expression;
  readonly start: number;
}

/** `a between (low .. high)`, `a !between (low .. high)`. */
export interface BetweenExpression {
  readonly kind: 'between';
  readonly negated: boolean;
  readonly operatorStart: number;
  readonly operand: Expression;
  readonly low: Expression;
  readonly high: Expression;
  readonly start: number;
}

/** `a has_any (x, y, ...)` and other operators whose right side is a parenthesised list. */
export interface ListOperatorExpression {
  readonly kind: 'list-operator';
  readonly operator: string;
  readonly operatorStart: number;
  readonly operand: Expression;
  readonly items: readonly Expression[];
  readonly start: number;
}

/** A scalar expression. */
export type Expression =
  | LiteralExpression
  | NameExpression
  | CallExpression
  | BinaryExpression
  | UnaryExpression
  | BetweenExpression
  | ListOperatorExpression;

/** `Name = expression` or a bare expression, in `summarize` (and, later, `project`/`extend`). */
export interface NamedExpression {
  readonly name?: Name;
  readonly expression: Expression;
}

/** `| where predicate`. */
export interface WhereOperator {
  readonly kind: 'where';
  readonly predicate: Expression;
  readonly start: number;
}

/** `| summarize aggregates by keys`. */
export interface SummarizeOperator {
  readonly kind: 'summarize';
  readonly aggregates: readonly NamedExpression[];
  readonly by: readonly NamedExpression[];
  readonly start: number;
}

/** A tabular operator after `|`. */
export type QueryOperator = WhereOperator | SummarizeOperator;

/** `Source | op | op ...`. */
export interface PipelineExpression {
  readonly kind: 'pipeline';
  /** The table (or tabular `let`) the pipeline starts from. */
  readonly source: Name;
  readonly operators: readonly QueryOperator[];
  readonly start: number;
}

/** `let name = expression;`. */
export interface LetStatement {
  readonly kind: 'let';
  readonly name: Name;
  readonly value: Expression;
  readonly start: number;
}

/** A whole query: `let` statements, then one tabular expression. */
export interface Query {
  readonly lets: readonly LetStatement[];
  readonly body: PipelineExpression;
}
