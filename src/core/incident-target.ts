/**
 * Where escalations are posted: a Teams channel, reached through a conversation reference of the
 * same tenant (it carries the service URL and the bot's identity). The outbox stores it as the
 * target of each message; the transport interprets it.
 */

/** The target of an outbox message. */
export interface IncidentTarget {
  /** A conversation reference from the same tenant (opaque to the core). */
  readonly reference: unknown;
  /** The incident channel's id (`19:…@thread.tacv2`). */
  readonly channelId: string;
}

/** The numbering scope of incidents and the key of the incident channel: the tenant. */
export function incidentTeam(tenantId: string | undefined): string {
  return tenantId ?? 'local';
}
