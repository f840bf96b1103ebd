/**
 * `| extend Name = expression, ...`: adds computed columns, or replaces a column of the same name
 * in place (as Kusto does: `extend RemoteUrl = tostring(split(RemoteUrl, '/')[0])`). Every
 * expression sees the input's columns only, as in Kusto (a column added by the same `extend` is
 * unknown to the expressions after it). An unnamed expression gets Kusto's name (see
 * `column-names.ts`).
 */
import type { ExtendOperator } from './ast';
import { derivedName, generatedName } from './column-names';
import { compileExpression } from './compile-expression';
import type { CompiledExpression } from './compiled-expression';
import { columnOf, compactRelation } from './materialize';
import type { RowScope, Scope } from './scope';
import type { Step } from './step';
import type { ColumnSchema } from './table';

/** Compiles an extend operator over the rows described by `input`. */
export function compileExtend(operator: ExtendOperator, input: RowScope, outer: Scope): Step {
  const schema: ColumnSchema[] = [...input.schema];
  const named = new Set<string>();
  const items: Array<{ index: number; expression: CompiledExpression }> = [];
  const scope = outer.withRow(input);
  for (const item of operator.items) {
    const expression = compileExpression(item.expression, scope);
    let name: string;
    if (item.name) {
      name = item.name.text;
      if (named.has(name)) throw outer.error('semantic', `a column named '${name}' is already declared`, item.name.start);
      named.add(name);
    } else {
      name = derivedName(item.expression) ?? generatedName((n) => schema.some((c) => c.name === n));
    }
    let index = schema.findIndex((c) => c.name === name);
    if (index < 0) {
      index = schema.length;
      schema.push({ name, type: expression.type });
    } else {
      schema[index] = { name, type: expression.type };
    }
    items.push({ index, expression });
  }
  return {
    schema,
    run: (relation) => {
      const compact = compactRelation(relation);
      const computed = items.map((item) => columnOf(item.expression, compact));
      const columns = [...compact.columns];
      items.forEach((item, i) => {
        columns[item.index] = computed[i]!;
      });
      return { schema, columns, selection: compact.selection };
    },
  };
}
