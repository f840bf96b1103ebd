/**
 * What a stored Details run keeps (the store's opaque `meta` of an `evidence` hunt), versioned and
 * read back through a schema: a hunt's meta of the same version (`hunt-meta.ts`), the finding it
 * is about (the hunt and row its Details button named: decisions made on the evidence card are made
 * about that finding), the catalog tool whose evidence it is (none for a rule that names no tool),
 * and the evidence as bounded facts. Version 2 is written; version 1 (a hunt's meta of version 1
 * with the same fields beside it) is still read.
 */
import { z } from 'zod';
import { HUNT_META_V1, HUNT_META_V2, storedHuntMeta, type HuntMeta } from './hunt-meta';
import { EVIDENCE_FACTS, type EvidenceFacts } from './evidence-facts';

const FIELDS = {
  kind: z.literal('evidence'),
  origin: z.object({ huntId: z.string(), row: z.string() }),
  toolId: z.string().optional(),
  facts: EVIDENCE_FACTS,
};

const V1 = HUNT_META_V1.extend(FIELDS);
const V2 = HUNT_META_V2.extend(FIELDS);

/** A Details run's meta, as stored (and as older versions are read). */
export type EvidenceMeta = z.infer<typeof V2>;

/** The meta to store for a Details run. */
export function storedEvidenceMeta(meta: HuntMeta & { readonly origin: { readonly huntId: string; readonly row: string }; readonly toolId?: string; readonly facts: EvidenceFacts }): EvidenceMeta {
  return {
    ...storedHuntMeta(meta),
    kind: 'evidence',
    origin: { ...meta.origin },
    ...(meta.toolId !== undefined ? { toolId: meta.toolId } : {}),
    facts: meta.facts,
  };
}

/** A stored Details run's meta, or undefined for a shape no version wrote. */
export function readEvidenceMeta(stored: unknown): EvidenceMeta | undefined {
  const parsed = z.union([V2, V1]).safeParse(stored);
  if (!parsed.success) return undefined;
  return parsed.data.version === 2 ? parsed.data : { ...parsed.data, version: 2 };
}
