/**
 * The syntax tree of a KQL query, as the parser produces it: no names resolved, no types.
 * Every node records the offset where it starts so later errors can name a line and column.
 *
 * As in Kusto's own syntax tree, tabular expressions (`T | where ...`, `datatable(...)[...]`) are
 * expressions too: whether a name or a parenthesised expression denotes a table or a scalar is
 * decided when names are resolved, not while parsing.
 */

/** A name as written, with where it is. */
export interface Name {
  readonly text: string;
  readonly start: number;
}

/** A literal value. `timespan` values are milliseconds, `datetime` values ms since the epoch (`NaN`: null). */
export interface LiteralExpression {
  readonly kind: 'literal';
  readonly type: 'string' | 'long' | 'int' | 'real' | 'timespan' | 'datetime' | 'bool' | 'dynamic';
  /** `null` for a typed null (`datetime(null)`, `dynamic(null)`). */
  readonly value: string | number | boolean | null | DynamicValue;
  readonly start: number;
}

/** A JSON-like value of a `dynamic(...)` literal. */
export type DynamicValue = string | number | boolean | null | readonly DynamicValue[] | { readonly [key: string]: DynamicValue };

/** A column, `let` variable or table name. */
export interface NameExpression {
  readonly kind: 'name';
  readonly name: string;
  readonly start: number;
}

/** `*` as an argument (`arg_max(x, *)`). */
export interface StarExpression {
  readonly kind: 'star';
  readonly start: number;
}

/** `f(a, b)`. */
export interface CallExpression {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expression[];
  readonly start: number;
  /** Offset just past the closing parenthesis. */
  readonly end: number;
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

/** `a[index]` (index a number or a string) and `a.name` (as `a['name']`). */
export interface ElementExpression {
  readonly kind: 'element';
  readonly target: Expression;
  readonly index: Expression;
  /** The property name when written `a.name`. */
  readonly member?: string;
  readonly start: number;
}

/** `datatable(Name: type, ...)[value, ...]`. */
export interface DatatableExpression {
  readonly kind: 'datatable';
  readonly columns: ReadonlyArray<{ readonly name: Name; readonly type: string; readonly typeStart: number }>;
  readonly values: readonly Expression[];
  readonly start: number;
}

/** `source | operator | operator ...`: a tabular expression. */
export interface PipelineExpression {
  readonly kind: 'pipeline';
  /** What the pipeline starts from: a name (table or tabular `let`), a datatable, a parenthesised tabular expression. */
  readonly source: Expression;
  readonly operators: readonly QueryOperator[];
  readonly start: number;
}

/** `union T1, (T2 | ...), ...`: the rows of several tabular expressions. */
export interface UnionExpression {
  readonly kind: 'union';
  readonly items: readonly Expression[];
  readonly start: number;
}

/** `(expression)`, kept so that `((T | distinct x))` and `(a)` can be told apart from their content when it matters. */
export interface ParenthesizedExpression {
  readonly kind: 'parenthesized';
  readonly inner: Expression;
  readonly start: number;
}

/** A scalar or tabular expression. */
export type Expression =
  | LiteralExpression
  | NameExpression
  | StarExpression
  | CallExpression
  | BinaryExpression
  | UnaryExpression
  | BetweenExpression
  | ListOperatorExpression
  | ElementExpression
  | DatatableExpression
  | PipelineExpression
  | UnionExpression
  | ParenthesizedExpression;

/** `Name = expression` or a bare expression, in `summarize`, `extend`, `project`, ... */
export interface NamedExpression {
  readonly name?: Name;
  readonly expression: Expression;
}

/** `| where predicate` (or `filter`). */
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

/** `| extend Name = expression, ...`. */
export interface ExtendOperator {
  readonly kind: 'extend';
  readonly items: readonly NamedExpression[];
  readonly start: number;
}

/** `| project Name = expression, column, ...`. */
export interface ProjectOperator {
  readonly kind: 'project';
  readonly items: readonly NamedExpression[];
  readonly start: number;
}

/** `| project-away column, ...` (names may end with `*`). */
export interface ProjectAwayOperator {
  readonly kind: 'project-away';
  readonly columns: readonly Name[];
  readonly start: number;
}

/** `| project-rename New = Old, ...`. */
export interface ProjectRenameOperator {
  readonly kind: 'project-rename';
  readonly renames: ReadonlyArray<{ readonly name: Name; readonly from: Name }>;
  readonly start: number;
}

/** One sort key: `expression [asc|desc] [nulls first|nulls last]`. */
export interface SortKey {
  readonly expression: Expression;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

/** `| order by ...` / `| sort by ...`. */
export interface SortOperator {
  readonly kind: 'sort';
  readonly keys: readonly SortKey[];
  readonly start: number;
}

/** `| top N by key [asc|desc] [nulls ...]`. */
export interface TopOperator {
  readonly kind: 'top';
  readonly count: Expression;
  readonly keys: readonly SortKey[];
  readonly start: number;
}

/** `| take N` / `| limit N`. */
export interface TakeOperator {
  readonly kind: 'take';
  readonly count: Expression;
  readonly start: number;
}

/** `| distinct column, ...` or `| distinct *`. */
export interface DistinctOperator {
  readonly kind: 'distinct';
  /** Empty for `distinct *`. */
  readonly items: readonly NamedExpression[];
  readonly star: boolean;
  readonly start: number;
}

/** `| count`. */
export interface CountOperator {
  readonly kind: 'count';
  readonly start: number;
}

/** The kinds of `join` (`anti` and `leftantisemi` are read as `leftanti`, `rightantisemi` as `rightanti`). */
export type JoinFlavor = 'innerunique' | 'inner' | 'leftouter' | 'rightouter' | 'fullouter' | 'leftsemi' | 'leftanti' | 'rightsemi' | 'rightanti';

/** One rule of `on`: `Column` (the same name on both sides: no `right`) or `$left.A == $right.B`. */
export interface JoinCondition {
  readonly left: Name;
  readonly right?: Name;
}

/**
 * `| join [kind=...] (Right) on ...` and `| lookup [kind=...] (Right) on ...` (a lookup is a join
 * whose output keeps the key columns once; its kinds are `leftouter`, the default, and `inner`).
 */
export interface JoinOperator {
  readonly kind: 'join' | 'lookup';
  readonly flavor: JoinFlavor;
  /** The right side: a name or a parenthesised tabular expression. */
  readonly right: Expression;
  readonly conditions: readonly JoinCondition[];
  readonly start: number;
}

/** A tabular operator after `|`. */
export type QueryOperator =
  | WhereOperator
  | SummarizeOperator
  | ExtendOperator
  | ProjectOperator
  | ProjectAwayOperator
  | ProjectRenameOperator
  | SortOperator
  | TopOperator
  | TakeOperator
  | DistinctOperator
  | CountOperator
  | JoinOperator;

/** `let name = expression;` (a scalar or a tabular expression). */
export interface LetStatement {
  readonly kind: 'let';
  readonly name: Name;
  readonly value: Expression;
  readonly start: number;
}

/** A whole query: `let` statements, then one tabular expression. */
export interface Query {
  readonly lets: readonly LetStatement[];
  readonly body: Expression;
}
