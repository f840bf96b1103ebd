/**
 * What a stored Details run keeps (the store's opaque `meta` of an `evidence` hunt), versioned and
 * read back through a schema: the fields every hunt's meta has (`hunt-meta.ts`), the finding it is
 * about (the hunt and row its Details button named: decisions made on the evidence card are made
 * about that finding), the catalog tool whose evidence it is (none for a rule that names no tool),
 * and the evidence as bounded facts.
 */
import { z } from 'zod';
import type { HuntMeta } from './hunt-meta';
import { EVIDENCE_FACTS, type EvidenceFacts } from './evidence-facts';

const NOTE = z.object({ text: z.string(), tone: z.enum(['default', 'good', 'warning', 'attention', 'accent']) });

const V1 = z.object({
  version: z.literal(1),
  kind: z.literal('evidence'),
  subject: z.string(),
  byTool: z.boolean(),
  queryMs: z.number(),
  notes: z.array(NOTE),
  portal: z.object({ title: z.string(), url: z.string() }).optional(),
  origin: z.object({ huntId: z.string(), row: z.string() }),
  toolId: z.string().optional(),
  facts: EVIDENCE_FACTS,
});

/** A Details run's meta, as stored. */
export type EvidenceMeta = z.infer<typeof V1>;

/** The meta to store for a Details run. */
export function storedEvidenceMeta(meta: HuntMeta & { readonly origin: { readonly huntId: string; readonly row: string }; readonly toolId?: string; readonly facts: EvidenceFacts }): EvidenceMeta {
  return {
    version: 1,
    kind: 'evidence',
    subject: meta.subject,
    byTool: meta.byTool,
    queryMs: meta.queryMs,
    notes: [...meta.notes],
    ...(meta.portal ? { portal: meta.portal } : {}),
    origin: { ...meta.origin },
    ...(meta.toolId !== undefined ? { toolId: meta.toolId } : {}),
    facts: meta.facts,
  };
}

/** A stored Details run's meta, or undefined for a shape no version wrote. */
export function readEvidenceMeta(stored: unknown): EvidenceMeta | undefined {
  const parsed = V1.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}
