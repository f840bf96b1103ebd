/**
 * `| summarize [Name =] aggregation(...), ... [by [Name =] key, ...]`: one output row per distinct
 * combination of key values (in the order the combinations first appear), with the `by` columns
 * first and the aggregations after them, as in Kusto. Without `by`, exactly one row, even over no
 * input rows. Unnamed columns get Kusto's names (see `column-names.ts` and `aggregates.ts`).
 * `distinct` is a summarize without aggregations.
 */
import type { Expression, NamedExpression, SummarizeOperator } from './ast';
import { AGGREGATES, type CompiledAggregate } from './aggregates';
import { derivedName, generatedName, uniqueName } from './column-names';
import { compileExpression } from './compile-expression';
import type { CompiledExpression } from './compiled-expression';
import { groupRows } from './grouping';
import { KUSTO_AGGREGATE_NAMES } from './kusto-function-names';
import type { RowScope, Scope } from './scope';
import type { Step } from './step';
import type { ColumnSchema } from './table';
import { allRows, type Column, type Vector } from './vectors';

function containsAggregate(node: Expression): boolean {
  switch (node.kind) {
    case 'call':
      return AGGREGATES.has(node.name) || KUSTO_AGGREGATE_NAMES.has(node.name) || node.args.some(containsAggregate);
    case 'binary':
      return containsAggregate(node.left) || containsAggregate(node.right);
    case 'unary':
      return containsAggregate(node.operand);
    case 'between':
      return [node.operand, node.low, node.high].some(containsAggregate);
    case 'list-operator':
      return [node.operand, ...node.items].some(containsAggregate);
    case 'element':
      return containsAggregate(node.target) || containsAggregate(node.index);
    case 'parenthesized':
      return containsAggregate(node.inner);
    default:
      return false;
  }
}

function compileAggregate(item: NamedExpression, scope: Scope, byNames: readonly string[]): CompiledAggregate {
  const node = item.expression;
  if (node.kind === 'call' && AGGREGATES.has(node.name)) {
    for (const arg of node.args) {
      if (containsAggregate(arg)) throw scope.error('semantic', 'an aggregation function cannot take another aggregation', arg.start);
    }
    return AGGREGATES.get(node.name)!({ call: node, scope, byNames });
  }
  if (node.kind === 'call' && KUSTO_AGGREGATE_NAMES.has(node.name)) {
    throw scope.error('unsupported', `the aggregation function ${node.name}() is not supported by the local KQL engine`, node.start);
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

/** What `summarize` (or `distinct`) groups by and computes. */
export interface SummarizeParts {
  readonly aggregates: readonly NamedExpression[];
  readonly by: readonly NamedExpression[];
}

/** Compiles a summarize (or distinct) over the rows described by `input`. */
export function compileGrouping(parts: SummarizeParts, input: RowScope, outer: Scope): Step {
  const scope = outer.withRow(input);
  const schema: ColumnSchema[] = [];
  const taken = (name: string): boolean => schema.some((c) => c.name === name);
  const declare = (name: string, type: ColumnSchema['type'], at: number): void => {
    if (taken(name)) throw scope.error('semantic', `a column named '${name}' is already declared`, at);
    schema.push({ name, type });
  };

  const keys: Array<CompiledExpression & { kind: 'vector' }> = [];
  for (const item of parts.by) {
    if (containsAggregate(item.expression)) {
      throw scope.error('semantic', 'a by key cannot contain an aggregation function', item.expression.start);
    }
    const key = compileExpression(item.expression, scope);
    const at = item.name?.start ?? item.expression.start;
    if (key.kind !== 'vector') throw scope.error('unsupported', 'a constant by key is not supported by the local KQL engine', at);
    if (key.type === 'dynamic') {
      throw scope.error('semantic', 'a by key cannot be of type dynamic (Kusto needs an explicit cast)', item.expression.start);
    }
    if (item.name) {
      declare(item.name.text, key.type, at);
    } else if (item.expression.kind === 'name') {
      declare(item.expression.name, key.type, at);
    } else {
      const derived = derivedName(item.expression);
      declare(derived !== undefined ? uniqueName(derived, taken) : generatedName((n) => taken(n) || input.schema.some((c) => c.name === n)), key.type, at);
    }
    keys.push(key);
  }

  const byNames = schema.map((c) => c.name);
  const aggregates: CompiledAggregate[] = [];
  for (const item of parts.aggregates) {
    const aggregate = compileAggregate(item, scope, byNames);
    const at = item.name?.start ?? item.expression.start;
    if (item.name) {
      if (aggregate.outputs.length !== 1) {
        throw scope.error('unsupported', 'naming the columns of an aggregation with several results is not supported by the local KQL engine', at);
      }
      declare(item.name.text, aggregate.outputs[0]!.type, at);
    } else {
      for (const output of aggregate.outputs) declare(uniqueName(output.name, taken), output.type, at);
    }
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
        ...aggregates.flatMap((aggregate) => aggregate.aggregate(relation, sel, groups, groupCount)),
      ];
      return { schema, columns, selection: allRows(groupCount) };
    },
  };
}

/** Compiles a summarize operator over the rows described by `input`. */
export function compileSummarize(operator: SummarizeOperator, input: RowScope, outer: Scope): Step {
  return compileGrouping(operator, input, outer);
}
