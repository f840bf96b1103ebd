/**
 * The statement and tabular half of the parser. A tabular expression is a source (a name,
 * `datatable(...)[...]`, a parenthesised tabular expression) followed by `| operator`s; it may
 * stand wherever Kusto allows one: a `let` value, the query's body, inside parentheses, as the
 * list of `in`/`has_any`. Tabular operators are parsed by the entries of {@link OPERATOR_PARSERS};
 * other Kusto operators are refused as `unsupported`, naming them.
 */
import type {
  Expression,
  JoinCondition,
  JoinFlavor,
  JoinOperator,
  LetStatement,
  Name,
  NamedExpression,
  Query,
  QueryOperator,
  SortKey,
  SummarizeOperator,
  UnionExpression,
} from './ast';
import { ExpressionParser } from './expression-parser';
import { KUSTO_QUERY_OPERATORS, KUSTO_STATEMENTS, KUSTO_TABULAR_SOURCES } from './vocabulary';

/** Tabular sources the parser reads as ordinary syntax (a call, a literal, `union`): not refused up front. */
const ABSORBED_SOURCES = new Set(['datatable', 'materialize', 'toscalar', 'union']);

type OperatorParser = (parser: QueryParser, start: number) => QueryOperator;

/** The kinds `join` accepts, by the word written after `kind=` (Kusto's synonyms included). */
const JOIN_FLAVORS: Readonly<Record<string, JoinFlavor>> = {
  innerunique: 'innerunique',
  inner: 'inner',
  leftouter: 'leftouter',
  rightouter: 'rightouter',
  fullouter: 'fullouter',
  leftsemi: 'leftsemi',
  leftanti: 'leftanti',
  anti: 'leftanti',
  leftantisemi: 'leftanti',
  rightsemi: 'rightsemi',
  rightanti: 'rightanti',
  rightantisemi: 'rightanti',
};

/** The kinds `lookup` accepts. */
const LOOKUP_FLAVORS: Readonly<Record<string, JoinFlavor>> = { leftouter: 'leftouter', inner: 'inner' };

/** How each supported tabular operator is parsed, by its keyword. */
const OPERATOR_PARSERS: Readonly<Record<string, OperatorParser>> = {
  where: (p, start) => ({ kind: 'where', predicate: p.expression(), start }),
  filter: (p, start) => ({ kind: 'where', predicate: p.expression(), start }),
  summarize: (p, start) => p.summarize(start),
  extend: (p, start) => ({ kind: 'extend', items: p.namedList(), start }),
  project: (p, start) => ({ kind: 'project', items: p.namedList(), start }),
  'project-away': (p, start) => ({ kind: 'project-away', columns: p.nameList(), start }),
  'project-rename': (p, start) => p.projectRename(start),
  order: (p, start) => ({ kind: 'sort', keys: p.sortKeys(), start }),
  sort: (p, start) => ({ kind: 'sort', keys: p.sortKeys(), start }),
  top: (p, start) => p.top(start),
  take: (p, start) => ({ kind: 'take', count: p.expression(), start }),
  limit: (p, start) => ({ kind: 'take', count: p.expression(), start }),
  distinct: (p, start) => p.distinct(start),
  count: (_p, start) => ({ kind: 'count', start }),
  join: (p, start) => p.join('join', start),
  lookup: (p, start) => p.join('lookup', start),
};

/** The recursive-descent parser over one query's tokens: statements, tabular expressions and their operators. */
export class QueryParser extends ExpressionParser {
  query(): Query {
    const lets: LetStatement[] = [];
    let body: Expression | undefined;
    while (!this.atEnd()) {
      if (this.isPunctuation(';')) {
        this.next();
        continue;
      }
      if (body) throw this.unsupported('more than one tabular statement in a query', this.token.start);
      if (this.isWord('let')) {
        lets.push(this.let());
        if (!this.isPunctuation(';')) throw this.missing("';' after the let statement");
        continue;
      }
      if (this.token.kind === 'identifier' && KUSTO_STATEMENTS.has(this.token.text) && this.peek().kind === 'identifier') {
        throw this.unsupported(`the '${this.token.text}' statement`, this.token.start);
      }
      body = this.tabularOrScalar();
      if (!this.isPunctuation(';') && !this.atEnd()) throw this.fail("'|' or the end of the query");
    }
    if (!body) throw this.source.error('syntax', 'the query has no tabular expression (a table name to query)', this.source.text.length);
    return { lets, body };
  }

  private let(): LetStatement {
    const start = this.next().start;
    const name = this.name('a name after let');
    this.expectPunctuation('=');
    if (this.isPunctuation('(') && this.looksLikeLambda()) {
      throw this.unsupported('a let statement defining a function', this.token.start);
    }
    return { kind: 'let', name, value: this.tabularOrScalar(), start };
  }

  /** `(` `)` `{` or `(` name `:` starts a function body, not a parenthesised expression. */
  private looksLikeLambda(): boolean {
    const after = this.peek();
    if (this.isPunctuation(')', after)) return this.isPunctuation('{', this.peek(2));
    return after.kind === 'identifier' && this.isPunctuation(':', this.peek(2));
  }

  /**
   * An expression, continued as a tabular expression when `|` follows it: the let value, the
   * query body, the inside of parentheses, an item of an `in`/`has_any` list.
   */
  protected override tabularOrScalar(): Expression {
    const token = this.token;
    if (this.isWord('union') && !this.isPunctuation('|', this.peek()) && !this.isPunctuation(';', this.peek()) && this.peek().kind !== 'end') {
      return this.continuePipeline(this.union());
    }
    if (token.kind === 'identifier' && KUSTO_TABULAR_SOURCES.has(token.text) && !ABSORBED_SOURCES.has(token.text)) {
      const after = this.peek();
      if (!this.isPunctuation('|', after) && !this.isPunctuation(';', after) && !this.isPunctuation(')', after) && after.kind !== 'end') {
        throw this.unsupported(`the '${token.text}' operator`, token.start);
      }
    }
    if (this.isPunctuation('|')) throw this.fail('a table name');
    return this.continuePipeline(this.expression());
  }

  /** `source`, followed by `| operator`s when there are any. */
  private continuePipeline(source: Expression): Expression {
    if (!this.isPunctuation('|')) return source;
    const operators: QueryOperator[] = [];
    while (this.isPunctuation('|')) {
      this.next();
      operators.push(this.operator());
    }
    return { kind: 'pipeline', source, operators, start: source.start };
  }

  /** `union [T1], (T2 | ...), ...` without parameters. */
  private union(): UnionExpression {
    const start = this.next().start;
    if (this.token.kind === 'identifier' && this.isPunctuation('=', this.peek())) {
      throw this.unsupported(`union with parameters ('${this.token.text}=')`, this.token.start);
    }
    const items: Expression[] = [];
    for (;;) {
      if (this.isPunctuation('(')) {
        items.push(this.primary());
      } else {
        const name = this.name('a table name or a parenthesised tabular expression');
        if (this.isPunctuation('*') && this.token.start === name.start + name.text.length) throw this.unsupported('union of tables named by a pattern with *', name.start);
        items.push({ kind: 'name', name: name.text, start: name.start });
      }
      if (!this.isPunctuation(',')) return { kind: 'union', items, start };
      this.next();
    }
  }

  private operator(): QueryOperator {
    const token = this.token;
    if (token.kind !== 'identifier') throw this.source.error('syntax', `expected a query operator after '|', found ${this.describe(token)}`, token.start);
    let word = token.text;
    let words = 1;
    // Kusto's hyphenated operators (project-away, mv-expand) are single words.
    while (this.isPunctuation('-', this.peek(words)) && this.peek(words + 1).kind === 'identifier' && this.peek(words).start === this.peek(words - 1).end) {
      word = `${word}-${this.peek(words + 1).text}`;
      words += 2;
    }
    const parse = Object.prototype.hasOwnProperty.call(OPERATOR_PARSERS, word) ? OPERATOR_PARSERS[word] : undefined;
    if (parse) {
      for (let i = 0; i < words; i++) this.next();
      return parse(this, token.start);
    }
    if (KUSTO_QUERY_OPERATORS.has(word)) throw this.unsupported(`the '${word}' operator`, token.start);
    throw this.source.error('syntax', `unknown query operator '${word}'`, token.start);
  }

  /** `summarize [Name =] agg(...), ... [by [Name =] key, ...]`. */
  summarize(start: number): SummarizeOperator {
    if (this.isWord('hint') && this.isPunctuation('.', this.peek())) {
      throw this.unsupported('summarize hints', this.token.start);
    }
    if (this.atEnd() || this.isPunctuation('|') || this.isPunctuation(';') || this.isPunctuation(')')) {
      throw this.unsupported('summarize with neither an aggregation nor by', this.token.start);
    }
    const aggregates = this.isWord('by') ? [] : this.namedList();
    let by: NamedExpression[] = [];
    if (this.isWord('by')) {
      this.next();
      by = this.namedList();
    }
    return { kind: 'summarize', aggregates, by, start };
  }

  /** `[Name =] expression, ...`. */
  namedList(): NamedExpression[] {
    const items: NamedExpression[] = [];
    for (;;) {
      if (this.isPunctuation('(') && this.looksLikeTupleName()) {
        throw this.unsupported('naming several columns at once ((a, b) = ...)', this.token.start);
      }
      let name: Name | undefined;
      const bracketed = this.isPunctuation('[') && this.peek().kind === 'string' && this.isPunctuation(']', this.peek(2));
      if ((this.token.kind === 'identifier' && this.isPunctuation('=', this.peek())) || (bracketed && this.isPunctuation('=', this.peek(3)))) {
        name = this.name('a column name');
        this.next();
      }
      items.push(name ? { name, expression: this.expression() } : { expression: this.expression() });
      if (!this.isPunctuation(',')) return items;
      this.next();
    }
  }

  /** `name, name, ...` (project-away). */
  nameList(): Name[] {
    const names: Name[] = [];
    for (;;) {
      const name = this.name('a column name');
      if (this.isPunctuation('*') && this.token.start === this.tokens[this.index - 1]!.end) {
        throw this.unsupported('a column name pattern with *', name.start);
      }
      names.push(name);
      if (!this.isPunctuation(',')) return names;
      this.next();
    }
  }

  /** `project-rename New = Old, ...`. */
  projectRename(start: number): QueryOperator {
    const renames: Array<{ name: Name; from: Name }> = [];
    for (;;) {
      const name = this.name('a new column name');
      this.expectPunctuation('=');
      renames.push({ name, from: this.name('the column to rename') });
      if (!this.isPunctuation(',')) return { kind: 'project-rename', renames, start };
      this.next();
    }
  }

  /** `by key [asc|desc] [nulls first|nulls last], ...`. */
  sortKeys(): SortKey[] {
    this.expectWord('by');
    const keys: SortKey[] = [];
    for (;;) {
      keys.push(this.sortKey());
      if (!this.isPunctuation(',')) return keys;
      this.next();
    }
  }

  private sortKey(): SortKey {
    const expression = this.expression();
    let descending = true;
    if (this.isWord('asc') || this.isWord('desc')) descending = this.next().text === 'desc';
    let nullsFirst = !descending;
    if (this.isWord('nulls')) {
      this.next();
      if (!this.isWord('first') && !this.isWord('last')) throw this.fail("'first' or 'last' after 'nulls'");
      nullsFirst = this.next().text === 'first';
    }
    return { expression, descending, nullsFirst };
  }

  /** `top N by key [asc|desc] [nulls ...]`. */
  top(start: number): QueryOperator {
    const count = this.expression();
    this.expectWord('by');
    return { kind: 'top', count, keys: [this.sortKey()], start };
  }

  /**
   * `join [kind=K] Right on Conditions` and `lookup [kind=K] Right on Conditions`: `Right` is a name
   * or a parenthesised tabular expression; conditions are separated by `,` or `and`.
   */
  join(operator: 'join' | 'lookup', start: number): JoinOperator {
    const flavors = operator === 'join' ? JOIN_FLAVORS : LOOKUP_FLAVORS;
    let flavor: JoinFlavor = operator === 'join' ? 'innerunique' : 'leftouter';
    let kindGiven = false;
    for (;;) {
      if (this.isWord('kind') && this.isPunctuation('=', this.peek())) {
        if (kindGiven) throw this.source.error('syntax', `the kind of a ${operator} is given twice`, this.token.start);
        kindGiven = true;
        this.next();
        this.next();
        const word = this.token;
        if (word.kind !== 'identifier' || !Object.prototype.hasOwnProperty.call(flavors, word.text)) {
          throw this.fail(`one of ${Object.keys(flavors).join(', ')}`);
        }
        flavor = flavors[word.text]!;
        this.next();
        continue;
      }
      if (this.isWord('hint') && this.isPunctuation('.', this.peek())) throw this.unsupported(`${operator} hints`, this.token.start);
      break;
    }
    let right: Expression;
    if (this.isPunctuation('(')) {
      right = this.primary();
    } else {
      const name = this.name(`the right side of the ${operator} (a table name or a parenthesised tabular expression)`);
      right = { kind: 'name', name: name.text, start: name.start };
    }
    if (!this.isWord('on')) throw this.missing(`'on' and the ${operator} conditions`);
    this.next();
    const conditions: JoinCondition[] = [this.joinCondition()];
    while (this.isPunctuation(',') || this.isWord('and')) {
      this.next();
      conditions.push(this.joinCondition());
    }
    return { kind: operator, flavor, right, conditions, start };
  }

  /** `Column` or `$left.Column == $right.Column`. */
  private joinCondition(): JoinCondition {
    if (this.isWord('$left')) {
      this.next();
      this.expectPunctuation('.');
      const left = this.name('a column name after $left.');
      this.expectPunctuation('==');
      if (!this.isWord('$right')) throw this.fail("'$right' (a condition is written $left.<column> == $right.<column>)");
      this.next();
      this.expectPunctuation('.');
      return { left, right: this.name('a column name after $right.') };
    }
    if (this.isWord('$right')) throw this.fail('$left.<column> first (a condition is written $left.<column> == $right.<column>)');
    return { left: this.name('a column name, or $left.<column> == $right.<column>') };
  }

  /** `distinct *` or `distinct column, ...`. */
  distinct(start: number): QueryOperator {
    if (this.isPunctuation('*')) {
      this.next();
      return { kind: 'distinct', items: [], star: true, start };
    }
    return { kind: 'distinct', items: this.namedList(), star: false, start };
  }

  private looksLikeTupleName(): boolean {
    let i = this.index + 1;
    while (this.tokens[i]?.kind === 'identifier' || this.isPunctuation(',', this.tokens[i])) i++;
    return this.isPunctuation(')', this.tokens[i]) && this.isPunctuation('=', this.tokens[i + 1]);
  }
}
