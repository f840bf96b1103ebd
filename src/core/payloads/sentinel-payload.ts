/**
 * What an outbox item of kind `sentinel` carries, versioned and read back through a schema: the
 * facts of one call to Microsoft Sentinel, made when the item is delivered. An escalation (the
 * incident's create or a comment), an incident's close, or an exclusion to mirror — by id only: the
 * mirror writes the exclusion as it is when the item is delivered, so items may run in any order.
 */
import { z } from 'zod';
import { CLOSE_REASONS, type CloseReason } from '../../sentinel/close-reasons';
import type { IncidentSeverity } from '../../sentinel/incident-model';

const SEVERITY = z.enum(['High', 'Medium', 'Low', 'Informational']);
const REASON = z.enum(CLOSE_REASONS.map((r) => r.reason) as [CloseReason, ...CloseReason[]]);

/** A HuntOps incident as Sentinel names it (its Sentinel id is derived from these). */
const INCIDENT = z.object({
  team: z.string(),
  number: z.number().int().positive(),
  /** ISO 8601: when the store opened it. */
  openedAt: z.string(),
  title: z.string(),
  /** The tenant, for the Teams link to the thread. */
  tenantId: z.string().optional(),
});

const ESCALATION_V1 = z.object({
  version: z.literal(1),
  kind: z.literal('sentinel-escalation'),
  incident: INCIDENT,
  /** True for the escalation that opened the incident. */
  opened: z.boolean(),
  escalationId: z.string(),
  severity: SEVERITY,
  finding: z.object({
    deviceId: z.string(),
    deviceName: z.string(),
    toolName: z.string(),
    windowMs: z.number().positive(),
    firstSeen: z.string(),
    lastSeen: z.string(),
    count: z.number(),
    reportIds: z.array(z.string()),
    query: z.string(),
    source: z.string(),
  }),
  note: z.string(),
  escalatedBy: z.object({ aadObjectId: z.string(), name: z.string() }),
  at: z.string(),
});

const CLOSE_V1 = z.object({
  version: z.literal(1),
  kind: z.literal('sentinel-close'),
  incident: INCIDENT,
  reason: REASON,
  closedBy: z.object({ name: z.string() }),
  note: z.string(),
});

const EXCLUSION_V1 = z.object({
  version: z.literal(1),
  kind: z.literal('sentinel-exclusion'),
  exclusionId: z.string().min(1),
});

const PAYLOAD = z.union([ESCALATION_V1, CLOSE_V1, EXCLUSION_V1]);

/** An escalation's Sentinel call, as stored. */
export type SentinelEscalationPayload = z.infer<typeof ESCALATION_V1>;
/** An incident's close in Sentinel, as stored. */
export type SentinelClosePayload = z.infer<typeof CLOSE_V1>;
/** An exclusion to mirror, as stored. */
export type SentinelExclusionPayload = z.infer<typeof EXCLUSION_V1>;
/** Any Sentinel call this version makes. */
export type SentinelPayload = z.infer<typeof PAYLOAD>;

/** The payload to store for an escalation's Sentinel call. */
export function sentinelEscalationPayload(facts: Omit<SentinelEscalationPayload, 'version' | 'kind' | 'severity'> & { readonly severity: IncidentSeverity }): SentinelEscalationPayload {
  return { version: 1, kind: 'sentinel-escalation', ...facts };
}

/** The payload to store for an incident's close in Sentinel. */
export function sentinelClosePayload(facts: Omit<SentinelClosePayload, 'version' | 'kind'>): SentinelClosePayload {
  return { version: 1, kind: 'sentinel-close', ...facts };
}

/** The payload to store for an exclusion to mirror. */
export function sentinelExclusionPayload(exclusionId: string): SentinelExclusionPayload {
  return { version: 1, kind: 'sentinel-exclusion', exclusionId };
}

/** A stored Sentinel payload, or undefined when no version of HuntOps wrote it. */
export function readSentinelPayload(stored: unknown): SentinelPayload | undefined {
  const parsed = PAYLOAD.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}
