/**
 * Compiles a scalar expression: resolves names (columns first, then `let` values; names are
 * case-sensitive), checks types, folds constants, and picks the operator and function
 * implementations from their registries. Anything Kusto has that the registries lack is refused as
 * `unsupported`, naming it and its position.
 */
import { distance } from 'fastest-levenshtein';
import type { CallExpression, ElementExpression, Expression, UnaryExpression } from './ast';
import { AGGREGATES } from './aggregates';
import { compileBetween } from './between-operator';
import { BINARY_OPERATORS } from './binary-operators';
import { constant, type CompiledExpression } from './compiled-expression';
import { checkBinary, checkCall, datetimeLiteral } from './data-clock';
import { dynamicElement } from './dynamic-values';
import { LIST_OPERATORS } from './list-operators';
import { compileTabular, isTabular } from './compile-tabular';
import { compileRowwise, readerOf } from './rowwise';
import { SCALAR_FUNCTIONS } from './scalar-functions';
import type { Scope } from './scope';
import { KUSTO_AGGREGATE_NAMES, KUSTO_FUNCTION_NAMES } from './kusto-function-names';
import { isNumberType } from './types';
import type { ScalarValue } from './vectors';

/**
 * A hint for a name nobody declared: the same name in another case, else the one name ending with
 * it (`AccountUpn` → `InitiatingProcessAccountUpn`), else the one closest name at most two edits
 * away (`tolowr` → `tolower`).
 */
export function nameHint(name: string, candidates: readonly string[]): string {
  const lower = name.toLowerCase();
  const sameLetters = candidates.find((c) => c !== name && c.toLowerCase() === lower);
  if (sameLetters) return `; did you mean '${sameLetters}'? (Kusto names are case-sensitive)`;
  const endings = candidates.filter((c) => c.length > name.length && c.toLowerCase().endsWith(lower));
  if (endings.length === 1) return `; did you mean '${endings[0]}'?`;
  const near = candidates.map((c) => ({ c, d: distance(lower, c.toLowerCase()) })).filter((x) => x.d <= 2).sort((a, b) => a.d - b.d);
  return near.length > 0 && (near.length === 1 || near[0]!.d < near[1]!.d) ? `; did you mean '${near[0]!.c}'?` : '';
}

function compileName(name: string, start: number, scope: Scope): CompiledExpression {
  const schema = scope.row?.schema;
  const index = schema ? schema.findIndex((c) => c.name === name) : -1;
  if (schema && index >= 0) {
    const column = schema[index]!;
    return { kind: 'vector', type: column.type, columnName: column.name, evaluate: (relation) => relation.columns[index]! };
  }
  const value = scope.lets.get(name);
  if (value?.kind === 'constant') return value;
  if (value || scope.tables.getTable(name)) {
    throw scope.error('semantic', `'${name}' is a tabular expression, not a scalar value`, start);
  }
  const hint = nameHint(name, [...(schema ?? []).map((c) => c.name), ...[...scope.lets].filter(([, v]) => v.kind === 'constant').map(([k]) => k)]);
  const where = scope.row ? ` in ${scope.row.description}` : '';
  throw scope.error('semantic', `unknown column or variable '${name}'${where}${hint}`, start);
}

/**
 * `toscalar(tabular)`: the first column of the first row (null when there is no row). The tabular
 * expression does not depend on the row, so it runs once, while the query is compiled.
 */
function compileToScalar(node: CallExpression, scope: Scope): CompiledExpression {
  if (node.args.length !== 1) throw scope.error('semantic', `toscalar() takes 1 argument, not ${node.args.length}`, node.start);
  const arg = node.args[0]!;
  if (!isTabular(arg, scope)) return compileExpression(arg, scope);
  const tabular = compileTabular(arg, scope.withoutRow());
  const column = tabular.schema[0];
  if (!column) throw scope.error('semantic', 'toscalar() of a tabular expression without columns', arg.start);
  const relation = tabular.run();
  const value = relation.selection.length > 0 ? readerOf(relation.columns[0]!, relation.selection)(0) : column.type === 'string' ? '' : isNumberType(column.type) ? NaN : null;
  return constant(column.type, value);
}

function compileUnary(node: UnaryExpression, scope: Scope): CompiledExpression {
  const operand = compileExpression(node.operand, scope);
  if (!isNumberType(operand.type) || operand.type === 'datetime') {
    throw scope.error('semantic', `unary '${node.operator}' needs a number or a timespan, not ${operand.type}`, node.start);
  }
  if (node.operator === '+') return operand;
  return compileRowwise(operand.type, [operand], ([v]) => -(v as number));
}

function compileElement(node: ElementExpression, scope: Scope): CompiledExpression {
  const target = compileExpression(node.target, scope);
  const index = compileExpression(node.index, scope);
  if (target.type !== 'dynamic') {
    const what = node.member === undefined ? "indexing ('[...]')" : `member access ('.${node.member}')`;
    throw scope.error('semantic', `${what} needs a dynamic value, not ${target.type}`, node.start);
  }
  if (index.type !== 'string' && index.type !== 'long' && index.type !== 'int') {
    throw scope.error('semantic', `an index must be a string or a whole number, not ${index.type}`, node.index.start);
  }
  return compileRowwise('dynamic', [target, index], ([t, i]) => dynamicElement(t, i as string | number) as ScalarValue);
}

/** Compiles `node` in `scope`. Throws a {@link KqlError} for anything it cannot evaluate. */
export function compileExpression(node: Expression, scope: Scope): CompiledExpression {
  switch (node.kind) {
    case 'literal':
      return constant(node.type, node.type === 'datetime' ? datetimeLiteral(scope.clock, node.value as number) : (node.value as ScalarValue));
    case 'name':
      return compileName(node.name, node.start, scope);
    case 'star':
      throw scope.error('semantic', "'*' is only allowed as an argument of arg_max() or arg_min()", node.start);
    case 'parenthesized':
      if (node.inner.kind === 'pipeline' || node.inner.kind === 'datatable') {
        throw scope.error('semantic', 'a tabular expression cannot be used as a scalar value here', node.inner.start);
      }
      return compileExpression(node.inner, scope);
    case 'pipeline':
    case 'datatable':
    case 'union':
      throw scope.error('semantic', 'a tabular expression cannot be used as a scalar value here', node.start);
    case 'unary':
      return compileUnary(node, scope);
    case 'element':
      return compileElement(node, scope);
    case 'call': {
      if (node.name === 'toscalar') return compileToScalar(node, scope);
      if (node.name === 'materialize') throw scope.error('semantic', 'materialize() is a tabular expression, not a scalar value', node.start);
      if (AGGREGATES.has(node.name) || (KUSTO_AGGREGATE_NAMES.has(node.name) && !KUSTO_FUNCTION_NAMES.has(node.name))) {
        throw scope.error('semantic', `the aggregation function ${node.name}() can only be used in summarize`, node.start);
      }
      const fn = SCALAR_FUNCTIONS.get(node.name);
      if (!fn) {
        if (KUSTO_FUNCTION_NAMES.has(node.name)) throw scope.error('unsupported', `the function ${node.name}() is not supported by the local KQL engine`, node.start);
        const hint = nameHint(node.name, [...KUSTO_FUNCTION_NAMES]);
        throw scope.error('semantic', `unknown function '${node.name}'${hint}`, node.start);
      }
      const args = node.args.map((arg) => compileExpression(arg, scope));
      const compiled = fn(args, node, scope);
      checkCall(scope.clock, node.name, args, compiled);
      return compiled;
    }
    case 'binary': {
      const left = compileExpression(node.left, scope);
      const right = compileExpression(node.right, scope);
      const operator = BINARY_OPERATORS.get(node.operator);
      if (!operator) throw scope.error('unsupported', `the operator '${node.operator}' is not supported by the local KQL engine`, node.operatorStart);
      const compiled = operator(left, right, node, scope);
      checkBinary(scope.clock, node.operator, left, right);
      return compiled;
    }
    case 'between':
      return compileBetween(
        compileExpression(node.operand, scope),
        compileExpression(node.low, scope),
        compileExpression(node.high, scope),
        node,
        scope,
      );
    case 'list-operator': {
      const operator = LIST_OPERATORS.get(node.operator);
      if (!operator) throw scope.error('unsupported', `the operator '${node.operator}' is not supported by the local KQL engine`, node.operatorStart);
      return operator(compileExpression(node.operand, scope), node, scope);
    }
  }
}
