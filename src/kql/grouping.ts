/**
 * Assigns the rows of a selection to groups by the values of key vectors: rows with equal keys
 * (null equal to null) share a group. Groups are numbered in the order their first row appears.
 */
import { NULL, type Vector } from './vectors';

/** The groups of a selection. */
export interface Grouping {
  /** The group of each position of the selection. */
  readonly groups: Int32Array;
  readonly groupCount: number;
  /** For each group, the position (in the selection) of its first row. */
  readonly firstPositions: Int32Array;
}

/** Dense codes 0..distinct-1 for the key values at each position, and how many distinct codes there can be. */
function keyCodes(vector: Vector, sel: Uint32Array): { codes: Int32Array; range: number } {
  const codes = new Int32Array(sel.length);
  const byRow = vector.layout === 'rows';
  switch (vector.type) {
    case 'string':
      for (let i = 0; i < sel.length; i++) codes[i] = vector.codes[byRow ? sel[i]! : i]!;
      return { codes, range: vector.dict.length };
    case 'bool':
      for (let i = 0; i < sel.length; i++) codes[i] = vector.values[byRow ? sel[i]! : i]!;
      return { codes, range: NULL + 1 };
    case 'dynamic':
      throw new Error('internal: dynamic group key');
    default: {
      const seen = new Map<number, number>();
      for (let i = 0; i < sel.length; i++) {
        const value = vector.values[byRow ? sel[i]! : i]!;
        let code = seen.get(value);
        if (code === undefined) {
          code = seen.size;
          seen.set(value, code);
        }
        codes[i] = code;
      }
      return { codes, range: Math.max(1, seen.size) };
    }
  }
}

/** Groups the positions of `sel` by `keys` (all computed over `sel`). With no keys, one group. */
export function groupRows(keys: readonly Vector[], sel: Uint32Array): Grouping {
  let groups = new Int32Array(sel.length);
  let groupCount = 1;
  for (const key of keys) {
    const { codes, range } = keyCodes(key, sel);
    const ids = new Map<number, number>();
    const next = new Int32Array(sel.length);
    for (let i = 0; i < sel.length; i++) {
      const combined = groups[i]! * range + codes[i]!;
      let id = ids.get(combined);
      if (id === undefined) {
        id = ids.size;
        ids.set(combined, id);
      }
      next[i] = id;
    }
    groups = next;
    groupCount = ids.size;
  }
  const firstPositions = new Int32Array(groupCount).fill(-1);
  for (let i = 0; i < sel.length; i++) if (firstPositions[groups[i]!] === -1) firstPositions[groups[i]!] = i;
  return { groups, groupCount, firstPositions };
}
