/**
 * `| project`, `| project-away`, `| project-rename`: choose, compute, drop and rename columns.
 * Choosing and renaming columns copies nothing; a computed `project` column is computed over the
 * selected rows only. An unnamed expression gets Kusto's name (see `column-names.ts`); two
 * columns of the same name are an error, as in Kusto.
 */
import type { Name, ProjectAwayOperator, ProjectOperator, ProjectRenameOperator } from './ast';
import { derivedName, generatedName, uniqueName } from './column-names';
import { compileExpression, nameHint } from './compile-expression';
import type { CompiledExpression } from './compiled-expression';
import { columnOf, compactRelation } from './materialize';
import type { RowScope, Scope } from './scope';
import type { Step } from './step';
import type { ColumnSchema } from './table';

function columnIndex(name: Name, input: RowScope, scope: Scope): number {
  const index = input.schema.findIndex((c) => c.name === name.text);
  if (index < 0) {
    const hint = nameHint(name.text, input.schema.map((c) => c.name));
    throw scope.error('semantic', `unknown column '${name.text}' in ${input.description}${hint}`, name.start);
  }
  return index;
}

/** Compiles `project` over the rows described by `input`. */
export function compileProject(operator: ProjectOperator, input: RowScope, outer: Scope): Step {
  const scope = outer.withRow(input);
  const schema: ColumnSchema[] = [];
  const taken = (name: string): boolean => schema.some((c) => c.name === name);
  const items: Array<{ expression: CompiledExpression; inputIndex: number }> = [];
  for (const item of operator.items) {
    const expression = compileExpression(item.expression, scope);
    let name: string;
    if (item.name) {
      name = item.name.text;
      if (taken(name)) throw scope.error('semantic', `a column named '${name}' is already declared`, item.name.start);
    } else if (item.expression.kind === 'name') {
      name = item.expression.name;
      if (taken(name)) throw scope.error('semantic', `a column named '${name}' is already declared`, item.expression.start);
    } else {
      const derived = derivedName(item.expression);
      name = derived !== undefined ? uniqueName(derived, taken) : generatedName((n) => taken(n) || input.schema.some((c) => c.name === n));
    }
    schema.push({ name, type: expression.type });
    const plain = item.expression.kind === 'name' && expression.kind === 'vector' && expression.columnName === item.expression.name;
    items.push({ expression, inputIndex: plain ? input.schema.findIndex((c) => c.name === expression.columnName) : -1 });
  }
  const onlyColumns = items.every((item) => item.inputIndex >= 0);
  return {
    schema,
    run: (relation) => {
      if (onlyColumns) return { schema, columns: items.map((item) => relation.columns[item.inputIndex]!), selection: relation.selection };
      const compact = compactRelation(relation);
      return { schema, columns: items.map((item) => columnOf(item.expression, compact)), selection: compact.selection };
    },
  };
}

/** Compiles `project-away` over the rows described by `input`. */
export function compileProjectAway(operator: ProjectAwayOperator, input: RowScope, scope: Scope): Step {
  const drop = new Set(operator.columns.map((name) => columnIndex(name, input, scope)));
  const keep = input.schema.map((_, i) => i).filter((i) => !drop.has(i));
  const schema = keep.map((i) => input.schema[i]!);
  return { schema, run: (relation) => ({ schema, columns: keep.map((i) => relation.columns[i]!), selection: relation.selection }) };
}

/** Compiles `project-rename` over the rows described by `input`. */
export function compileProjectRename(operator: ProjectRenameOperator, input: RowScope, scope: Scope): Step {
  const schema = [...input.schema];
  for (const rename of operator.renames) {
    const index = columnIndex(rename.from, input, scope);
    if (schema.some((c, i) => i !== index && c.name === rename.name.text)) {
      throw scope.error('semantic', `a column named '${rename.name.text}' is already declared`, rename.name.start);
    }
    schema[index] = { name: rename.name.text, type: schema[index]!.type };
  }
  return { schema, run: (relation) => ({ ...relation, schema }) };
}
