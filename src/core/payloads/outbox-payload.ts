/**
 * What an outbox item carries, versioned and read back through a schema: the facts of an
 * escalation (version 1), which the escalation card is made from when the item is posted, so a
 * later version's card shows them; the closing note of an incident; a Sentinel call that failed
 * for good; the facts of a watch's post (`watch-post`, version 1). Items written before versions
 * carried the card's view itself (an `escalation` view, or a `notice`); they are read as such and
 * still post. A field may be added to a version only as an optional one that older readers can
 * ignore (zod drops what a schema does not name).
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
  reportIds: z.array(z.string()),
  kql: z.string(),
  source: z.string(),
  by: z.string(),
  note: z.string(),
  at: z.string(),
  /** The incident in Microsoft Sentinel (its id is chosen by HuntOps, so the link is known before it exists). */
  sentinelIncidentUrl: z.string().optional(),
});

/** An incident was closed: the note in its thread, and (when it was still stored) its opening escalation, to show the root card closed. */
const INCIDENT_CLOSED_V1 = z.object({
  version: z.literal(1),
  kind: z.literal('incident-closed'),
  incident: z.object({ number: z.number().int(), title: z.string() }),
  by: z.string(),
  /** The close reason's title ("Expected IT activity"). */
  reason: z.string(),
  note: z.string(),
  /** ISO 8601. */
  at: z.string(),
  sentinelIncidentUrl: z.string().optional(),
  /** The stored payload of the incident's opening escalation (read through this schema when posted). */
  root: z.unknown().optional(),
});

/** A call to Microsoft Sentinel for an incident failed for good. */
const SENTINEL_REFUSED_V1 = z.object({
  version: z.literal(1),
  kind: z.literal('sentinel-refused'),
  incident: z.object({ number: z.number().int(), title: z.string() }),
  message: z.string(),
});

/** A device a watch reports, as its post shows it (the first page of them). */
const WATCH_DEVICE_V1 = z.object({
  /** The row key of the device in the post's stored hunt (what its buttons carry). */
  row: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  toolName: z.string(),
  /** ISO 8601. */
  firstSeen: z.string(),
  lastSeen: z.string(),
  count: z.number(),
  unsanctionedInstances: z.array(z.string()).optional(),
});

/** A watch's post: its baseline summary, or the devices new to it (kept as a hunt, for the row buttons). */
const WATCH_POST_V1 = z.object({
  version: z.literal(1),
  kind: z.literal('watch-post'),
  watch: z.object({ id: z.number().int().positive(), intervalMs: z.number().int().positive(), createdBy: z.string() }),
  /** What the watch hunts: "Kaseya", "All RMM tools". */
  subject: z.string(),
  batch: z.enum(['baseline', 'new-devices']),
  /** Devices in the post (the baseline: every device the watch now knows). */
  devices: z.number().int().nonnegative(),
  /** Of them, those whose agent talks to an unsanctioned instance. */
  unsanctioned: z.number().int().nonnegative(),
  /** New devices only: the stored hunt that holds them, and its first page. */
  found: z
    .object({
      huntId: z.string(),
      windowMs: z.number().positive(),
      source: z.string(),
      byTool: z.boolean(),
      pageCount: z.number().int().positive(),
      rows: z.array(WATCH_DEVICE_V1),
    })
    .optional(),
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

const PAYLOAD = z.union([ESCALATION_V1, WATCH_POST_V1, INCIDENT_CLOSED_V1, SENTINEL_REFUSED_V1, UNVERSIONED_ESCALATION, UNVERSIONED_NOTICE]);

/** The facts of an escalation, as stored (version 1). */
export type EscalationPayload = z.infer<typeof ESCALATION_V1>;

/** The facts of a watch's post, as stored (version 1). */
export type WatchPostPayload = z.infer<typeof WATCH_POST_V1>;

/** A device of a watch's post, as stored. */
export type WatchPostDevice = z.infer<typeof WATCH_DEVICE_V1>;

/** An incident's closing note, as stored (version 1). */
export type IncidentClosedPayload = z.infer<typeof INCIDENT_CLOSED_V1>;

/** A Sentinel call that failed for good, as stored (version 1). */
export type SentinelRefusedPayload = z.infer<typeof SENTINEL_REFUSED_V1>;

/** Any payload this version can post. */
export type OutboxPayload = z.infer<typeof PAYLOAD>;

/** The payload to store for an escalation. */
export function escalationPayload(facts: Omit<EscalationPayload, 'version' | 'kind'>): EscalationPayload {
  return { version: 1, kind: 'escalation', ...facts };
}

/** The payload to store for a watch's post. */
export function watchPostPayload(facts: Omit<WatchPostPayload, 'version' | 'kind'>): WatchPostPayload {
  return { version: 1, kind: 'watch-post', ...facts };
}

/** The payload to store for an incident's closing note. */
export function incidentClosedPayload(facts: Omit<IncidentClosedPayload, 'version' | 'kind'>): IncidentClosedPayload {
  return { version: 1, kind: 'incident-closed', ...facts };
}

/** The payload to store for a Sentinel call that failed for good. */
export function sentinelRefusedPayload(facts: Omit<SentinelRefusedPayload, 'version' | 'kind'>): SentinelRefusedPayload {
  return { version: 1, kind: 'sentinel-refused', ...facts };
}

/** A stored payload, or undefined when no version of HuntOps wrote it. */
export function readOutboxPayload(stored: unknown): OutboxPayload | undefined {
  const parsed = PAYLOAD.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}
