/**
 * Inline forms (Exclude, Escalate): their fields read through a zod schema whose messages are the
 * problems shown above the form. A form that does not pass is not a broken button: the same form
 * comes back with the first problem.
 */
import { z } from 'zod';

/** Read fields, or the first problem with them. */
export type FormResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

/** The fields of `data` read with `schema`. */
export function readForm<T>(schema: z.ZodType<T>, data: unknown): FormResult<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problem: parsed.error.issues[0]?.message ?? 'Check the form and send it again.' };
}

/** An optional text field, trimmed (absent reads as empty). */
export function trimmedText() {
  return z
    .string()
    .optional()
    .transform((value) => (value ?? '').trim());
}
