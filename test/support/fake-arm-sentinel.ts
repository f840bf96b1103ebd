/**
 * The state and the resource semantics of one Microsoft Sentinel workspace, as Azure Resource
 * Manager serves them under `…/providers/Microsoft.SecurityInsights` (api-version 2025-09-01):
 * incidents with etags, their comments, watchlists and their items. Answers are `{ status, body }`;
 * {@link FakeArm} puts them on the wire. Shapes follow the service's recorded examples (REST
 * specification `stable/2025-09-01/examples`: CreateIncident, CreateIncidentComment,
 * CreateWatchlist, GetWatchlistItems); the conflict answer follows what the service says when an
 * update lacks the current etag ("Newer version of resource … exists. Data was not saved").
 *
 * It fails closed: an unknown property, a missing required one, a wrong enum value, a close without
 * a classification, a classification reason that does not go with the classification, an item id
 * that is not a GUID, an item without the search key column are all 400.
 */
import { randomUUID } from 'node:crypto';

/** An answer, before it is sent. */
export interface FakeAnswer {
  readonly status: number;
  readonly body?: unknown;
}

/** An incident as the fake keeps it. */
export interface FakeIncident {
  readonly name: string;
  etag: string;
  readonly number: number;
  readonly createdTimeUtc: string;
  lastModifiedTimeUtc: string;
  properties: Record<string, unknown>;
  readonly comments: Map<string, FakeComment>;
}

/** An incident comment as the fake keeps it. */
export interface FakeComment {
  readonly name: string;
  etag: string;
  message: string;
  readonly createdTimeUtc: string;
  lastModifiedTimeUtc: string;
}

/** A watchlist item as the fake keeps it. */
export interface FakeWatchlistItem {
  readonly id: string;
  etag: string;
  values: Record<string, unknown>;
  readonly created: string;
  updated: string;
}

/** A watchlist as the fake keeps it. */
export interface FakeWatchlist {
  readonly alias: string;
  etag: string;
  properties: Record<string, unknown>;
  readonly watchlistId: string;
  readonly created: string;
  /** By lower-case item id, in order of creation. */
  readonly items: Map<string, FakeWatchlistItem>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'];
const STATUSES = ['New', 'Active', 'Closed'];
const REASONS: Readonly<Record<string, readonly string[]>> = {
  Undetermined: [],
  TruePositive: ['SuspiciousActivity'],
  BenignPositive: ['SuspiciousButExpected'],
  FalsePositive: ['IncorrectAlertLogic', 'InaccurateData'],
};
const INCIDENT_WRITABLE = new Set(['title', 'severity', 'status', 'description', 'labels', 'owner', 'classification', 'classificationReason', 'classificationComment', 'firstActivityTimeUtc', 'lastActivityTimeUtc']);
const INCIDENT_READ_ONLY = new Set(['additionalData', 'createdTimeUtc', 'incidentUrl', 'providerName', 'providerIncidentId', 'incidentNumber', 'lastModifiedTimeUtc', 'relatedAnalyticRuleIds']);
const WATCHLIST_WRITABLE = new Set(['displayName', 'provider', 'source', 'sourceType', 'description', 'itemsSearchKey', 'labels', 'defaultDuration', 'numberOfLinesToSkip']);
const RESOURCE_KEYS = new Set(['id', 'name', 'type', 'etag', 'properties', 'systemData']);
/** The fake bot's identity, as the service names the author of what it writes. */
export const FAKE_PRINCIPAL = { objectId: '00000000-0000-0000-0000-00000000c11e', name: 'HuntOps bot' };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function now(): string {
  return new Date().toISOString();
}

function newEtag(): string {
  return `"${randomUUID()}"`;
}

/** A 400 with ARM's error shape. */
export function badRequest(message: string): FakeAnswer {
  return { status: 400, body: { error: { code: 'BadRequest', message } } };
}

function notFound(what: string): FakeAnswer {
  return { status: 404, body: { error: { code: 'NotFound', message: `${what} was not found.` } } };
}

function conflict(resourceId: string): FakeAnswer {
  return { status: 409, body: { error: { code: 'Conflict', message: `Newer version of resource '${resourceId}' exists. Data was not saved` } } };
}

/** The reason a resource body is not acceptable, if any. */
function resourceProblem(body: Record<string, unknown> | undefined, writable: ReadonlySet<string>, readOnly: ReadonlySet<string>): string | undefined {
  if (!body) return 'The request body must be a JSON object.';
  const extra = Object.keys(body).filter((key) => !RESOURCE_KEYS.has(key));
  if (extra.length) return `Unknown properties: ${extra.join(', ')}.`;
  if (!isRecord(body.properties)) return "The request body must have 'properties'.";
  if (body.etag !== undefined && typeof body.etag !== 'string') return "'etag' must be a string.";
  const unknown = Object.keys(body.properties).filter((key) => !writable.has(key) && !readOnly.has(key));
  return unknown.length ? `Unknown properties: ${unknown.join(', ')}.` : undefined;
}

function incidentProblem(p: Record<string, unknown>): string | undefined {
  if (typeof p.title !== 'string' || p.title.trim() === '') return "'title' is required.";
  if (!SEVERITIES.includes(p.severity as string)) return `'severity' must be one of ${SEVERITIES.join(', ')}.`;
  if (!STATUSES.includes(p.status as string)) return `'status' must be one of ${STATUSES.join(', ')}.`;
  if (p.description !== undefined && typeof p.description !== 'string') return "'description' must be a string.";
  if (p.labels !== undefined && (!Array.isArray(p.labels) || !p.labels.every((l) => isRecord(l) && typeof l.labelName === 'string' && l.labelName !== '' && (l.labelType === undefined || l.labelType === 'User' || l.labelType === 'AutoAssigned')))) {
    return "'labels' must be a list of { labelName, labelType }.";
  }
  if (p.owner !== undefined && (!isRecord(p.owner) || (p.owner.objectId !== undefined && p.owner.objectId !== null && !GUID.test(String(p.owner.objectId))))) {
    return "'owner.objectId' must be a GUID.";
  }
  for (const key of ['firstActivityTimeUtc', 'lastActivityTimeUtc']) {
    if (p[key] !== undefined && (typeof p[key] !== 'string' || Number.isNaN(Date.parse(p[key] as string)))) return `'${key}' must be a date-time.`;
  }
  const { classification, classificationReason } = p;
  if (classification !== undefined && !(typeof classification === 'string' && classification in REASONS)) return `'classification' must be one of ${Object.keys(REASONS).join(', ')}.`;
  if (p.status === 'Closed' && classification === undefined) return 'Classification is required when closing an incident.';
  if (classificationReason !== undefined && !(REASONS[classification as string] ?? []).includes(classificationReason as string)) {
    return `Classification reason '${String(classificationReason)}' does not go with classification '${String(classification)}'.`;
  }
  return undefined;
}

/** One workspace's Sentinel. */
export class FakeSentinelWorkspace {
  readonly incidents = new Map<string, FakeIncident>();
  readonly watchlists = new Map<string, FakeWatchlist>();
  private nextNumber = 1;

  constructor(
    /** The workspace resource id, as ARM names it. */
    readonly resourceId: string,
    private readonly pageSize: number,
  ) {}

  private resourceIdOf(...segments: string[]): string {
    return `${this.resourceId}/providers/Microsoft.SecurityInsights/${segments.join('/')}`;
  }

  /** The incident resource as the service sends it. */
  incidentResource(incident: FakeIncident): Record<string, unknown> {
    const id = this.resourceIdOf('incidents', incident.name);
    const owner = isRecord(incident.properties.owner) ? { ...incident.properties.owner, ...(incident.properties.owner.objectId ? { ownerType: 'User' } : {}) } : undefined;
    return {
      id,
      name: incident.name,
      type: 'Microsoft.SecurityInsights/incidents',
      etag: incident.etag,
      properties: {
        ...incident.properties,
        labels: incident.properties.labels ?? [],
        ...(owner ? { owner } : {}),
        createdTimeUtc: incident.createdTimeUtc,
        lastModifiedTimeUtc: incident.lastModifiedTimeUtc,
        incidentNumber: incident.number,
        incidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${id}`,
        providerName: 'Azure Sentinel',
        providerIncidentId: String(incident.number),
        relatedAnalyticRuleIds: [],
        additionalData: { alertsCount: 0, bookmarksCount: 0, commentsCount: incident.comments.size, alertProductNames: [], tactics: [] },
      },
    };
  }

  getIncident(name: string): FakeAnswer {
    const incident = this.incidents.get(name.toLowerCase());
    return incident ? { status: 200, body: this.incidentResource(incident) } : notFound(`Incident '${name}'`);
  }

  putIncident(name: string, body: Record<string, unknown> | undefined): FakeAnswer {
    const problem = resourceProblem(body, INCIDENT_WRITABLE, INCIDENT_READ_ONLY);
    if (problem) return badRequest(problem);
    const written = Object.fromEntries(Object.entries(body!.properties as Record<string, unknown>).filter(([key]) => INCIDENT_WRITABLE.has(key)));
    const invalid = incidentProblem(written);
    if (invalid) return badRequest(invalid);
    const existing = this.incidents.get(name.toLowerCase());
    if (existing) {
      if (body!.etag !== existing.etag) return conflict(this.resourceIdOf('incidents', name));
      existing.properties = written;
      existing.etag = newEtag();
      existing.lastModifiedTimeUtc = now();
      return { status: 200, body: this.incidentResource(existing) };
    }
    const time = now();
    const incident: FakeIncident = { name, etag: newEtag(), number: this.nextNumber++, createdTimeUtc: time, lastModifiedTimeUtc: time, properties: written, comments: new Map() };
    this.incidents.set(name.toLowerCase(), incident);
    return { status: 201, body: this.incidentResource(incident) };
  }

  private commentResource(incident: FakeIncident, comment: FakeComment): Record<string, unknown> {
    return {
      id: this.resourceIdOf('incidents', incident.name, 'comments', comment.name),
      name: comment.name,
      type: 'Microsoft.SecurityInsights/incidents/comments',
      etag: comment.etag,
      properties: { message: comment.message, createdTimeUtc: comment.createdTimeUtc, lastModifiedTimeUtc: comment.lastModifiedTimeUtc, author: { ...FAKE_PRINCIPAL } },
    };
  }

  getComment(incidentName: string, name: string): FakeAnswer {
    const incident = this.incidents.get(incidentName.toLowerCase());
    if (!incident) return notFound(`Incident '${incidentName}'`);
    const comment = incident.comments.get(name.toLowerCase());
    return comment ? { status: 200, body: this.commentResource(incident, comment) } : notFound(`Comment '${name}'`);
  }

  putComment(incidentName: string, name: string, body: Record<string, unknown> | undefined): FakeAnswer {
    const problem = resourceProblem(body, new Set(['message']), new Set(['createdTimeUtc', 'lastModifiedTimeUtc', 'author']));
    if (problem) return badRequest(problem);
    const message = (body!.properties as Record<string, unknown>).message;
    if (typeof message !== 'string' || message.trim() === '') return badRequest("'message' is required.");
    const incident = this.incidents.get(incidentName.toLowerCase());
    if (!incident) return notFound(`Incident '${incidentName}'`);
    const existing = incident.comments.get(name.toLowerCase());
    if (existing) {
      if (body!.etag !== undefined && body!.etag !== existing.etag) return conflict(this.resourceIdOf('incidents', incidentName, 'comments', name));
      existing.message = message;
      existing.etag = newEtag();
      existing.lastModifiedTimeUtc = now();
      return { status: 200, body: this.commentResource(incident, existing) };
    }
    const time = now();
    const comment: FakeComment = { name, etag: newEtag(), message, createdTimeUtc: time, lastModifiedTimeUtc: time };
    incident.comments.set(name.toLowerCase(), comment);
    return { status: 201, body: this.commentResource(incident, comment) };
  }

  private watchlistResource(watchlist: FakeWatchlist): Record<string, unknown> {
    return {
      id: this.resourceIdOf('watchlists', watchlist.alias),
      name: watchlist.alias,
      etag: watchlist.etag,
      type: 'Microsoft.SecurityInsights/Watchlists',
      properties: {
        watchlistId: watchlist.watchlistId,
        ...watchlist.properties,
        created: watchlist.created,
        updated: watchlist.created,
        createdBy: { ...FAKE_PRINCIPAL },
        updatedBy: { ...FAKE_PRINCIPAL },
        watchlistType: 'watchlist',
        watchlistAlias: watchlist.alias,
        isDeleted: false,
        tenantId: 'f686d426-8d16-42db-81b7-ab578e110ccd',
        provisioningState: 'Succeeded',
      },
    };
  }

  getWatchlist(alias: string): FakeAnswer {
    const watchlist = this.watchlists.get(alias.toLowerCase());
    return watchlist ? { status: 200, body: this.watchlistResource(watchlist) } : notFound(`Watchlist '${alias}'`);
  }

  putWatchlist(alias: string, body: Record<string, unknown> | undefined): FakeAnswer {
    const problem = resourceProblem(body, WATCHLIST_WRITABLE, new Set(['watchlistId', 'watchlistAlias', 'created', 'updated', 'createdBy', 'updatedBy', 'watchlistType', 'isDeleted', 'tenantId', 'provisioningState', 'uploadStatus']));
    if (problem) return badRequest(problem);
    const p = body!.properties as Record<string, unknown>;
    for (const key of ['displayName', 'provider', 'itemsSearchKey']) if (typeof p[key] !== 'string' || p[key] === '') return badRequest(`'${key}' is required.`);
    if (p.sourceType !== undefined && p.sourceType !== 'Local' && p.sourceType !== 'AzureStorage') return badRequest("'sourceType' must be Local or AzureStorage.");
    const written = Object.fromEntries(Object.entries(p).filter(([key]) => WATCHLIST_WRITABLE.has(key)));
    const existing = this.watchlists.get(alias.toLowerCase());
    if (existing) {
      if (body!.etag !== undefined && body!.etag !== existing.etag) return conflict(this.resourceIdOf('watchlists', alias));
      existing.properties = written;
      existing.etag = newEtag();
      return { status: 200, body: this.watchlistResource(existing) };
    }
    const watchlist: FakeWatchlist = { alias, etag: newEtag(), properties: written, watchlistId: randomUUID(), created: now(), items: new Map() };
    this.watchlists.set(alias.toLowerCase(), watchlist);
    return { status: 201, body: this.watchlistResource(watchlist) };
  }

  private itemResource(watchlist: FakeWatchlist, item: FakeWatchlistItem): Record<string, unknown> {
    return {
      id: this.resourceIdOf('Watchlists', watchlist.alias, 'WatchlistItems', item.id),
      name: item.id,
      etag: item.etag,
      type: 'Microsoft.SecurityInsights/Watchlists/WatchlistItems',
      properties: {
        watchlistItemType: 'watchlist-item',
        watchlistItemId: item.id,
        tenantId: 'f686d426-8d16-42db-81b7-ab578e110ccd',
        isDeleted: false,
        created: item.created,
        updated: item.updated,
        createdBy: { ...FAKE_PRINCIPAL },
        updatedBy: { ...FAKE_PRINCIPAL },
        itemsKeyValue: { ...item.values },
        entityMapping: {},
      },
    };
  }

  getItem(alias: string, id: string): FakeAnswer {
    const watchlist = this.watchlists.get(alias.toLowerCase());
    if (!watchlist) return notFound(`Watchlist '${alias}'`);
    const item = watchlist.items.get(id.toLowerCase());
    return item ? { status: 200, body: this.itemResource(watchlist, item) } : notFound(`Watchlist item '${id}'`);
  }

  putItem(alias: string, id: string, body: Record<string, unknown> | undefined): FakeAnswer {
    const problem = resourceProblem(body, new Set(['itemsKeyValue', 'entityMapping']), new Set(['watchlistItemType', 'watchlistItemId', 'tenantId', 'isDeleted', 'created', 'updated', 'createdBy', 'updatedBy']));
    if (problem) return badRequest(problem);
    if (!GUID.test(id)) return badRequest(`The watchlist item id '${id}' is not a GUID.`);
    const values = (body!.properties as Record<string, unknown>).itemsKeyValue;
    if (!isRecord(values) || Object.values(values).some((v) => isRecord(v) || Array.isArray(v))) return badRequest("'itemsKeyValue' must be an object of column values.");
    const watchlist = this.watchlists.get(alias.toLowerCase());
    if (!watchlist) return notFound(`Watchlist '${alias}'`);
    const searchKey = String(watchlist.properties.itemsSearchKey);
    if (!(searchKey in values)) return badRequest(`The item has no value for the search key column '${searchKey}'.`);
    const existing = watchlist.items.get(id.toLowerCase());
    if (existing) {
      if (body!.etag !== undefined && body!.etag !== existing.etag) return conflict(this.resourceIdOf('watchlists', alias, 'watchlistItems', id));
      existing.values = { ...values };
      existing.etag = newEtag();
      existing.updated = now();
      return { status: 200, body: this.itemResource(watchlist, existing) };
    }
    const time = now();
    const item: FakeWatchlistItem = { id, etag: newEtag(), values: { ...values }, created: time, updated: time };
    watchlist.items.set(id.toLowerCase(), item);
    return { status: 201, body: this.itemResource(watchlist, item) };
  }

  deleteItem(alias: string, id: string): FakeAnswer {
    const watchlist = this.watchlists.get(alias.toLowerCase());
    if (!watchlist) return notFound(`Watchlist '${alias}'`);
    return { status: watchlist.items.delete(id.toLowerCase()) ? 200 : 204 };
  }

  /** One page of items from `skip`, and where the next page starts, if anywhere. */
  listItems(alias: string, skip: number): FakeAnswer & { readonly nextSkip?: number } {
    const watchlist = this.watchlists.get(alias.toLowerCase());
    if (!watchlist) return notFound(`Watchlist '${alias}'`);
    const all = [...watchlist.items.values()];
    const page = all.slice(skip, skip + this.pageSize).map((item) => this.itemResource(watchlist, item));
    const nextSkip = skip + this.pageSize < all.length ? skip + this.pageSize : undefined;
    return { status: 200, body: { value: page }, ...(nextSkip === undefined ? {} : { nextSkip }) };
  }
}
