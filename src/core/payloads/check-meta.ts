/**
 * What a stored device check keeps besides its findings (the store's opaque `meta`), versioned
 * and read back through a schema: a hunt's meta of the same version (`hunt-meta.ts`, so that a
 * check reads as a hunt too, with its rows' sanction marks), the kinds of evidence of each row, and
 * the device's context. Version 2 is written; version 1 (a hunt's meta of version 1 with the same
 * fields beside it, from before marks) is still read.
 */
import { z } from 'zod';
import { HUNT_META_V1, HUNT_META_V2, storedHuntMeta, type HuntMeta } from './hunt-meta';
import { EVIDENCE_FACTS, type DeviceFacts } from './evidence-facts';

const FIELDS = {
  kind: z.literal('device-check'),
  /** The kinds of evidence (`file-signature`, `process`, `network`) of each row, by row key. */
  evidence: z.record(z.string(), z.array(z.string())),
  device: EVIDENCE_FACTS.shape.device,
};

const V1 = HUNT_META_V1.extend(FIELDS);
const V2 = HUNT_META_V2.extend(FIELDS);

/** A device check's meta, as stored (and as older versions are read). */
export type CheckMeta = z.infer<typeof V2>;

/** The meta to store for a device check. */
export function storedCheckMeta(meta: HuntMeta & { readonly evidence: Readonly<Record<string, readonly string[]>>; readonly device?: DeviceFacts }): CheckMeta {
  return {
    ...storedHuntMeta(meta),
    kind: 'device-check',
    evidence: Object.fromEntries(Object.entries(meta.evidence).map(([row, kinds]) => [row, [...kinds]])),
    ...(meta.device ? { device: meta.device } : {}),
  };
}

/** A stored check's meta, or undefined for a shape no version wrote. */
export function readCheckMeta(stored: unknown): CheckMeta | undefined {
  const parsed = z.union([V2, V1]).safeParse(stored);
  if (!parsed.success) return undefined;
  return parsed.data.version === 2 ? parsed.data : { ...parsed.data, version: 2 };
}
