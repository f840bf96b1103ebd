/**
 * What a finished hunt keeps about its result besides the devices (the store's opaque `meta`),
 * versioned and read back through a schema. Version 1 adds the version number to the shape the
 * first release stored, whose fields were all optional; version 2 adds how many of the hidden
 * devices typed name patterns hid. All three are read.
 */
import { z } from 'zod';
import type { Note, PortalLinkView } from '../views';

const NOTE = z.object({ text: z.string(), tone: z.enum(['default', 'good', 'warning', 'attention', 'accent']) });
const PORTAL = z.object({ title: z.string(), url: z.string() });

const V1 = z.object({
  version: z.literal(1),
  subject: z.string(),
  byTool: z.boolean(),
  queryMs: z.number(),
  notes: z.array(NOTE),
  portal: PORTAL.optional(),
});

const V2 = V1.extend({ version: z.literal(2), hiddenByPattern: z.number().int().nonnegative() });

/** Stored before versions: the same fields, each optional. */
const UNVERSIONED = z.object({
  version: z.undefined().optional(),
  subject: z.string().optional(),
  byTool: z.boolean().optional(),
  queryMs: z.number().optional(),
  notes: z.array(NOTE).optional(),
  portal: PORTAL.optional(),
});

/** The result's facts besides its devices. */
export interface HuntMeta {
  /** "Kaseya", "AnyDesk network connections", "All RMM tools", a rule's name. */
  readonly subject: string;
  /** Whether the card groups devices by tool. */
  readonly byTool: boolean;
  readonly queryMs: number;
  /** Warnings about the result (partial, capped, how a rule's window applied). */
  readonly notes: readonly Note[];
  readonly portal?: PortalLinkView;
  /** Of the devices exclusions hid, how many typed name patterns hid; unknown for hunts of earlier versions. */
  readonly hiddenByPattern?: number;
}

/** What is stored. */
export type StoredHuntMeta = z.infer<typeof V2>;

/** The meta to store. */
export function storedHuntMeta(meta: HuntMeta & { readonly hiddenByPattern: number }): StoredHuntMeta {
  return {
    version: 2,
    subject: meta.subject,
    byTool: meta.byTool,
    queryMs: meta.queryMs,
    notes: [...meta.notes],
    hiddenByPattern: meta.hiddenByPattern,
    ...(meta.portal ? { portal: meta.portal } : {}),
  };
}

/** The stored meta of a hunt; what it does not say (or a shape no version wrote) comes from `fallback`. */
export function readHuntMeta(stored: unknown, fallback: Pick<HuntMeta, 'subject' | 'byTool'>): HuntMeta {
  const parsed = z.union([V2, V1, UNVERSIONED]).safeParse(stored ?? {});
  const meta: Partial<HuntMeta> = parsed.success ? parsed.data : {};
  return {
    subject: meta.subject ?? fallback.subject,
    byTool: meta.byTool ?? fallback.byTool,
    queryMs: meta.queryMs ?? 0,
    notes: meta.notes ?? [],
    ...(meta.portal ? { portal: meta.portal } : {}),
    ...(meta.hiddenByPattern !== undefined ? { hiddenByPattern: meta.hiddenByPattern } : {}),
  };
}
