/**
 * Long text in Azure Table entities. A string property holds at most 64 KiB (32 K UTF-16 code
 * units) while an entity holds 1 MiB, so a long value (a card payload, a KQL query, a conversation
 * reference) is split over `name`, `name_1`, `name_2`… with the part count in `name_n`. Parts never
 * split a surrogate pair.
 */

/** Code units per part, under the service's 32,767 limit. */
const PART = 30_000;

/** Adds `text` to `entity` as property `name`, split into parts when long. */
export function putText(entity: Record<string, unknown>, name: string, text: string): void {
  const parts: string[] = [];
  let start = 0;
  do {
    let end = Math.min(text.length, start + PART);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    parts.push(text.slice(start, end));
    start = end;
  } while (start < text.length);
  entity[name] = parts[0];
  for (let i = 1; i < parts.length; i++) entity[`${name}_${i}`] = parts[i];
  entity[`${name}_n`] = parts.length;
}

/** Reads back a property written by {@link putText}; `undefined` when absent. */
export function getText(entity: Record<string, unknown>, name: string): string | undefined {
  const first = entity[name];
  if (typeof first !== 'string') return undefined;
  const count = typeof entity[`${name}_n`] === 'number' ? (entity[`${name}_n`] as number) : 1;
  let text = first;
  for (let i = 1; i < count; i++) text += entity[`${name}_${i}`] as string;
  return text;
}

/** Adds a JSON value as text. */
export function putJson(entity: Record<string, unknown>, name: string, value: unknown): void {
  putText(entity, name, JSON.stringify(value ?? null));
}

/** Reads back a JSON value written by {@link putJson}. */
export function getJson(entity: Record<string, unknown>, name: string): unknown {
  const text = getText(entity, name);
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}
