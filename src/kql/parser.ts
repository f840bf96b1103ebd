/**
 * Parses KQL text into a {@link Query} syntax tree. Operator precedence follows Kusto: `or` binds
 * loosest, then `and`, then the comparison and string operators (not associative:
 * `a == b == c` is an error, as in Kusto), then `+ -`, then `* / %`, then unary minus.
 *
 * The parser knows the grammar of every binary operator; which ones the engine can evaluate is
 * the compiler's business. Tabular operators are parsed by the entries of {@link OPERATOR_PARSERS};
 * other Kusto operators are refused as `unsupported`.
 */
import type {
  Expression,
  LetStatement,
  Name,
  NamedExpression,
  PipelineExpression,
  Query,
  QueryOperator,
  SummarizeOperator,
  WhereOperator,
} from './ast';
import { KqlError } from './errors';
import { SourceText } from './source-text';
import { tokenize } from './tokenizer';
import type { Token } from './tokens';
import {
  KUSTO_OPERATOR_WORDS,
  KUSTO_QUERY_OPERATORS,
  KUSTO_RESERVED,
  KUSTO_STATEMENTS,
  KUSTO_TABULAR_SOURCES,
  KUSTO_TYPED_LITERALS,
} from './vocabulary';

const COMPARISON_PUNCTUATION = new Set(['==', '!=', '=~', '!~', '<', '<=', '>', '>=', '<>']);
const LIST_OPERATORS = new Set(['has_any', 'has_all', 'in', '!in', 'in~', '!in~']);

type OperatorParser = (parser: Parser, start: number) => QueryOperator;

/** How each supported tabular operator is parsed, by its keyword. */
const OPERATOR_PARSERS: Readonly<Record<string, OperatorParser>> = {
  where: (p, start): WhereOperator => ({ kind: 'where', predicate: p.expression(), start }),
  summarize: (p, start) => p.summarize(start),
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

  private unsupported(what: string, offset: number): KqlError {
    return this.source.error('unsupported', `${what} is not supported by the local KQL engine`, offset);
  }

  private expectPunctuation(text: string): Token {
    if (!this.isPunctuation(text)) throw this.fail(`'${text}'`);
    return this.next();
  }

  private name(what: string): Name {
    const token = this.token;
    if (token.kind !== 'identifier' || token.text.startsWith('!') || KUSTO_RESERVED.has(token.text)) throw this.fail(what);
    this.next();
    return { text: token.text, start: token.start };
  }

  query(): Query {
    const lets: LetStatement[] = [];
    let body: PipelineExpression | undefined;
    while (!this.atEnd()) {
      if (this.isPunctuation(';')) {
        this.next();
        continue;
      }
      if (body) throw this.unsupported('more than one tabular statement in a query', this.token.start);
      if (this.isWord('let')) {
        lets.push(this.let());
        if (!this.isPunctuation(';')) throw this.fail("';' after the let statement");
        continue;
      }
      if (this.token.kind === 'identifier' && KUSTO_STATEMENTS.has(this.token.text) && this.peek().kind === 'identifier') {
        throw this.unsupported(`the '${this.token.text}' statement`, this.token.start);
      }
      body = this.pipeline();
      if (!this.isPunctuation(';') && !this.atEnd()) throw this.fail("'|' or the end of the query");
    }
    if (!body) throw this.source.error('syntax', 'the query has no tabular expression (a table name to query)', this.source.text.length);
    return { lets, body };
  }

  private let(): LetStatement {
    const start = this.next().start;
    const name = this.name('a name after let');
    this.expectPunctuation('=');
    if (this.isPunctuation('(')) {
      throw this.unsupported('a let statement defining a function or a tabular expression', this.token.start);
    }
    if (this.token.kind === 'identifier' && this.isPunctuation('|', this.peek())) {
      throw this.unsupported('a let statement binding a tabular expression', this.token.start);
    }
    return { kind: 'let', name, value: this.expression(), start };
  }

  private pipeline(): PipelineExpression {
    const token = this.token;
    if (token.kind !== 'identifier' || token.text.startsWith('!')) {
      if (this.isPunctuation('(')) throw this.unsupported('a parenthesised tabular expression', token.start);
      throw this.fail('a table name');
    }
    if (KUSTO_TABULAR_SOURCES.has(token.text) && !this.isPunctuation('|', this.peek()) && this.peek().kind !== 'end') {
      throw this.unsupported(`the '${token.text}' operator`, token.start);
    }
    if (this.isPunctuation('(', this.peek())) throw this.unsupported(`calling the function '${token.text}' as a table`, token.start);
    const source = this.name('a table name');
    const operators: QueryOperator[] = [];
    while (this.isPunctuation('|')) {
      this.next();
      operators.push(this.operator());
    }
    return { kind: 'pipeline', source, operators, start: source.start };
  }

  private operator(): QueryOperator {
    const token = this.token;
    if (token.kind !== 'identifier') throw this.fail('a query operator after |');
    let word = token.text;
    // Kusto's hyphenated operators (project-away, mv-expand) are single words.
    if (this.isPunctuation('-', this.peek()) && this.peek(2).kind === 'identifier' && this.peek().start === token.end) {
      word = `${word}-${this.peek(2).text}`;
    }
    const parse = Object.prototype.hasOwnProperty.call(OPERATOR_PARSERS, word) ? OPERATOR_PARSERS[word] : undefined;
    if (parse) {
      this.next();
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
    if (this.atEnd() || this.isPunctuation('|') || this.isPunctuation(';')) {
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

  private namedList(): NamedExpression[] {
    const items: NamedExpression[] = [];
    for (;;) {
      if (this.isPunctuation('(') && this.looksLikeTupleName()) {
        throw this.unsupported('naming several columns at once ((a, b) = ...)', this.token.start);
      }
      let name: Name | undefined;
      if (this.token.kind === 'identifier' && this.isPunctuation('=', this.peek())) {
        name = this.name('a column name');
        this.next();
      }
      items.push(name ? { name, expression: this.expression() } : { expression: this.expression() });
      if (!this.isPunctuation(',')) return items;
      this.next();
    }
  }

  private looksLikeTupleName(): boolean {
    let i = this.index + 1;
    while (this.tokens[i]?.kind === 'identifier' || this.isPunctuation(',', this.tokens[i])) i++;
    return this.isPunctuation(')', this.tokens[i]) && this.isPunctuation('=', this.tokens[i + 1]);
  }

  /** A scalar expression. */
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
      if (this.isPunctuation('(')) throw this.unsupported(`a tabular expression in '${op.text}'`, this.token.start);
      const items: Expression[] = [this.expression()];
      while (this.isPunctuation(',')) {
        this.next();
        items.push(this.expression());
      }
      this.expectPunctuation(')');
      result = { kind: 'list-operator', operator: op.text, operatorStart: op.start, operand: left, items, start: left.start };
    } else {
      let operator = op.text;
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
    const primary = this.primary();
    if (this.isPunctuation('.') || this.isPunctuation('[')) {
      throw this.unsupported(this.token.text === '.' ? "member access ('.')" : "indexing ('[...]')", this.token.start);
    }
    return primary;
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
      case 'punctuation':
        if (token.text === '(') {
          this.next();
          if (this.token.kind === 'identifier' && this.isPunctuation('|', this.peek())) {
            throw this.unsupported('a tabular expression inside a scalar expression', this.token.start);
          }
          const inner = this.expression();
          if (this.isPunctuation(',')) throw this.unsupported('a tuple (a, b)', this.token.start);
          this.expectPunctuation(')');
          return inner;
        }
        if (token.text === '[') throw this.unsupported("a bracketed name (['...'])", token.start);
        throw this.fail('an expression');
      case 'identifier':
        return this.nameOrCall();
      case 'end':
        throw this.fail('an expression');
    }
  }

  private nameOrCall(): Expression {
    const token = this.token;
    if (this.isPunctuation('(', this.peek())) {
      if (KUSTO_TYPED_LITERALS.has(token.text)) throw this.unsupported(`the ${token.text}(...) literal`, token.start);
      if (token.text.startsWith('!') || KUSTO_RESERVED.has(token.text)) throw this.fail('an expression');
      this.next();
      this.next();
      const args: Expression[] = [];
      if (!this.isPunctuation(')')) {
        args.push(this.expression());
        while (this.isPunctuation(',')) {
          this.next();
          args.push(this.expression());
        }
      }
      this.expectPunctuation(')');
      return { kind: 'call', name: token.text, args, start: token.start };
    }
    const name = this.name('an expression');
    return { kind: 'name', name: name.text, start: name.start };
  }
}
