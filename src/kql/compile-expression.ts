/**
 * Compiles a scalar expression: resolves names (columns first, then `let` constants; names are
 * case-sensitive), checks types, folds constants, and picks the operator and function
 * implementations from their registries. Anything Kusto has that the registries lack is refused as
 * `unsupported`, naming it and its position.
 */
import type { Expression, UnaryExpression } from './ast';
import { AGGREGATES } from './aggregates';
import { compileBetween } from './between-operator';
import { BINARY_OPERATORS } from './binary-operators';
import { constant, type CompiledExpression } from './compiled-expression';
import { LIST_OPERATORS } from './list-operators';
import { SCALAR_FUNCTIONS } from './scalar-functions';
import type { Scope } from './scope';
import { isNumberType } from './types';

function caseInsensitiveMatch(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  for (const candidate of candidates) if (candidate !== name && candidate.toLowerCase() === lower) return candidate;
  return undefined;
}

function compileName(name: string, start: number, scope: Scope): CompiledExpression {
  const schema = scope.row?.schema;
  const index = schema ? schema.findIndex((c) => c.name === name) : -1;
  if (schema && index >= 0) {
    const column = schema[index]!;
    return { kind: 'vector', type: column.type, columnName: column.name, evaluate: (relation) => relation.columns[index]! };
  }
  const value = scope.lets.get(name);
  if (value) return value;
  const similar = caseInsensitiveMatch(name, [...(schema ?? []).map((c) => c.name), ...scope.lets.keys()]);
  const hint = similar ? `; did you mean '${similar}'? (Kusto names are case-sensitive)` : '';
  const where = scope.row ? ` in ${scope.row.description}` : '';
  throw scope.error('semantic', `unknown column or variable '${name}'${where}${hint}`, start);
}

function compileUnary(node: UnaryExpression, scope: Scope): CompiledExpression {
  const operand = compileExpression(node.operand, scope);
  if (!isNumberType(operand.type) || operand.type === 'datetime') {
    throw scope.error('semantic', `unary '${node.operator}' needs a number or a timespan, not ${operand.type}`, node.start);
  }
  if (node.operator === '+') return operand;
  if (operand.kind !== 'constant') {
    throw scope.error('unsupported', "unary '-' on a column is not supported by the local KQL engine", node.start);
  }
  return constant(operand.type, -(operand.value as number));
}

/** Compiles `node` in `scope`. Throws a {@link KqlError} for anything it cannot evaluate. */
export function compileExpression(node: Expression, scope: Scope): CompiledExpression {
  switch (node.kind) {
    case 'literal':
      return constant(node.type, node.value);
    case 'name':
      return compileName(node.name, node.start, scope);
    case 'unary':
      return compileUnary(node, scope);
    case 'call': {
      if (AGGREGATES.has(node.name)) {
        throw scope.error('semantic', `the aggregation function ${node.name}() can only be used in summarize`, node.start);
      }
      const fn = SCALAR_FUNCTIONS.get(node.name);
      if (!fn) throw scope.error('unsupported', `the function ${node.name}() is not supported by the local KQL engine`, node.start);
      return fn(
        node.args.map((arg) => compileExpression(arg, scope)),
        node,
        scope,
      );
    }
    case 'binary': {
      const left = compileExpression(node.left, scope);
      const right = compileExpression(node.right, scope);
      const operator = BINARY_OPERATORS.get(node.operator);
      if (!operator) throw scope.error('unsupported', `the operator '${node.operator}' is not supported by the local KQL engine`, node.operatorStart);
      return operator(left, right, node, scope);
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
      const operand = compileExpression(node.operand, scope);
      const items = node.items.map((item) => compileExpression(item, scope));
      const operator = LIST_OPERATORS.get(node.operator);
      if (!operator) throw scope.error('unsupported', `the operator '${node.operator}' is not supported by the local KQL engine`, node.operatorStart);
      return operator(operand, items, node, scope);
    }
  }
}
