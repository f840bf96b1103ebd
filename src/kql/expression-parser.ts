/**
 * The expression half of the parser. Operator precedence follows Kusto: `or` binds
 * loosest, then `and`, then the comparison and string operators (not associative:
 * `a == b == c` is an error, as in Kusto), then `+ -`, then `* / %`, then unary minus, then
 * element access (`a[0]`, `a.b`).
 */
import type { DatatableExpression, DynamicValue, Expression, LiteralExpression, Name } from './ast';
import { parseDatetimeLiteral } from './datetime';
import type { KqlError } from './errors';
import { parseTimespanLiteral } from './timespan';
import type { Token } from './tokens';
import { TokenCursor } from './token-cursor';
import { kustoTypeOf } from './types';
import { KUSTO_OPERATOR_WORDS, KUSTO_RESERVED } from './vocabulary';

const COMPARISON_PUNCTUATION = new Set(['==', '!=', '=~', '!~', '<', '<=', '>', '>=', '<>']);
const LIST_OPERATORS = new Set(['has_any', 'has_all', 'in', '!in', 'in~', '!in~']);

/**
 * Scalar expressions: operators by precedence, literals (typed and `dynamic`), names, calls and
 * `datatable`; the query parser extends it with statements and tabular operators.
 */
export abstract class ExpressionParser extends TokenCursor {
  /**
   * An expression, continued as a tabular expression when `|` follows it (the query parser's):
   * what parentheses, call arguments and the items of an `in`/`has_any` list hold.
   */
  protected abstract tabularOrScalar(): Expression;

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

  protected primary(): Expression {
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
