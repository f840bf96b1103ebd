/**
 * Where escalations are posted: a Teams channel, reached through a conversation reference of the
 * same tenant (it carries the service URL and the bot's identity). The outbox stores it as the
 * target of each message, and the store keeps it as the tenant's incident channel; both are read
 * back through {@link readIncidentTarget}. The transport interprets the reference.
 */
import { z } from 'zod';
import { tenantScope } from './tenant-scope';

/** The target of an outbox message. */
export interface IncidentTarget {
  /** A conversation reference from the same tenant (opaque to the core). */
  readonly reference: unknown;
  /** The incident channel's id (`19:…@thread.tacv2`). */
  readonly channelId: string;
}

const TARGET = z.object({ reference: z.unknown(), channelId: z.string().min(1) });

/** A stored target, or undefined when it is not one. */
export function readIncidentTarget(stored: unknown): IncidentTarget | undefined {
  const parsed = TARGET.safeParse(stored);
  return parsed.success ? { reference: parsed.data.reference, channelId: parsed.data.channelId } : undefined;
}

/** The numbering scope of incidents and the key of the incident channel: the tenant's scope. */
export function incidentTeam(tenantId: string | undefined): string {
  return tenantScope(tenantId);
}
