/**
 * What a finding (and a hunt, and an exclusion's scope) was found by: a catalog tool or one of
 * the user's rules. The store keeps it as one string (`kaseya`, `rule:<rule id>`); this is the one
 * place that string is made and read.
 */
import type { Catalog } from '../hunt/catalog';

/** A catalog tool or a user's rule. */
export type ToolRef = { readonly kind: 'tool'; readonly toolId: string } | { readonly kind: 'rule'; readonly ruleId: string };

const RULE_PREFIX = 'rule:';

/** The reference a stored id stands for. */
export function toolRefOf(storedId: string): ToolRef {
  return storedId.startsWith(RULE_PREFIX) ? { kind: 'rule', ruleId: storedId.slice(RULE_PREFIX.length) } : { kind: 'tool', toolId: storedId };
}

/** The id the store keeps for a reference. */
export function storedToolId(ref: ToolRef): string {
  return ref.kind === 'rule' ? `${RULE_PREFIX}${ref.ruleId}` : ref.toolId;
}

/** What people call it: the tool's name ("Kaseya"), or "rule <id>". */
export function toolRefName(storedId: string, catalog: Catalog): string {
  const ref = toolRefOf(storedId);
  return ref.kind === 'rule' ? `rule ${ref.ruleId}` : (catalog.get(ref.toolId)?.name ?? ref.toolId);
}
