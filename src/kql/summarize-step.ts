/**
 * `| summarize [Name =] aggregation(...), ... [by [Name =] key, ...]`: one output row per distinct
 * combination of key values (in the order the combinations first appear), with the `by` columns
 * first and the aggregations after them, as in Kusto. Without `by`, exactly one row, even over no
 * input rows.
 */
import type { Expression, NamedExpression, SummarizeOperator } from './ast';
import { AGGREGATES, type CompiledAggregate } from './aggregates';
import { compileExpression } from './compile-expression';
import type { CompiledExpression } from './compiled-expression';
import { groupRows } from './grouping';
import type { RowScope, Scope } from './scope';
import type { Step } from './step';
import type { ColumnSchema } from './table';
import { allRows, type Column, type Vector } from './vectors';

function containsAggregate(node: Expression): boolean {
  switch (node.kind) {
    case 'call':
      return AGGREGATES.has(node.name) || node.args.some(containsAggregate);
    case 'binary':
      return containsAggregate(node.left) || containsAggregate(node.right);
    case 'unary':
      return containsAggregate(node.operand);
    case 'between':
      return [node.operand, node.low, node.high].some(containsAggregate);
    case 'list-operator':
      return [node.operand, ...node.items].some(containsAggregate);
    default:
      return false;
  }
}

function compileAggregate(item: NamedExpression, scope: Scope): CompiledAggregate {
  const node = item.expression;
  if (node.kind === 'call' && AGGREGATES.has(node.name)) {
    const args = node.args.map((arg) => {
      if (containsAggregate(arg)) throw scope.error('semantic', 'an aggregation function cannot take another aggregation', arg.start);
      return compileExpression(arg, scope);
    });
    return AGGREGATES.get(node.name)!(args, node, scope);
  }
  if (containsAggregate(node)) {
    throw scope.error('unsupported', 'an expression around an aggregation function is not supported by the local KQL engine', node.start);
  }
  throw scope.error('semantic', 'summarize needs an aggregation function here, such as count(), min(x), max(x) or make_set(x)', node.start);
}

/** Gathers the value of each group's first row from a key vector computed over `sel`. */
function gatherKeys(vector: Vector, sel: Uint32Array, firstPositions: Int32Array): Column {
  const at = (g: number): number => (vector.layout === 'rows' ? sel[firstPositions[g]!]! : firstPositions[g]!);
  const n = firstPositions.length;
  switch (vector.type) {
    case 'string': {
      const codes = new Int32Array(n);
      for (let g = 0; g < n; g++) codes[g] = vector.codes[at(g)]!;
      return { type: 'string', layout: 'rows', codes, dict: vector.dict };
    }
    case 'bool': {
      const values = new Uint8Array(n);
      for (let g = 0; g < n; g++) values[g] = vector.values[at(g)]!;
      return { type: 'bool', layout: 'rows', values };
    }
    case 'dynamic':
      throw new Error('internal: dynamic group key');
    default: {
      const values = new Float64Array(n);
      for (let g = 0; g < n; g++) values[g] = vector.values[at(g)]!;
      return { type: vector.type, layout: 'rows', values };
    }
  }
}

/** Compiles a summarize operator over the rows described by `input`. */
export function compileSummarize(operator: SummarizeOperator, input: RowScope, outer: Scope): Step {
  const scope = outer.withRow(input);
  const schema: ColumnSchema[] = [];
  const declare = (name: string, type: ColumnSchema['type'], at: number): void => {
    if (schema.some((c) => c.name === name)) throw scope.error('semantic', `a column named '${name}' is already declared`, at);
    schema.push({ name, type });
  };

  const keys: Array<CompiledExpression & { kind: 'vector' }> = [];
  for (const item of operator.by) {
    if (containsAggregate(item.expression)) {
      throw scope.error('semantic', 'a by key cannot contain an aggregation function', item.expression.start);
    }
    const key = compileExpression(item.expression, scope);
    const at = item.name?.start ?? item.expression.start;
    if (key.kind !== 'vector') throw scope.error('unsupported', 'a constant by key is not supported by the local KQL engine', at);
    if (key.type === 'dynamic') {
      throw scope.error('semantic', 'a by key cannot be of type dynamic (Kusto needs an explicit cast)', item.expression.start);
    }
    const name = item.name?.text ?? key.columnName;
    if (!name) throw scope.error('unsupported', 'a by key computed without a name (write Name = ...) is not supported by the local KQL engine', at);
    declare(name, key.type, at);
    keys.push(key);
  }

  const aggregates: CompiledAggregate[] = [];
  for (const item of operator.aggregates) {
    const aggregate = compileAggregate(item, scope);
    const at = item.name?.start ?? item.expression.start;
    const name = item.name?.text ?? aggregate.defaultName;
    if (!name) throw scope.error('unsupported', 'an aggregation of an expression without a name (write Name = ...) is not supported by the local KQL engine', at);
    declare(name, aggregate.type, at);
    aggregates.push(aggregate);
  }

  return {
    schema,
    run: (relation) => {
      const sel = relation.selection;
      const keyVectors = keys.map((key) => key.evaluate(relation, sel));
      const { groups, groupCount, firstPositions } = groupRows(keyVectors, sel);
      const columns: Column[] = [
        ...keyVectors.map((vector) => gatherKeys(vector, sel, firstPositions)),
        ...aggregates.map((aggregate) => aggregate.aggregate(relation, sel, groups, groupCount)),
      ];
      return { schema, columns, selection: allRows(groupCount) };
    },
  };
}
