/**
 * Microsoft Sentinel incidents as Azure Resource Manager sends them (`Microsoft.SecurityInsights/
 * incidents`, api-version 2025-09-01): the properties a client may write, what the service adds,
 * and a reader that keeps only what HuntOps relies on.
 */

/** Incident severity. */
export type IncidentSeverity = 'High' | 'Medium' | 'Low' | 'Informational';
/** Incident status. */
export type IncidentStatus = 'New' | 'Active' | 'Closed';
/** Why an incident was closed. */
export type IncidentClassification = 'Undetermined' | 'TruePositive' | 'BenignPositive' | 'FalsePositive';
/** The reason that goes with a classification. */
export type IncidentClassificationReason = 'SuspiciousActivity' | 'SuspiciousButExpected' | 'IncorrectAlertLogic' | 'InaccurateData';

/** A label; those a client adds are `User` labels. */
export interface IncidentLabel {
  readonly labelName: string;
  readonly labelType?: 'User' | 'AutoAssigned';
}

/** Whom the incident is assigned to; a client sets `objectId` (an Entra user's object id), the service fills in the rest. */
export interface IncidentOwner {
  readonly objectId?: string | null;
  readonly email?: string | null;
  readonly userPrincipalName?: string | null;
  readonly assignedTo?: string | null;
  readonly ownerType?: string | null;
}

/** The properties a client writes (a `PUT` replaces them all, so an update sends back what it read). */
export interface IncidentProperties {
  readonly title: string;
  readonly severity: IncidentSeverity;
  readonly status: IncidentStatus;
  readonly description?: string;
  readonly labels?: readonly IncidentLabel[];
  readonly owner?: IncidentOwner;
  readonly classification?: IncidentClassification;
  readonly classificationReason?: IncidentClassificationReason;
  readonly classificationComment?: string;
  readonly firstActivityTimeUtc?: string;
  readonly lastActivityTimeUtc?: string;
}

/** The writable property names, in the order the service documents them. */
const WRITABLE: readonly (keyof IncidentProperties)[] = [
  'title',
  'severity',
  'status',
  'description',
  'labels',
  'owner',
  'classification',
  'classificationReason',
  'classificationComment',
  'firstActivityTimeUtc',
  'lastActivityTimeUtc',
];

/** An incident as read. */
export interface SentinelIncident {
  /** The incident id (its resource name), as HuntOps chose it. */
  readonly name: string;
  /** The ARM resource id. */
  readonly id: string;
  /** The version to send back with an update. */
  readonly etag: string | undefined;
  readonly properties: IncidentProperties;
  /** The number Sentinel shows analysts ("Incident 3177"). */
  readonly incidentNumber?: number;
  /** The service's link to the incident in the Azure portal. */
  readonly incidentUrl?: string;
}

/** An incident comment as read. */
export interface SentinelComment {
  readonly name: string;
  readonly message: string;
  readonly etag: string | undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Only the writable properties, those present (what an update sends back). */
export function writableProperties(properties: IncidentProperties): IncidentProperties {
  const source = properties as unknown as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const key of WRITABLE) if (source[key] !== undefined && source[key] !== null) kept[key] = source[key];
  return kept as unknown as IncidentProperties;
}

/** Reads an incident resource; throws a TypeError when it lacks what every incident has. */
export function readIncident(body: unknown): SentinelIncident {
  const resource = record(body);
  const properties = record(resource.properties);
  const name = text(resource.name);
  if (!name || typeof properties.title !== 'string' || typeof properties.severity !== 'string' || typeof properties.status !== 'string') {
    throw new TypeError('the answer is not an incident (name, title, severity and status are required)');
  }
  const number = properties.incidentNumber;
  const url = text(properties.incidentUrl);
  return {
    name,
    id: text(resource.id) ?? '',
    etag: text(resource.etag),
    properties: writableProperties(properties as unknown as IncidentProperties),
    ...(typeof number === 'number' ? { incidentNumber: number } : {}),
    ...(url ? { incidentUrl: url } : {}),
  };
}

/** Reads a comment resource; throws a TypeError when it is not one. */
export function readComment(body: unknown): SentinelComment {
  const resource = record(body);
  const name = text(resource.name);
  const message = text(record(resource.properties).message);
  if (!name || message === undefined) throw new TypeError('the answer is not an incident comment');
  return { name, message, etag: text(resource.etag) };
}

/** True when two sets of writable properties say the same. */
export function sameProperties(a: IncidentProperties, b: IncidentProperties): boolean {
  return JSON.stringify(canonical(writableProperties(a))) === JSON.stringify(canonical(writableProperties(b)));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, canonical(v)]),
  );
}
