/**
 * Card action data is untrusted: what a button may carry, and the one way it is read. Anything
 * else is answered as a broken button, never used.
 */
import { z } from 'zod';
import { UserError } from './user-error';

/** A hunt id as the store makes them (checked again by the lookup). */
export const HUNT_ID = z.string().regex(/^[A-Za-z0-9_-]{8,32}$/);

/** A page number. */
export const PAGE = z.number().int().min(1).max(10_000);

/** The finding a row's button names: its hunt and row key. */
export const FINDING = { huntId: HUNT_ID, row: z.string().regex(/^\d{1,6}$/) };

/** `data` read with `schema`, or a user error saying the button did not work. */
export function parseActionData<T>(schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new UserError('That button did not work', 'Its data was not what HuntOps sent. Run the command again.');
  return parsed.data;
}
