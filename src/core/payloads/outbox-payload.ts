/**
 * What an outbox item carries, versioned and read back through a schema: the facts of an
 * escalation (version 1; version 2 adds the evidence summary, or why there is none), which the
 * escalation card is made from when the item is posted, so a later version's card shows them.
 * Items written before versions carried the card's view itself (an `escalation` view, or a
 * `notice`); they are read as such and still post.
 */
import { z } from 'zod';
import { EVIDENCE_FACTS } from './evidence-facts';

const TONE = z.enum(['default', 'good', 'warning', 'attention', 'accent']);

const ESCALATION_V1 = z.object({
  version: z.literal(1),
  kind: z.literal('escalation'),
  incident: z.object({ number: z.number().int(), title: z.string() }),
  deviceName: z.string(),
  deviceId: z.string(),
  toolName: z.string(),
  windowMs: z.number().positive(),
  /** ISO 8601. */
  firstSeen: z.string(),
  lastSeen: z.string(),
  count: z.number(),
  reportIds: z.array(z.string()),
  kql: z.string(),
  source: z.string(),
  by: z.string(),
  note: z.string(),
  at: z.string(),
});

/** Version 2: version 1's facts and the evidence summary (bounded), or why there is none. */
const ESCALATION_V2 = ESCALATION_V1.extend({
  version: z.literal(2),
  evidence: z.union([z.object({ facts: EVIDENCE_FACTS }), z.object({ missing: z.string() })]),
});

/** An unversioned item: the escalation card's view as the first release stored it. */
const UNVERSIONED_ESCALATION = z.object({
  name: z.literal('escalation'),
  incident: z.object({ number: z.number(), title: z.string() }),
  deviceName: z.string(),
  deviceId: z.string(),
  toolName: z.string(),
  windowText: z.string(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  count: z.number(),
  reportIds: z.array(z.string()),
  kql: z.string(),
  source: z.string(),
  by: z.string(),
  note: z.string(),
  at: z.string(),
});

/** An unversioned item holding a notice view. */
const UNVERSIONED_NOTICE = z.object({
  name: z.literal('notice'),
  title: z.string(),
  text: z.string(),
  tone: TONE,
  usage: z.array(z.string()).optional(),
});

const PAYLOAD = z.union([ESCALATION_V2, ESCALATION_V1, UNVERSIONED_ESCALATION, UNVERSIONED_NOTICE]);

/** The facts of an escalation, as stored (version 1, or 2 with the evidence). */
export type EscalationPayload = z.infer<typeof ESCALATION_V1> | z.infer<typeof ESCALATION_V2>;

/** Any payload this version can post. */
export type OutboxPayload = z.infer<typeof PAYLOAD>;

/** The payload to store for an escalation (the current version, 2). */
export function escalationPayload(facts: Omit<z.infer<typeof ESCALATION_V2>, 'version' | 'kind'>): z.infer<typeof ESCALATION_V2> {
  return { version: 2, kind: 'escalation', ...facts };
}

/** A stored payload, or undefined when no version of HuntOps wrote it. */
export function readOutboxPayload(stored: unknown): OutboxPayload | undefined {
  const parsed = PAYLOAD.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}
