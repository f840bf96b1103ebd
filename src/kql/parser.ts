/**
 * Parses KQL text into a {@link Query} syntax tree. Operator precedence follows Kusto: `or` binds
 * loosest, then `and`, then the comparison and string operators (not associative:
 * `a == b == c` is an error, as in Kusto), then `+ -`, then `* / %`, then unary minus, then
 * element access (`a[0]`, `a.b`).
 *
 * A tabular expression is a source (a name, `datatable(...)[...]`, a parenthesised tabular
 * expression) followed by `| operator`s; it may stand wherever Kusto allows one: a `let` value,
 * the query's body, inside parentheses, as the list of `in`/`has_any`. Tabular operators are
 * parsed by the entries of {@link OPERATOR_PARSERS}; other Kusto operators are refused as
 * `unsupported`, naming them.
 */
import type {
  DatatableExpression,
  DynamicValue,
  Expression,
  JoinCondition,
  JoinFlavor,
  JoinOperator,
  LetStatement,
  LiteralExpression,
  Name,
  NamedExpression,
  Query,
  QueryOperator,
  SortKey,
  SummarizeOperator,
  UnionExpression,
} from './ast';
import { parseDatetimeLiteral } from './datetime';
import { KqlError } from './errors';
import { SourceText } from './source-text';
import { parseTimespanLiteral } from './timespan';
import { tokenize } from './tokenizer';
import type { Token } from './tokens';
import { kustoTypeOf } from './types';
import {
  KUSTO_OPERATOR_WORDS,
  KUSTO_QUERY_OPERATORS,
  KUSTO_RESERVED,
  KUSTO_STATEMENTS,
  KUSTO_TABULAR_SOURCES,
} from './vocabulary';

const COMPARISON_PUNCTUATION = new Set(['==', '!=', '=~', '!~', '<', '<=', '>', '>=', '<>']);
const LIST_OPERATORS = new Set(['has_any', 'has_all', 'in', '!in', 'in~', '!in~']);
/** Tabular sources the parser reads as ordinary syntax (a call, a literal, `union`): not refused up front. */
const ABSORBED_SOURCES = new Set(['datatable', 'materialize', 'toscalar', 'union']);

type OperatorParser = (parser: Parser, start: number) => QueryOperator;

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

/** Parses `text`; throws a {@link KqlError} on a syntax error or an unsupported construct. */
export function parseKql(text: string): Query {
  return parseQuery(new SourceText(text));
}

/** Parses the text of `source` (whose positions errors will use). */
export function parseQuery(source: SourceText): Query {
  return new Parser(source).query();
}

/** The recursive-descent parser over one query's tokens. */
class Parser {
  private readonly tokens: Token[];
  private index = 0;

  constructor(private readonly source: SourceText) {
    this.tokens = tokenize(source);
  }

  private get token(): Token {
    return this.tokens[this.index]!;
  }

  private peek(ahead = 1): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.token;
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private atEnd(): boolean {
    return this.token.kind === 'end';
  }

  private isPunctuation(text: string, token: Token = this.token): boolean {
    return token.kind === 'punctuation' && token.text === text;
  }

  private isWord(text: string, token: Token = this.token): boolean {
    return token.kind === 'identifier' && token.text === text;
  }

  private describe(token: Token): string {
    return token.kind === 'end' ? 'the end of the query' : `'${token.text}'`;
  }

  private fail(expected: string, token: Token = this.token): KqlError {
    return this.source.error('syntax', `expected ${expected}, found ${this.describe(token)}`, token.start);
  }

  /**
   * A syntax error for something missing before the current token, positioned where Kusto puts
   * it: just after the previous token (so a trailing comma at the end of a line is reported on
   * that line).
   */
  private missing(expected: string): KqlError {
    const previous = this.tokens[this.index - 1];
    return this.source.error('syntax', `expected ${expected}, found ${this.describe(this.token)}`, previous ? previous.end : this.token.start);
  }

  private unsupported(what: string, offset: number): KqlError {
    return this.source.error('unsupported', `${what} is not supported by the local KQL engine`, offset);
  }

  private expectPunctuation(text: string): Token {
    if (!this.isPunctuation(text)) throw this.fail(`'${text}'`);
    return this.next();
  }

  private expectWord(text: string): Token {
    if (!this.isWord(text)) throw this.fail(`'${text}'`);
    return this.next();
  }

  /** A name: an identifier that is not a keyword, or a bracketed name `['a b']`. */
  private name(what: string): Name {
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

  private startsName(token: Token = this.token): boolean {
    return (token.kind === 'identifier' && !token.text.startsWith('!') && !KUSTO_RESERVED.has(token.text)) || this.isPunctuation('[', token);
  }

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
  private tabularOrScalar(): Expression {
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

  /** A scalar expression (a tabular one only inside parentheses). */
  expression(): Expression {
    return this.or();
  }

  private or(): Expression {
    let left = this.and();
    while (this.isWord('or')) {
      const op = this.next();
      left = { kind: 'binary', operator: 'or', operatorStart: op.start, left, right: this.and(), start: left.start };
    }
    return left;
  }

  private and(): Expression {
    let left = this.comparison();
    while (this.isWord('and')) {
      const op = this.next();
      left = { kind: 'binary', operator: 'and', operatorStart: op.start, left, right: this.comparison(), start: left.start };
    }
    return left;
  }

  private isComparisonOperator(token: Token = this.token): boolean {
    if (token.kind === 'punctuation') return COMPARISON_PUNCTUATION.has(token.text);
    return token.kind === 'identifier' && KUSTO_OPERATOR_WORDS.has(token.text) && token.text !== 'and' && token.text !== 'or';
  }

  private comparison(): Expression {
    const left = this.additive();
    if (!this.isComparisonOperator()) return left;
    const op = this.next();
    let result: Expression;
    if (op.text === 'between' || op.text === '!between') {
      this.expectPunctuation('(');
      const low = this.additive();
      this.expectPunctuation('..');
      const high = this.additive();
      this.expectPunctuation(')');
      result = { kind: 'between', negated: op.text === '!between', operatorStart: op.start, operand: left, low, high, start: left.start };
    } else if (LIST_OPERATORS.has(op.text)) {
      this.expectPunctuation('(');
      const items: Expression[] = [this.tabularOrScalar()];
      while (this.isPunctuation(',')) {
        this.next();
        items.push(this.tabularOrScalar());
      }
      this.expectPunctuation(')');
      result = { kind: 'list-operator', operator: op.text, operatorStart: op.start, operand: left, items, start: left.start };
    } else {
      let operator = op.text === '<>' ? '!=' : op.text;
      if (operator === 'matches') {
        if (!this.isWord('regex')) throw this.fail("'regex' after 'matches'");
        this.next();
        operator = 'matches regex';
      }
      result = { kind: 'binary', operator, operatorStart: op.start, left, right: this.additive(), start: left.start };
    }
    if (this.isComparisonOperator()) {
      throw this.source.error('syntax', `'${this.token.text}' cannot follow '${op.text}' without parentheses`, this.token.start);
    }
    return result;
  }

  private additive(): Expression {
    let left = this.multiplicative();
    while (this.isPunctuation('+') || this.isPunctuation('-')) {
      const op = this.next();
      left = { kind: 'binary', operator: op.text, operatorStart: op.start, left, right: this.multiplicative(), start: left.start };
    }
    return left;
  }

  private multiplicative(): Expression {
    let left = this.unary();
    while (this.isPunctuation('*') || this.isPunctuation('/') || this.isPunctuation('%')) {
      const op = this.next();
      left = { kind: 'binary', operator: op.text, operatorStart: op.start, left, right: this.unary(), start: left.start };
    }
    return left;
  }

  private unary(): Expression {
    if (this.isPunctuation('-') || this.isPunctuation('+')) {
      const op = this.next();
      return { kind: 'unary', operator: op.text as '-' | '+', operand: this.unary(), start: op.start };
    }
    let target = this.primary();
    for (;;) {
      if (this.isPunctuation('[')) {
        this.next();
        const index = this.expression();
        this.expectPunctuation(']');
        target = { kind: 'element', target, index, start: target.start };
      } else if (this.isPunctuation('.') && this.peek().kind === 'identifier') {
        this.next();
        const member = this.next();
        target = { kind: 'element', target, index: { kind: 'literal', type: 'string', value: member.text, start: member.start }, member: member.text, start: target.start };
      } else {
        return target;
      }
    }
  }

  private primary(): Expression {
    const token = this.token;
    switch (token.kind) {
      case 'string': {
        this.next();
        let value = token.value as string;
        while (this.token.kind === 'string') value += this.next().value as string;
        return { kind: 'literal', type: 'string', value, start: token.start };
      }
      case 'long':
      case 'real':
      case 'timespan':
      case 'bool':
        this.next();
        return { kind: 'literal', type: token.kind, value: token.value!, start: token.start };
      case 'typed':
        this.next();
        return this.typedLiteral(token);
      case 'punctuation':
        if (token.text === '(') {
          this.next();
          const inner = this.tabularOrScalar();
          if (this.isPunctuation(',')) throw this.unsupported('a tuple (a, b)', this.token.start);
          this.expectPunctuation(')');
          return { kind: 'parenthesized', inner, start: token.start };
        }
        if (token.text === '[' && this.peek().kind === 'string' && this.isPunctuation(']', this.peek(2))) {
          const name = this.name('a name');
          return { kind: 'name', name: name.text, start: name.start };
        }
        throw this.missing('an expression');
      case 'identifier':
        return this.nameOrCall();
      case 'end':
        throw this.missing('an expression');
    }
  }

  /** A typed literal whose parentheses held raw text: `datetime(...)`, `timespan(...)`, `long(...)`, ... */
  private typedLiteral(token: Token): LiteralExpression {
    const raw = (token.value as string).trim();
    const at = token.valueStart ?? token.start;
    const bad = (what: string): KqlError => this.source.error('syntax', `invalid ${token.text} literal '${raw}'${what}`, at);
    const type = kustoTypeOf(token.text);
    const isNull = raw === 'null';
    switch (type) {
      case 'datetime': {
        if (isNull) return { kind: 'literal', type: 'datetime', value: NaN, start: token.start };
        const ms = parseDatetimeLiteral(raw);
        if (ms === undefined) throw bad(': expected an ISO 8601 date such as 2024-05-01 or 2024-05-01T10:00:00Z');
        return { kind: 'literal', type: 'datetime', value: ms, start: token.start };
      }
      case 'timespan': {
        if (isNull) return { kind: 'literal', type: 'timespan', value: NaN, start: token.start };
        const ms = parseTimespanLiteral(raw);
        if (ms === undefined) throw bad(': expected a timespan such as 1d, 2h, 30m or 1.02:03:04');
        return { kind: 'literal', type: 'timespan', value: ms, start: token.start };
      }
      case 'long':
      case 'int': {
        if (isNull) return { kind: 'literal', type, value: NaN, start: token.start };
        if (!/^[+-]?\d+$/.test(raw)) throw bad(': expected a whole number');
        const value = Number(raw);
        const limit = type === 'int' ? 2 ** 31 : 2 ** 63;
        if (value >= limit || value < -limit) throw bad(`: out of the range of ${type}`);
        if (!Number.isSafeInteger(value)) throw this.unsupported(`a ${type} literal beyond ±2^53`, at);
        return { kind: 'literal', type, value, start: token.start };
      }
      case 'real': {
        if (isNull || raw === 'nan') return { kind: 'literal', type: 'real', value: NaN, start: token.start };
        if (raw === '+inf' || raw === 'inf') return { kind: 'literal', type: 'real', value: Infinity, start: token.start };
        if (raw === '-inf') return { kind: 'literal', type: 'real', value: -Infinity, start: token.start };
        if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) throw bad(': expected a number');
        return { kind: 'literal', type: 'real', value: Number(raw), start: token.start };
      }
      case 'bool': {
        if (isNull) return { kind: 'literal', type: 'bool', value: null, start: token.start };
        const lower = raw.toLowerCase();
        if (lower !== 'true' && lower !== 'false') throw bad(': expected true or false');
        return { kind: 'literal', type: 'bool', value: lower === 'true', start: token.start };
      }
      default:
        throw this.unsupported(`the ${token.text}(...) literal`, token.start);
    }
  }

  private nameOrCall(): Expression {
    const token = this.token;
    if (this.isPunctuation('(', this.peek())) {
      if (token.text === 'datatable') return this.datatable();
      if (token.text === 'dynamic') return this.dynamicLiteral();
      if (token.text.startsWith('!') || KUSTO_RESERVED.has(token.text)) throw this.missing('an expression');
      this.next();
      this.next();
      const args: Expression[] = [];
      if (!this.isPunctuation(')')) {
        args.push(this.argument());
        while (this.isPunctuation(',')) {
          this.next();
          args.push(this.argument());
        }
      }
      const close = this.expectPunctuation(')');
      return { kind: 'call', name: token.text, args, start: token.start, end: close.end };
    }
    if (!this.startsName()) throw this.missing('an expression');
    const name = this.name('an expression');
    return { kind: 'name', name: name.text, start: name.start };
  }

  /** A call argument: an expression, a tabular one (`materialize(T | ...)`), or `*` alone (`arg_max(x, *)`). */
  private argument(): Expression {
    if (this.isPunctuation('*') && (this.isPunctuation(',', this.peek()) || this.isPunctuation(')', this.peek()))) {
      return { kind: 'star', start: this.next().start };
    }
    return this.tabularOrScalar();
  }

  /** `datatable(Name: type, ...) [value, ...]`. */
  private datatable(): DatatableExpression {
    const start = this.next().start;
    this.expectPunctuation('(');
    const columns: Array<{ name: Name; type: string; typeStart: number }> = [];
    for (;;) {
      const name = this.name('a column name');
      this.expectPunctuation(':');
      const typeToken = this.token;
      if (typeToken.kind !== 'identifier') throw this.fail('a type name');
      this.next();
      columns.push({ name, type: typeToken.text, typeStart: typeToken.start });
      if (!this.isPunctuation(',')) break;
      this.next();
    }
    this.expectPunctuation(')');
    this.expectPunctuation('[');
    const values: Expression[] = [];
    if (!this.isPunctuation(']')) {
      for (;;) {
        values.push(this.expression());
        if (!this.isPunctuation(',')) break;
        this.next();
        if (this.isPunctuation(']')) break;
      }
    }
    this.expectPunctuation(']');
    return { kind: 'datatable', columns, values, start };
  }

  /** `dynamic(value)`: JSON-like arrays, property bags, strings, numbers, bools, null. */
  private dynamicLiteral(): LiteralExpression {
    const start = this.next().start;
    this.expectPunctuation('(');
    const value = this.dynamicValue();
    this.expectPunctuation(')');
    return { kind: 'literal', type: 'dynamic', value, start };
  }

  private dynamicValue(): DynamicValue {
    const token = this.token;
    if (this.isPunctuation('[')) {
      this.next();
      const items: DynamicValue[] = [];
      while (!this.isPunctuation(']')) {
        items.push(this.dynamicValue());
        if (!this.isPunctuation(',')) break;
        this.next();
      }
      this.expectPunctuation(']');
      return items;
    }
    if (this.isPunctuation('{')) {
      this.next();
      const bag: Record<string, DynamicValue> = {};
      while (!this.isPunctuation('}')) {
        const key = this.token;
        if (key.kind !== 'string' && key.kind !== 'identifier') throw this.fail('a property name');
        this.next();
        this.expectPunctuation(':');
        bag[key.kind === 'string' ? (key.value as string) : key.text] = this.dynamicValue();
        if (!this.isPunctuation(',')) break;
        this.next();
      }
      this.expectPunctuation('}');
      return bag;
    }
    if (token.kind === 'string' || token.kind === 'long' || token.kind === 'real' || token.kind === 'bool') {
      this.next();
      return token.value as DynamicValue;
    }
    if (this.isWord('null')) {
      this.next();
      return null;
    }
    if (this.isPunctuation('-') && (this.peek().kind === 'long' || this.peek().kind === 'real')) {
      this.next();
      return -(this.next().value as number);
    }
    if (token.kind === 'typed' || token.kind === 'timespan') {
      throw this.unsupported('a datetime or timespan value inside dynamic(...)', token.start);
    }
    throw this.fail('a value (string, number, bool, null, [...] or {...})');
  }
}
