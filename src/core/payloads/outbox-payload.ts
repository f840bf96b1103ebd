/**
 * What an outbox item carries, versioned and read back through a schema: the facts of an
 * escalation (version 1; `reportCount` was added later and is optional), which the escalation card
 * is made from when the item is posted, so a later version's card shows them; or a notice to the
 * incident channel (version 1: a post that could not be delivered). Items written before versions
 * carried the card's view itself (an `escalation` view, or a `notice`); they are read as such and
 * still post.
 */
import { z } from 'zod';

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
  /** A bounded sample. */
  reportIds: z.array(z.string()),
  /** How many report ids there were in all; absent in items written before it was counted. */
  reportCount: z.number().int().nonnegative().optional(),
  kql: z.string(),
  source: z.string(),
  by: z.string(),
  note: z.string(),
  at: z.string(),
});

/** A notice to the channel (a post that could not be delivered). */
const NOTICE_V1 = z.object({
  version: z.literal(1),
  kind: z.literal('notice'),
  title: z.string(),
  text: z.string(),
  tone: TONE,
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

const PAYLOAD = z.union([ESCALATION_V1, NOTICE_V1, UNVERSIONED_ESCALATION, UNVERSIONED_NOTICE]);

/** The facts of an escalation, as stored (version 1). */
export type EscalationPayload = z.infer<typeof ESCALATION_V1>;

/** A notice to the channel, as stored (version 1). */
export type NoticePayload = z.infer<typeof NOTICE_V1>;

/** Any payload this version can post. */
export type OutboxPayload = z.infer<typeof PAYLOAD>;

/** The payload to store for an escalation. */
export function escalationPayload(facts: Omit<EscalationPayload, 'version' | 'kind'>): EscalationPayload {
  return { version: 1, kind: 'escalation', ...facts };
}

/** The payload of a notice to the channel. */
export function noticePayload(notice: Omit<NoticePayload, 'version' | 'kind'>): NoticePayload {
  return { version: 1, kind: 'notice', ...notice };
}

/** A stored payload, or undefined when no version of HuntOps wrote it. */
export function readOutboxPayload(stored: unknown): OutboxPayload | undefined {
  const parsed = PAYLOAD.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}
