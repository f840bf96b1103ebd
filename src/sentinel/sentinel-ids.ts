/**
 * The ids HuntOps gives the Sentinel resources it creates. Each is a name-based UUID (version 5)
 * derived from a HuntOps key, so that every attempt to create the same thing — a retry after a lost
 * answer, a second bot instance, a restart between the Teams post and the Sentinel call — names the
 * same resource, and Azure Resource Manager's create-or-update (`PUT`) cannot make two.
 */
import { v5 as uuidv5 } from 'uuid';

/** The UUID namespace of every id below (fixed: changing it would orphan every existing resource). */
export const HUNTOPS_UUID_NAMESPACE = '9f44ad0b-6643-4309-83cf-f922feb7c729';

/**
 * A HuntOps incident: numbered per team, and opened at a time the store recorded. The time keeps two
 * installations (or a store started afresh) whose numbering restarts from naming the same Sentinel
 * incident.
 */
export interface IncidentKey {
  readonly team: string;
  readonly number: number;
  readonly openedAt: Date;
}

/** The Sentinel incident id of a HuntOps incident. */
export function sentinelIncidentId(key: IncidentKey): string {
  return uuidv5(`incident\n${key.team}\n${key.number}\n${key.openedAt.toISOString()}`, HUNTOPS_UUID_NAMESPACE);
}

/** The id of the incident comment an escalation adds. */
export function sentinelCommentId(escalationId: string): string {
  return uuidv5(`escalation\n${escalationId}`, HUNTOPS_UUID_NAMESPACE);
}

/** The id of the watchlist item that mirrors an exclusion. */
export function watchlistItemId(exclusionId: string): string {
  return uuidv5(`exclusion\n${exclusionId}`, HUNTOPS_UUID_NAMESPACE);
}
