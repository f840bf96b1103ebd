/**
 * What a stored device check keeps besides its findings (the store's opaque `meta`), versioned
 * and read back through a schema: the fields every hunt's meta has (`hunt-meta.ts`, so that a
 * check reads as a hunt too), the kinds of evidence of each row, and the device's context.
 */
import { z } from 'zod';
import type { HuntMeta } from './hunt-meta';
import { EVIDENCE_FACTS, type DeviceFacts } from './evidence-facts';

const NOTE = z.object({ text: z.string(), tone: z.enum(['default', 'good', 'warning', 'attention', 'accent']) });

const V1 = z.object({
  version: z.literal(1),
  kind: z.literal('device-check'),
  subject: z.string(),
  byTool: z.boolean(),
  queryMs: z.number(),
  notes: z.array(NOTE),
  portal: z.object({ title: z.string(), url: z.string() }).optional(),
  /** The kinds of evidence (`file-signature`, `process`, `network`) of each row, by row key. */
  evidence: z.record(z.string(), z.array(z.string())),
  device: EVIDENCE_FACTS.shape.device,
});

/** A device check's meta, as stored. */
export type CheckMeta = z.infer<typeof V1>;

/** The meta to store for a device check. */
export function storedCheckMeta(meta: HuntMeta & { readonly evidence: Readonly<Record<string, readonly string[]>>; readonly device?: DeviceFacts }): CheckMeta {
  return {
    version: 1,
    kind: 'device-check',
    subject: meta.subject,
    byTool: meta.byTool,
    queryMs: meta.queryMs,
    notes: [...meta.notes],
    ...(meta.portal ? { portal: meta.portal } : {}),
    evidence: Object.fromEntries(Object.entries(meta.evidence).map(([row, kinds]) => [row, [...kinds]])),
    ...(meta.device ? { device: meta.device } : {}),
  };
}

/** A stored check's meta, or undefined for a shape no version wrote. */
export function readCheckMeta(stored: unknown): CheckMeta | undefined {
  const parsed = V1.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}
