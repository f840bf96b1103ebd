/**
 * `union T1, (T2 | ...), ...` (Kusto's default, `kind=outer`): the rows of every input, one after
 * another in the order the inputs are named (Kusto promises no order), under every column any
 * input has, in order of first appearance; an input without a column gives null there ("" for a
 * string). Two inputs with one column name of different types are refused (Kusto would make two
 * columns, `name_type`).
 */
import type { UnionExpression } from './ast';
import type { CompiledTabular } from './compiled-tabular';
import type { Relation } from './relation';
import { readerOf, VectorBuilder } from './rowwise';
import type { Scope } from './scope';
import type { ColumnSchema } from './table';
import { allRows, gather, type Column } from './vectors';

/** Compiles a union of compiled inputs. */
export function compileUnion(node: UnionExpression, inputs: readonly CompiledTabular[], scope: Scope): CompiledTabular {
  const schema: ColumnSchema[] = [];
  inputs.forEach((input, i) => {
    for (const column of input.schema) {
      const existing = schema.find((c) => c.name === column.name);
      if (!existing) schema.push(column);
      else if (existing.type !== column.type) {
        throw scope.error('unsupported', `union of a ${existing.type} and a ${column.type} column named '${column.name}' is not supported by the local KQL engine`, node.items[i]!.start);
      }
    }
  });
  return {
    kind: 'tabular',
    schema,
    description: 'the output of union',
    run: (): Relation => {
      const relations = inputs.map((input) => input.run());
      const total = relations.reduce((n, r) => n + r.selection.length, 0);
      const columns: Column[] = schema.map((column) => {
        const out = new VectorBuilder(column.type, total);
        let at = 0;
        for (const relation of relations) {
          const index = relation.schema.findIndex((c) => c.name === column.name);
          const read = index >= 0 ? readerOf(relation.columns[index]!, relation.selection) : undefined;
          for (let i = 0; i < relation.selection.length; i++) out.set(at++, read ? read(i) : null);
        }
        return gather(out.build(), allRows(total));
      });
      return { schema, columns, selection: allRows(total) };
    },
  };
}
