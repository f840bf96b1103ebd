/**
 * The tables a parsed query reads, so a caller can load them before running it.
 */
import type { Expression, Query } from './ast';

/** Names in the positions where a table may stand: the source of a pipeline, a tabular list, a let value, the body. */
function collect(node: Expression, names: string[], tabularPosition: boolean): void {
  switch (node.kind) {
    case 'name':
      if (tabularPosition) names.push(node.name);
      return;
    case 'parenthesized':
      collect(node.inner, names, tabularPosition);
      return;
    case 'pipeline':
      collect(node.source, names, true);
      for (const operator of node.operators) {
        switch (operator.kind) {
          case 'where':
            collect(operator.predicate, names, false);
            break;
          case 'summarize':
            for (const item of [...operator.aggregates, ...operator.by]) collect(item.expression, names, false);
            break;
          case 'extend':
          case 'project':
          case 'distinct':
            for (const item of operator.items) collect(item.expression, names, false);
            break;
          case 'sort':
          case 'top':
            for (const key of operator.keys) collect(key.expression, names, false);
            break;
          case 'join':
          case 'lookup':
            collect(operator.right, names, true);
            break;
          default:
            break;
        }
      }
      return;
    case 'list-operator':
      collect(node.operand, names, false);
      for (const item of node.items) collect(item, names, node.items.length === 1);
      return;
    case 'binary':
      collect(node.left, names, false);
      collect(node.right, names, false);
      return;
    case 'unary':
      collect(node.operand, names, false);
      return;
    case 'between':
      for (const part of [node.operand, node.low, node.high]) collect(part, names, false);
      return;
    case 'call':
      for (const arg of node.args) collect(arg, names, node.name === 'materialize' || node.name === 'toscalar');
      return;
    case 'union':
      for (const item of node.items) collect(item, names, true);
      return;
    case 'element':
      collect(node.target, names, false);
      collect(node.index, names, false);
      return;
    default:
      return;
  }
}

/**
 * Names of the tables `query` may read (names in table positions that no `let` defines before
 * them), in order of appearance, without repeats. A name that turns out to be a column is
 * harmless: the caller loads only names that are tables.
 */
export function referencedTables(query: Query): string[] {
  const names: string[] = [];
  const defined = new Set<string>();
  const add = (found: string[]): void => {
    for (const name of found) if (!defined.has(name) && !names.includes(name)) names.push(name);
  };
  for (const statement of query.lets) {
    const found: string[] = [];
    collect(statement.value, found, true);
    add(found);
    defined.add(statement.name.text);
  }
  const found: string[] = [];
  collect(query.body, found, true);
  add(found);
  return names;
}
