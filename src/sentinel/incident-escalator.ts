/**
 * Escalations as Sentinel incidents: what an escalation does in Sentinel, independent of where
 * HuntOps keeps its records.
 *
 * - The escalation that opens a HuntOps incident creates the Sentinel incident: title, severity
 *   (default Medium), the finding and the note in the description, labels `HuntOps` and the tool,
 *   the activity times, the Teams thread's link, and the analyst as owner when they are an Entra
 *   user.
 * - A later escalation to the same incident adds a comment (one per escalation, by its id). Should
 *   the incident be missing in Sentinel (Sentinel configured later, or the opening call never got
 *   through), it is created first with a short description, and the escalation still goes in as a
 *   comment.
 * - Closing from Teams closes it with the classification of the close reason.
 *
 * The incident's id is derived from the HuntOps incident ({@link sentinelIncidentId}), so its portal
 * link is known before any call ({@link IncidentEscalator.incidentUrl}) and every repeat of a call
 * lands on the same incident.
 */
import { incidentClosing, type CloseReason } from './close-reasons';
import type { IncidentLabel, IncidentProperties, IncidentSeverity } from './incident-model';
import { escalationComment, incidentDescription, incidentTitle, lateIncidentDescription, MAX_INCIDENT_TITLE, oneLine, type EscalationFacts } from './incident-text';
import { SentinelError } from './sentinel-error';
import { incidentPortalUrl } from './portal-link';
import { sentinelCommentId, sentinelIncidentId, type IncidentKey } from './sentinel-ids';
import type { SentinelIncidents } from './sentinel-incidents';

/** What the escalator needs of the incidents client. */
export type IncidentsApi = Pick<SentinelIncidents, 'workspace' | 'createIfAbsent' | 'addComment' | 'close'>;

/** An escalation, as Sentinel needs it. */
export interface SentinelEscalation extends EscalationFacts {
  /** The HuntOps incident it belongs to. */
  readonly incident: IncidentKey & {
    /** The HuntOps incident's title (the analyst's choice, or the default). */
    readonly title: string;
  };
  /** True for the escalation that opened the HuntOps incident. */
  readonly opened: boolean;
  /** The escalation's id in HuntOps (names its comment). */
  readonly escalationId: string;
  /** Chosen on the Escalate form. Default Medium. */
  readonly severity?: IncidentSeverity;
}

/** What {@link IncidentEscalator.escalate} did. */
export interface SentinelEscalationResult {
  readonly incidentId: string;
  /** The incident in the Azure portal. */
  readonly incidentUrl: string;
  /** The number Sentinel shows ("Incident 3177"), when the service said. */
  readonly incidentNumber?: number;
  /** True when this call created the incident. */
  readonly createdIncident: boolean;
  /** The comment's id, for an escalation that added one. */
  readonly commentId?: string;
}

/** How the escalator is set up. */
export interface IncidentEscalatorOptions {
  readonly incidents: IncidentsApi;
  /** The Azure portal root for links. Default `https://portal.azure.com`. */
  readonly portalUrl?: string;
  /**
   * The Entra object id to assign a new incident to, for the analyst who escalated. Default: their
   * Teams `aadObjectId` (which is their Entra object id) when it is a GUID; return `undefined` to
   * leave the incident unassigned.
   */
  readonly ownerFor?: (escalatedBy: { readonly aadObjectId: string; readonly name: string }) => string | undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The label every incident HuntOps opens carries. */
export const HUNTOPS_LABEL = 'HuntOps';

/** Escalations and closes, as Sentinel incident operations. */
export class IncidentEscalator {
  private readonly incidents: IncidentsApi;
  private readonly portalUrl: string | undefined;
  private readonly ownerFor: (escalatedBy: { readonly aadObjectId: string; readonly name: string }) => string | undefined;

  constructor(options: IncidentEscalatorOptions) {
    this.incidents = options.incidents;
    this.portalUrl = options.portalUrl;
    this.ownerFor = options.ownerFor ?? ((actor) => (GUID.test(actor.aadObjectId) ? actor.aadObjectId.toLowerCase() : undefined));
  }

  /** The Sentinel incident id of a HuntOps incident. */
  incidentId(key: IncidentKey): string {
    return sentinelIncidentId(key);
  }

  /** The portal link of the Sentinel incident of a HuntOps incident, known before it exists (for the thread card). */
  incidentUrl(key: IncidentKey): string {
    return incidentPortalUrl(this.incidents.workspace, sentinelIncidentId(key), this.portalUrl);
  }

  /** Puts the escalation into Sentinel; safe to repeat (the same incident, the same comment). */
  async escalate(escalation: SentinelEscalation, signal?: AbortSignal): Promise<SentinelEscalationResult> {
    const incidentId = sentinelIncidentId(escalation.incident);
    const description = escalation.opened ? incidentDescription(escalation) : lateIncidentDescription(escalation.incident.number, escalation.threadUrl);
    const { incident, created } = await this.incidents.createIfAbsent(incidentId, this.newIncident(escalation, description), signal);
    const base = {
      incidentId,
      incidentUrl: incident.incidentUrl ?? this.incidentUrl(escalation.incident),
      ...(incident.incidentNumber === undefined ? {} : { incidentNumber: incident.incidentNumber }),
      createdIncident: created,
    };
    // The opening escalation's facts are the description of the incident it created. Should the
    // incident have been made by something else first (a later escalation or the close, delivered
    // before it), its facts go in as a comment instead; a repeat of its own create finds its own
    // description and adds nothing.
    if (escalation.opened && (created || incident.properties.description === description)) return base;
    const commentId = sentinelCommentId(escalation.escalationId);
    await this.incidents.addComment(incidentId, commentId, escalation.opened ? description : escalationComment(escalation), signal);
    return { ...base, commentId };
  }

  /**
   * Closes the Sentinel incident of a HuntOps incident; `closed` is false when it was closed
   * already. With `ifMissing`, an incident Sentinel does not have (its create has not got through
   * yet, or never will) is created first with a short description, so the close lands whatever the
   * order of the calls; the escalations then go in as comments.
   */
  async close(
    key: IncidentKey,
    close: {
      readonly reason: CloseReason;
      readonly closedBy: { readonly name: string };
      readonly comment?: string;
      readonly ifMissing?: { readonly title: string; readonly threadUrl?: string };
    },
    signal?: AbortSignal,
  ): Promise<{ readonly incidentId: string; readonly closed: boolean }> {
    const incidentId = sentinelIncidentId(key);
    const closing = incidentClosing(close.reason, close.closedBy, close.comment);
    try {
      const { closed } = await this.incidents.close(incidentId, closing, signal);
      return { incidentId, closed };
    } catch (error) {
      if (!close.ifMissing || !(error instanceof SentinelError) || error.failure !== 'not-found') throw error;
      const { title, threadUrl } = close.ifMissing;
      await this.incidents.createIfAbsent(
        incidentId,
        {
          title: oneLine(`HuntOps: ${title}`, MAX_INCIDENT_TITLE),
          severity: 'Medium',
          status: 'New',
          description: lateIncidentDescription(key.number, threadUrl),
          labels: [{ labelName: HUNTOPS_LABEL, labelType: 'User' }],
        },
        signal,
      );
      const { closed } = await this.incidents.close(incidentId, closing, signal);
      return { incidentId, closed };
    }
  }

  private newIncident(escalation: SentinelEscalation, description: string): IncidentProperties {
    const { finding } = escalation;
    const labels: IncidentLabel[] = [
      { labelName: HUNTOPS_LABEL, labelType: 'User' },
      { labelName: oneLine(finding.toolName, 100), labelType: 'User' },
    ];
    const owner = this.ownerFor(escalation.escalatedBy);
    return {
      title: incidentTitle(escalation.incident.title, finding),
      severity: escalation.severity ?? 'Medium',
      status: 'New',
      description,
      labels,
      ...(owner ? { owner: { objectId: owner } } : {}),
      firstActivityTimeUtc: finding.firstSeen.toISOString(),
      lastActivityTimeUtc: finding.lastSeen.toISOString(),
    };
  }
}
