/**
 * Comparisons (`<`, `<=`, `>`, `>=`) and arithmetic (`+ - * / %`) on numbers, datetimes and
 * timespans, with Kusto's typing:
 *
 * | left | op | right | result |
 * |---|---|---|---|
 * | int/long/real | `+ - * / %` | int/long/real | `real` if either is real, else `int` if both are int, else `long`; integer `/` truncates |
 * | datetime | `-` | datetime | timespan |
 * | datetime | `+ -` | timespan | datetime (and timespan `+` datetime) |
 * | timespan | `+ -` | timespan | timespan |
 * | timespan | `* /` | number | timespan (and number `*` timespan) |
 * | timespan | `/` | timespan | real |
 * | timespan | `%` | timespan | timespan |
 *
 * A null operand gives null. Division or modulo by zero is refused when the query runs (an
 * `unsupported` error at the operator): Kusto does not document its result, and the engine does
 * not guess. Comparisons take two numbers, two datetimes or two timespans (Kusto refuses strings);
 * a null operand makes the comparison null, so `where` drops the row.
 */
import type { BinaryExpression } from './ast';
import { boolVector, type CompiledExpression } from './compiled-expression';
import { operandTypeError } from './operand-errors';
import { compileNumberPredicate } from './number-predicates';
import { compileRowwise } from './rowwise';
import type { Scope } from './scope';
import { isNumeric, type KustoType } from './types';
import { FALSE, NULL, TRUE, type NumberVector } from './vectors';

type Comparison = '<' | '<=' | '>' | '>=';
type BinaryCompiler = (left: CompiledExpression, right: CompiledExpression, node: BinaryExpression, scope: Scope) => CompiledExpression;

function family(type: KustoType): 'number' | 'datetime' | 'timespan' | undefined {
  if (isNumeric(type)) return 'number';
  return type === 'datetime' || type === 'timespan' ? type : undefined;
}

const TESTS: Readonly<Record<Comparison, (a: number, b: number) => boolean>> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

const FLIPPED: Readonly<Record<Comparison, Comparison>> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** A column compared with a constant, as one tight loop. */
function columnAgainstConstant(column: CompiledExpression & { kind: 'vector' }, value: number, test: (a: number, b: number) => boolean): CompiledExpression {
  return boolVector((relation, sel) => {
    const vector = column.evaluate(relation, sel) as NumberVector;
    const values = vector.values;
    const out = new Uint8Array(sel.length);
    if (value !== value) return out.fill(NULL);
    const byRow = vector.layout === 'rows';
    for (let i = 0; i < sel.length; i++) {
      const v = values[byRow ? sel[i]! : i]!;
      out[i] = v !== v ? NULL : test(v, value) ? TRUE : FALSE;
    }
    return out;
  });
}

/** `left op right` for a comparison operator. */
export function compileComparison(op: Comparison, left: CompiledExpression, right: CompiledExpression, node: BinaryExpression, scope: Scope): CompiledExpression {
  const kind = family(left.type);
  if (!kind || family(right.type) !== kind) {
    if (left.type === 'dynamic' || right.type === 'dynamic') throw operandTypeError(node, scope, '', left.type, right.type);
    throw scope.error('semantic', `the operator '${op}' needs two numbers, two datetimes or two timespans, not ${left.type} and ${right.type}`, node.operatorStart);
  }
  if (left.kind === 'vector' && right.kind === 'constant') return columnAgainstConstant(left, right.value as number, TESTS[op]);
  if (left.kind === 'constant' && right.kind === 'vector') return columnAgainstConstant(right, left.value as number, TESTS[FLIPPED[op]]);
  const test = TESTS[op];
  return compileNumberPredicate([left, right], ([a, b]) => (a !== a || b !== b ? NULL : test(a!, b!) ? TRUE : FALSE));
}

function numericResult(left: KustoType, right: KustoType): KustoType {
  if (left === 'real' || right === 'real') return 'real';
  return left === 'int' && right === 'int' ? 'int' : 'long';
}

/** The result type of `left op right`, or `undefined` when Kusto has no such arithmetic. */
function arithmeticType(op: string, left: KustoType, right: KustoType): KustoType | undefined {
  const l = family(left);
  const r = family(right);
  if (l === 'number' && r === 'number') return numericResult(left, right);
  switch (op) {
    case '+':
      if ((l === 'datetime' && r === 'timespan') || (l === 'timespan' && r === 'datetime')) return 'datetime';
      if (l === 'timespan' && r === 'timespan') return 'timespan';
      return undefined;
    case '-':
      if (l === 'datetime' && r === 'datetime') return 'timespan';
      if (l === 'datetime' && r === 'timespan') return 'datetime';
      if (l === 'timespan' && r === 'timespan') return 'timespan';
      return undefined;
    case '*':
      return (l === 'timespan' && r === 'number') || (l === 'number' && r === 'timespan') ? 'timespan' : undefined;
    case '/':
      if (l === 'timespan' && r === 'number') return 'timespan';
      return l === 'timespan' && r === 'timespan' ? 'real' : undefined;
    case '%':
      return l === 'timespan' && r === 'timespan' ? 'timespan' : undefined;
    default:
      return undefined;
  }
}

function arithmetic(op: '+' | '-' | '*' | '/' | '%'): BinaryCompiler {
  return (left, right, node, scope) => {
    const type = arithmeticType(op, left.type, right.type);
    if (!type && (left.type === 'dynamic' || right.type === 'dynamic')) throw operandTypeError(node, scope, '', left.type, right.type);
    if (!type) throw scope.error('semantic', `the operator '${op}' is not defined for ${left.type} and ${right.type}`, node.operatorStart);
    const integral = type === 'long' || type === 'int';
    const divideByZero = (): never => {
      throw scope.error('unsupported', `division by zero ('${op}'): Kusto does not document its result, so the local KQL engine refuses it`, node.operatorStart);
    };
    const compute = (a: number, b: number): number => {
      if (a !== a || b !== b) return NaN;
      switch (op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          if (b === 0) divideByZero();
          return integral ? Math.trunc(a / b) : a / b;
        case '%':
          if (b === 0) divideByZero();
          return a % b;
      }
    };
    return compileRowwise(type, [left, right], ([a, b]) => compute(a as number, b as number));
  };
}

/** The arithmetic operators, by spelling. */
export const ARITHMETIC_OPERATORS: ReadonlyArray<readonly [string, BinaryCompiler]> = (['+', '-', '*', '/', '%'] as const).map((op) => [op, arithmetic(op)] as const);
