/**
 * The tables a parsed query reads, so a caller can load them before running it.
 */
import type { Query } from './ast';

/** Names of the tables `query` reads (not `let` names), in order of appearance, without repeats. */
export function referencedTables(query: Query): string[] {
  const lets = new Set(query.lets.map((l) => l.name.text));
  const source = query.body.source.text;
  return lets.has(source) ? [] : [source];
}
