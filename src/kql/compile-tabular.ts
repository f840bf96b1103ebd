/**
 * Compiles tabular expressions: a table, a tabular `let`, `datatable(...)[...]`, a parenthesised
 * tabular expression, and a pipeline of tabular operators over one of those. Each operator is
 * compiled against the columns its input has, by the step compiler of its kind.
 */
import type { DatatableExpression, Expression, QueryOperator } from './ast';
import { compileExpression } from './compile-expression';
import { memoized, type CompiledTabular } from './compiled-tabular';
import { compileCount } from './count-step';
import { compileDistinct } from './distinct-step';
import { compileExtend } from './extend-step';
import { compileJoin } from './join-step';
import { compileProject, compileProjectAway, compileProjectRename } from './project-step';
import type { Relation } from './relation';
import { VectorBuilder } from './rowwise';
import type { ScanSlices } from './scan-slices';
import { defenderSchema, DEFENDER_SCHEMAS } from './schemas';
import type { RowScope, Scope } from './scope';
import { compileSort, compileTop } from './sort-step';
import type { Step } from './step';
import { compileSummarize } from './summarize-step';
import { Table, type ColumnSchema } from './table';
import { compileTake } from './take-step';
import { compileUnion } from './union-source';
import { isNumeric, kustoTypeOf } from './types';
import { allRows, gather } from './vectors';
import { compileWhere } from './where-step';

/** True when `node`, in `scope`, is a tabular expression rather than a scalar one. */
export function isTabular(node: Expression, scope: Scope): boolean {
  switch (node.kind) {
    case 'pipeline':
    case 'datatable':
    case 'union':
      return true;
    case 'call':
      return node.name === 'materialize';
    case 'parenthesized':
      return isTabular(node.inner, scope);
    case 'name': {
      if (scope.row?.schema.some((c) => c.name === node.name)) return false;
      const value = scope.lets.get(node.name);
      if (value) return value.kind === 'tabular';
      return scope.tables.getTable(node.name) !== undefined || defenderSchema(node.name) !== undefined;
    }
    default:
      return false;
  }
}

/** The rows of `table`, all of them (see {@link Table.rowNumbers}). */
export function tableSource(table: Table, slices?: ScanSlices): CompiledTabular {
  return {
    kind: 'tabular',
    schema: table.schema,
    description: `table ${table.name}`,
    run: () => ({ schema: table.schema, columns: table.columns, selection: table.rowNumbers(slices) }),
  };
}

function compileOperator(operator: QueryOperator, input: RowScope, scope: Scope): Step {
  switch (operator.kind) {
    case 'where':
      return compileWhere(operator, input, scope);
    case 'summarize':
      return compileSummarize(operator, input, scope);
    case 'extend':
      return compileExtend(operator, input, scope);
    case 'project':
      return compileProject(operator, input, scope);
    case 'project-away':
      return compileProjectAway(operator, input, scope);
    case 'project-rename':
      return compileProjectRename(operator, input, scope);
    case 'sort':
      return compileSort(operator, input, scope);
    case 'top':
      return compileTop(operator, input, scope);
    case 'take':
      return compileTake(operator, input, scope);
    case 'distinct':
      return compileDistinct(operator, input, scope);
    case 'count':
      return compileCount();
    case 'join':
    case 'lookup':
      return compileJoin(operator, input, compileTabular(operator.right, scope), scope);
  }
}

/** Operators that keep their input's rows' meaning (and so its description in messages). */
const KEEPS_DESCRIPTION = new Set(['where', 'sort', 'top', 'take']);

function compileName(name: string, start: number, scope: Scope): CompiledTabular {
  const value = scope.lets.get(name);
  if (value?.kind === 'tabular') return value;
  if (value) throw scope.error('semantic', `'${name}' is a scalar let value, not a tabular expression`, start);
  const table = scope.tables.getTable(name);
  if (table) return tableSource(table, scope.slices);
  const known = defenderSchema(name) ? ' (no data is loaded for it)' : '';
  const lower = name.toLowerCase();
  const candidates = [...Object.keys(DEFENDER_SCHEMAS), ...[...scope.lets].filter(([, v]) => v.kind === 'tabular').map(([k]) => k)];
  const similar = candidates.find((c) => c !== name && c.toLowerCase() === lower);
  const hint = similar ? `; did you mean '${similar}'? (Kusto names are case-sensitive)` : '';
  throw scope.error('semantic', `unknown table '${name}'${known}${hint}`, start);
}

function compileDatatable(node: DatatableExpression, scope: Scope): CompiledTabular {
  const schema: ColumnSchema[] = [];
  for (const column of node.columns) {
    const type = kustoTypeOf(column.type);
    if (!type) throw scope.error('semantic', `unknown type '${column.type}'`, column.typeStart);
    if (schema.some((c) => c.name === column.name.text)) throw scope.error('semantic', `a column named '${column.name.text}' is already declared`, column.name.start);
    schema.push({ name: column.name.text, type });
  }
  if (node.values.length % schema.length !== 0) {
    const at = node.values[node.values.length - 1]?.start ?? node.start;
    throw scope.error('semantic', `datatable has ${schema.length} columns, so it needs a multiple of ${schema.length} values, not ${node.values.length}`, at);
  }
  const rowCount = node.values.length / schema.length;
  const builders = schema.map((c) => new VectorBuilder(c.type, rowCount));
  node.values.forEach((valueNode, i) => {
    const column = schema[i % schema.length]!;
    const value = compileExpression(valueNode, scope.withoutRow());
    if (value.kind !== 'constant') throw scope.error('semantic', 'a datatable value must be a constant', valueNode.start);
    const fits = value.type === column.type || (isNumeric(value.type) && isNumeric(column.type));
    if (!fits) throw scope.error('semantic', `column '${column.name}' is ${column.type}; the value is ${value.type}`, valueNode.start);
    builders[i % schema.length]!.set(Math.floor(i / schema.length), value.value);
  });
  const all = allRows(rowCount);
  const table = new Table('datatable', schema, builders.map((b) => gather(b.build(), all)), rowCount);
  return { ...tableSource(table), description: 'the datatable' };
}

/** Compiles a tabular expression. Throws a {@link KqlError} for anything it cannot evaluate. */
export function compileTabular(node: Expression, scope: Scope): CompiledTabular {
  switch (node.kind) {
    case 'parenthesized':
      return compileTabular(node.inner, scope);
    case 'name':
      return compileName(node.name, node.start, scope);
    case 'datatable':
      return compileDatatable(node, scope);
    case 'union':
      return compileUnion(
        node,
        node.items.map((item) => compileTabular(item, scope.withoutRow())),
        scope,
      );
    case 'call': {
      if (node.name !== 'materialize') break;
      if (node.args.length !== 1) throw scope.error('semantic', `materialize() takes 1 argument, not ${node.args.length}`, node.start);
      return memoized(compileTabular(node.args[0]!, scope.withoutRow()));
    }
    case 'pipeline': {
      const source = compileTabular(node.source, scope.withoutRow());
      const steps: Step[] = [];
      let input: RowScope = { description: source.description, schema: source.schema };
      for (const operator of node.operators) {
        const step = compileOperator(operator, input, scope.withoutRow());
        steps.push(step);
        input = { description: KEEPS_DESCRIPTION.has(operator.kind) ? input.description : `the output of ${operator.kind}`, schema: step.schema };
      }
      return {
        kind: 'tabular',
        schema: input.schema,
        description: input.description,
        run: (): Relation => {
          let relation = source.run();
          for (const step of steps) relation = step.run(relation);
          return relation;
        },
      };
    }
    default:
      break;
  }
  throw scope.error('semantic', 'expected a tabular expression (a table, a tabular let or a datatable)', node.start);
}
