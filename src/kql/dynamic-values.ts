/**
 * Kusto `dynamic` values as the engine holds them: parsed JSON (arrays, property bags, strings,
 * numbers, booleans), `null` for null. Element access follows Kusto: `a[i]` of an array (a
 * negative index counts from the end), `a['key']` / `a.key` of a property bag; anything else, or
 * an index out of range, is null.
 */

/** `value[index]`. */
export function dynamicElement(value: unknown, index: string | number): unknown {
  if (value === null || value === undefined || Number.isNaN(index)) return null;
  if (Array.isArray(value)) {
    if (typeof index !== 'number') return null;
    const at = index < 0 ? value.length + index : index;
    return at >= 0 && at < value.length ? (value[at] as unknown) ?? null : null;
  }
  if (typeof value === 'object' && typeof index === 'string') {
    return Object.prototype.hasOwnProperty.call(value, index) ? ((value as Record<string, unknown>)[index] ?? null) : null;
  }
  return null;
}

/** The JSON text Kusto writes for a dynamic value (`tostring` of an array or a property bag). */
export function dynamicText(value: unknown): string {
  return JSON.stringify(value);
}
