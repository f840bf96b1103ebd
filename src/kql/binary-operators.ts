/**
 * The binary operators the engine evaluates, by their KQL spelling. Each entry checks its
 * operand types (a mismatch is a semantic error naming the operator) and compiles to a
 * {@link CompiledExpression}. Operators Kusto has that are not listed here are refused as
 * `unsupported` by the expression compiler.
 */
import type { BinaryExpression } from './ast';
import { foldCase } from './case-folding';
import { boolByte, boolConstant, boolVector, evaluateBools, type CompiledExpression } from './compiled-expression';
import { compileAnd, compileOr } from './logical-operators';
import { compileNumberPredicate } from './number-predicates';
import type { Scope } from './scope';
import { compileStringPredicate, type StringMatcherFactory } from './string-predicates';
import { NeedleWithoutTermError, prepareHas } from './term-match';
import { isNumberType, isNumeric, type KustoType } from './types';
import { FALSE, NULL, TRUE } from './vectors';

/** Compiles `left op right`. */
export type BinaryOperatorCompiler = (
  left: CompiledExpression,
  right: CompiledExpression,
  node: BinaryExpression,
  scope: Scope,
) => CompiledExpression;

function typeError(node: BinaryExpression, scope: Scope, needs: string, left: KustoType, right: KustoType): Error {
  return scope.error('semantic', `the operator '${node.operator}' needs ${needs}, not ${left} and ${right}`, node.operatorStart);
}

function bothBool(left: CompiledExpression, right: CompiledExpression, node: BinaryExpression, scope: Scope): void {
  if (left.type !== 'bool' || right.type !== 'bool') throw typeError(node, scope, 'bool operands', left.type, right.type);
}

function bothString(left: CompiledExpression, right: CompiledExpression, node: BinaryExpression, scope: Scope): void {
  if (left.type !== 'string' || right.type !== 'string') throw typeError(node, scope, 'string operands', left.type, right.type);
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

function stringOperator(prepare: StringMatcherFactory): BinaryOperatorCompiler {
  return (left, right, node, scope) => {
    bothString(left, right, node, scope);
    return compileStringPredicate(left, right, guardNeedles(prepare, node.operator, node.operatorStart, scope));
  };
}

const equalsIgnoreCase: StringMatcherFactory = (right) => {
  const folded = foldCase(right);
  return (left) => left.length === right.length && foldCase(left) === folded;
};

const startsWithIgnoreCase: StringMatcherFactory = (right) => {
  const folded = foldCase(right);
  return (left) => left.length >= right.length && foldCase(left.slice(0, right.length)) === folded;
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
    if (!numeric && left.type !== right.type) throw typeError(node, scope, 'operands of the same type', left.type, right.type);
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
  ['has', stringOperator(prepareHas)],
  ['startswith', stringOperator(startsWithIgnoreCase)],
]);
