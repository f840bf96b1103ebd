/**
 * Turning computed values into columns: `extend` and computed `project` columns produce new
 * columns over the selected rows only, so the relation is first made compact (its columns
 * gathered at the selection, the selection then 0..n-1).
 */
import type { CompiledExpression } from './compiled-expression';
import type { Relation } from './relation';
import { VectorBuilder } from './rowwise';
import { allRows, gather, isAllRows, type Column } from './vectors';

/** `relation` with its columns gathered at its selection (unchanged when it already is compact). */
export function compactRelation(relation: Relation): Relation {
  const first = relation.columns[0];
  const count = first ? (first.type === 'string' ? first.codes.length : first.values.length) : relation.selection.length;
  if (isAllRows(relation.selection, count)) return relation;
  return { schema: relation.schema, columns: relation.columns.map((c) => gather(c, relation.selection)), selection: allRows(relation.selection.length) };
}

/** The values of `expression` over a compact relation, as a column. */
export function columnOf(expression: CompiledExpression, relation: Relation): Column {
  const sel = relation.selection;
  if (expression.kind === 'constant') {
    const out = new VectorBuilder(expression.type, sel.length);
    for (let i = 0; i < sel.length; i++) out.set(i, expression.value);
    return gather(out.build(), sel);
  }
  return gather(expression.evaluate(relation, sel), sel);
}
