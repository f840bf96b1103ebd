/**
 * What a finished hunt keeps about its result besides the devices (the store's opaque `meta`),
 * versioned and read back through a schema. Version 1 adds the version number to the shape the
 * first release stored, whose fields were all optional; version 2 adds the sanction marks of its
 * rows and, for the hunt a watch's post keeps, the post's title (and no query time). All are read.
 */
import { z } from 'zod';
import type { SanctionMark } from '../sanction-marks';
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

const MARK = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sanctioned') }),
  z.object({ kind: z.literal('unsanctioned-instance'), instances: z.array(z.string()) }),
]);

const V2 = z.object({
  version: z.literal(2),
  subject: z.string(),
  byTool: z.boolean(),
  queryMs: z.number().optional(),
  notes: z.array(NOTE),
  portal: PORTAL.optional(),
  title: z.string().optional(),
  /** By row key: rows of sanctioned tools. */
  marks: z.record(z.string(), MARK).optional(),
});

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
  /** Absent for a hunt that no one query answered (a watch's post). */
  readonly queryMs?: number;
  /** Warnings about the result (partial, capped, how a rule's window applied). */
  readonly notes: readonly Note[];
  readonly portal?: PortalLinkView;
  /** The card's first line instead of "<subject>: N devices". */
  readonly title?: string;
  /** What sanctions make of rows, by row key. */
  readonly marks?: Readonly<Record<string, SanctionMark>>;
}

/** What is stored. */
export type StoredHuntMeta = z.infer<typeof V2>;

/** The meta to store. */
export function storedHuntMeta(meta: HuntMeta): StoredHuntMeta {
  return {
    version: 2,
    subject: meta.subject,
    byTool: meta.byTool,
    notes: [...meta.notes],
    ...(meta.queryMs !== undefined ? { queryMs: meta.queryMs } : {}),
    ...(meta.portal ? { portal: meta.portal } : {}),
    ...(meta.title !== undefined ? { title: meta.title } : {}),
    ...(meta.marks && Object.keys(meta.marks).length > 0
      ? { marks: Object.fromEntries(Object.entries(meta.marks).map(([row, mark]) => [row, mark.kind === 'sanctioned' ? mark : { kind: mark.kind, instances: [...mark.instances] }])) }
      : {}),
  };
}

/** The stored meta of a hunt; what it does not say (or a shape no version wrote) comes from `fallback`. */
export function readHuntMeta(stored: unknown, fallback: Pick<HuntMeta, 'subject' | 'byTool'>): HuntMeta {
  const parsed = z.union([V2, V1, UNVERSIONED]).safeParse(stored ?? {});
  const meta: Partial<HuntMeta> = parsed.success ? parsed.data : {};
  const queryMs = parsed.success && parsed.data.version === 2 ? meta.queryMs : (meta.queryMs ?? 0);
  return {
    subject: meta.subject ?? fallback.subject,
    byTool: meta.byTool ?? fallback.byTool,
    notes: meta.notes ?? [],
    ...(queryMs !== undefined ? { queryMs } : {}),
    ...(meta.portal ? { portal: meta.portal } : {}),
    ...(meta.title !== undefined ? { title: meta.title } : {}),
    ...(meta.marks ? { marks: meta.marks } : {}),
  };
}
