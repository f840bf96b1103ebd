/**
 * The binary operators the engine evaluates, by their KQL spelling. Each entry checks its
 * operand types (a mismatch is a semantic error naming the operator) and compiles to a
 * {@link CompiledExpression}. Operators Kusto has that are not listed here are refused as
 * `unsupported` by the expression compiler. `matches regex` is in `regex-functions.ts`.
 *
 * String operators follow Kusto's table of string operators: `has`/`hasprefix`/`hassuffix` match
 * terms (see `term-match.ts`), `contains`/`startswith`/`endswith` substrings; each is
 * case-insensitive unless it ends in `_cs`, and `!op` is its negation. `==`/`!=` compare strings
 * exactly, `=~`/`!~` ignoring case. Comparisons and arithmetic are in `number-operators.ts`.
 */
import type { BinaryExpression } from './ast';
import { foldCase } from './case-folding';
import { boolByte, boolConstant, boolVector, evaluateBools, type CompiledExpression } from './compiled-expression';
import { compileAnd, compileOr } from './logical-operators';
import { ARITHMETIC_OPERATORS, compileComparison } from './number-operators';
import { compileNumberPredicate } from './number-predicates';
import { compileMatchesRegex } from './regex-functions';
import type { Scope } from './scope';
import { compileStringPredicate, type StringMatcherFactory } from './string-predicates';
import { NeedleWithoutTermError, prepareTermMatch, type TermMatchOptions } from './term-match';
import { operandTypeError } from './operand-errors';
import { isNumberType, isNumeric } from './types';
import { FALSE, NULL, TRUE } from './vectors';

/** Compiles `left op right`. */
export type BinaryOperatorCompiler = (
  left: CompiledExpression,
  right: CompiledExpression,
  node: BinaryExpression,
  scope: Scope,
) => CompiledExpression;

function bothBool(left: CompiledExpression, right: CompiledExpression, node: BinaryExpression, scope: Scope): void {
  if (left.type !== 'bool' || right.type !== 'bool') throw operandTypeError(node, scope, 'bool operands', left.type, right.type);
}

function bothString(left: CompiledExpression, right: CompiledExpression, node: BinaryExpression, scope: Scope): void {
  if (left.type !== 'string' || right.type !== 'string') throw operandTypeError(node, scope, 'string operands', left.type, right.type);
}

/**
 * `factory` with its refusal of a needle (a `has` needle without a term) turned into an
 * `unsupported` error at `offset`.
 */
export function guardNeedles(factory: StringMatcherFactory, operator: string, offset: number, scope: Scope): StringMatcherFactory {
  return (needle) => {
    try {
      return factory(needle);
    } catch (e) {
      if (e instanceof NeedleWithoutTermError) {
        throw scope.error(
          'unsupported',
          `'${operator}' needs a needle with a letter or digit (a term); ${JSON.stringify(needle)} has none, and Kusto does not document what it would match`,
          offset,
        );
      }
      throw e;
    }
  };
}

function negate(factory: StringMatcherFactory): StringMatcherFactory {
  return (right) => {
    const matcher = factory(right);
    return (left) => !matcher(left);
  };
}

function stringOperator(prepare: StringMatcherFactory): BinaryOperatorCompiler {
  return (left, right, node, scope) => {
    bothString(left, right, node, scope);
    return compileStringPredicate(left, right, guardNeedles(prepare, node.operator, node.operatorStart, scope));
  };
}

const termMatch =
  (options: TermMatchOptions): StringMatcherFactory =>
  (needle) =>
    prepareTermMatch(needle, options);

/** A substring test: where the needle must be (anywhere, at the start, at the end), with or without case. */
function substring(where: 'anywhere' | 'start' | 'end', caseSensitive: boolean): StringMatcherFactory {
  return (right) => {
    const needle = caseSensitive ? right : foldCase(right);
    const fold = caseSensitive ? (s: string): string => s : foldCase;
    if (where === 'anywhere') return (left) => left.length >= right.length && fold(left).includes(needle);
    if (where === 'start') return (left) => left.length >= right.length && fold(left.slice(0, right.length)) === needle;
    return (left) => left.length >= right.length && fold(left.slice(left.length - right.length)) === needle;
  };
}

const equalsIgnoreCase: StringMatcherFactory = (right) => {
  const folded = foldCase(right);
  return (left) => left.length === right.length && foldCase(left) === folded;
};

/** `==` / `!=` for any two comparable types, with Kusto's null rules. */
function equality(negated: boolean): BinaryOperatorCompiler {
  const oneNull = negated ? TRUE : FALSE;
  const same = negated ? FALSE : TRUE;
  const differ = negated ? TRUE : FALSE;
  return (left, right, node, scope) => {
    if (left.type === 'dynamic' || right.type === 'dynamic') {
      throw scope.error('unsupported', `'${node.operator}' on dynamic values is not supported by the local KQL engine`, node.operatorStart);
    }
    if (left.type === 'string' && right.type === 'string') {
      return compileStringPredicate(left, right, (r) => (negated ? (l) => l !== r : (l) => l === r));
    }
    const numeric = isNumeric(left.type) && isNumeric(right.type);
    if (!numeric && left.type !== right.type) throw operandTypeError(node, scope, 'operands of the same type', left.type, right.type);
    if (isNumberType(left.type)) {
      return compileNumberPredicate([left, right], ([a, b]) => {
        const aNull = a !== a;
        const bNull = b !== b;
        if (aNull || bNull) return aNull && bNull ? NULL : oneNull;
        return a === b ? same : differ;
      });
    }
    const compare = (a: number, b: number): number => {
      if (a === NULL || b === NULL) return a === NULL && b === NULL ? NULL : oneNull;
      return a === b ? same : differ;
    };
    if (left.kind === 'constant' && right.kind === 'constant') return boolConstant(compare(boolByte(left.value), boolByte(right.value)));
    return boolVector((relation, sel) => {
      const a = evaluateBools(left, relation, sel);
      const b = evaluateBools(right, relation, sel);
      const out = new Uint8Array(sel.length);
      for (let i = 0; i < out.length; i++) out[i] = compare(a[i]!, b[i]!);
      return out;
    });
  };
}

/** The string operators with their `!` negations. */
const STRING_OPERATORS: ReadonlyArray<readonly [string, StringMatcherFactory]> = [
  ['has', termMatch({})],
  ['has_cs', termMatch({ caseSensitive: true })],
  ['hasprefix', termMatch({ endsTerm: false })],
  ['hasprefix_cs', termMatch({ endsTerm: false, caseSensitive: true })],
  ['hassuffix', termMatch({ startsTerm: false })],
  ['hassuffix_cs', termMatch({ startsTerm: false, caseSensitive: true })],
  ['contains', substring('anywhere', false)],
  ['contains_cs', substring('anywhere', true)],
  ['startswith', substring('start', false)],
  ['startswith_cs', substring('start', true)],
  ['endswith', substring('end', false)],
  ['endswith_cs', substring('end', true)],
];

/** The supported binary operators. */
export const BINARY_OPERATORS: ReadonlyMap<string, BinaryOperatorCompiler> = new Map<string, BinaryOperatorCompiler>([
  [
    'and',
    (l, r, node, scope) => {
      bothBool(l, r, node, scope);
      return compileAnd(l, r);
    },
  ],
  [
    'or',
    (l, r, node, scope) => {
      bothBool(l, r, node, scope);
      return compileOr(l, r);
    },
  ],
  ['==', equality(false)],
  ['!=', equality(true)],
  ['=~', stringOperator(equalsIgnoreCase)],
  ['!~', stringOperator(negate(equalsIgnoreCase))],
  ...STRING_OPERATORS.flatMap(([name, factory]): Array<[string, BinaryOperatorCompiler]> => [
    [name, stringOperator(factory)],
    [`!${name}`, stringOperator(negate(factory))],
  ]),
  ...(['<', '<=', '>', '>='] as const).map((op): [string, BinaryOperatorCompiler] => [op, (l, r, node, scope) => compileComparison(op, l, r, node, scope)]),
  ['matches regex', compileMatchesRegex],
  ...ARITHMETIC_OPERATORS,
]);
