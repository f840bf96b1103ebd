/**
 * Escalations as domain operations: where a tenant's incidents go, its open incidents, escalating
 * a finding into a new or an open incident, and `incident channel here`. An escalation records the
 * escalation and its post in one step (the store's outbox); the outbox worker posts it into the
 * incident thread. A double click or a retried invoke escalates once.
 */
import type { Catalog } from '../hunt/catalog';
import type { IncidentSeverity } from '../sentinel/incident-model';
import type { Actor, EscalationContext, EscalationResult, Incident, OutboxMessage, Store } from '../store/store';
import { StoreError } from '../store/store-error';
import type { FindingRef } from './hunt-service';
import { sentinelIncident } from './incidents';
import { incidentTeam, readIncidentTarget, type IncidentTarget } from './incident-target';
import { escalationPayload } from './payloads/outbox-payload';
import { sentinelEscalationPayload } from './payloads/sentinel-payload';
import type { SentinelServices } from './sentinel-services';
import { toolRefName } from './tool-ref';
import { UserError } from './user-error';

/** The longest note and incident title kept. */
export const MAX_NOTE = 2000;
export const MAX_TITLE = 200;

/** What escalations need. */
export interface EscalationDeps {
  readonly store: Store;
  readonly catalog: Catalog;
  /** The incident channel set by configuration (`HUNT_INCIDENT_CHANNEL`), if any. */
  readonly configuredChannel?: string;
  /** Wakes the outbox worker after an escalation is recorded. */
  readonly notifyOutbox: () => void;
  /** Set when escalations become Microsoft Sentinel incidents too. */
  readonly sentinel?: Pick<SentinelServices, 'escalator'>;
}

/** Where the caller is, as escalations need it. */
export interface EscalationPlace {
  readonly tenantId?: string;
  /** The caller's conversation reference (opaque). */
  readonly reference?: unknown;
}

/** An escalation to make. */
export interface EscalateInput {
  readonly ref: FindingRef;
  readonly note: string;
  readonly incident: { readonly kind: 'new'; readonly title: string } | { readonly kind: 'existing'; readonly number: number };
  readonly by: Actor;
  readonly place: EscalationPlace;
  /** The Sentinel incident's severity, for a new incident (default Medium). */
  readonly severity?: IncidentSeverity;
}

/** What escalating came to: done (or done before), or the chosen incident is not open any more. */
export type EscalateOutcome = ({ readonly kind: 'escalated' } & EscalationResult) | { readonly kind: 'not-open'; readonly number: number };

const NO_CHANNEL = new UserError(
  'No incident channel is set',
  'In the channel where incidents go, type @HuntOps incident channel here (a responder has to), then escalate again.',
);

/** Escalation operations. */
export class EscalationService {
  constructor(private readonly deps: EscalationDeps) {}

  /** Where this tenant's escalations go: the channel set in chat, else the configured one. */
  async target(place: EscalationPlace): Promise<IncidentTarget> {
    const stored = await this.deps.store.getIncidentChannel(incidentTeam(place.tenantId));
    const target = stored && readIncidentTarget(stored.conversation);
    if (target) return target;
    if (this.deps.configuredChannel) return { reference: place.reference ?? null, channelId: this.deps.configuredChannel };
    throw NO_CHANNEL;
  }

  /** The tenant's open incidents, lowest number first. */
  openIncidents(tenantId: string | undefined): Promise<Incident[]> {
    return this.deps.store.listOpenIncidents(incidentTeam(tenantId));
  }

  /** Escalates a finding; its post is enqueued with it. */
  async escalate(input: EscalateInput): Promise<EscalateOutcome> {
    const { hunt, finding } = input.ref;
    const target = await this.target(input.place);
    try {
      const result = await this.deps.store.escalate({
        key: `escalate:${hunt.id}:${finding.rowKey}`,
        team: incidentTeam(input.place.tenantId),
        huntId: hunt.id,
        rowKey: finding.rowKey,
        note: input.note,
        by: input.by,
        incident: input.incident.kind === 'new' ? { kind: 'new', title: input.incident.title, channel: target } : input.incident,
        message: (escalation) => ({
          target,
          payload: escalationPayload({
            incident: { number: escalation.incident.number, title: escalation.incident.title },
            deviceName: finding.deviceName,
            deviceId: finding.deviceId,
            toolName: toolRefName(finding.toolId, this.deps.catalog),
            windowMs: hunt.request.windowMs,
            firstSeen: finding.firstSeen.toISOString(),
            lastSeen: finding.lastSeen.toISOString(),
            count: finding.count,
            reportIds: [...finding.reportIds],
            kql: hunt.kql,
            source: hunt.source,
            by: input.by.name,
            note: input.note,
            at: escalation.at.toISOString(),
            ...this.sentinelLink(escalation.incident),
          }),
        }),
        ...(this.deps.sentinel ? { sentinel: (escalation: EscalationContext) => this.sentinelCall(escalation, input, target) } : {}),
      });
      if (result.created) this.deps.notifyOutbox();
      return { kind: 'escalated', ...result };
    } catch (error) {
      if (input.incident.kind === 'existing' && error instanceof StoreError && (error.code === 'not-found' || error.code === 'conflict')) {
        return { kind: 'not-open', number: input.incident.number };
      }
      throw error;
    }
  }

  private sentinelLink(incident: Incident): { sentinelIncidentUrl?: string } {
    const url = this.deps.sentinel?.escalator.incidentUrl({ team: incident.team, number: incident.number, openedAt: incident.createdAt });
    return url ? { sentinelIncidentUrl: url } : {};
  }

  /** The Sentinel call of an escalation: the incident's create (or a comment), made when the outbox delivers it. */
  private sentinelCall(escalation: EscalationContext, input: EscalateInput, target: IncidentTarget): OutboxMessage {
    const { hunt, finding } = input.ref;
    return {
      target,
      payload: sentinelEscalationPayload({
        incident: sentinelIncident(escalation.incident, input.place.tenantId),
        opened: escalation.kind === 'new-thread',
        escalationId: escalation.escalationId,
        severity: input.severity ?? 'Medium',
        finding: {
          deviceId: finding.deviceId,
          deviceName: finding.deviceName,
          toolName: toolRefName(finding.toolId, this.deps.catalog),
          windowMs: hunt.request.windowMs,
          firstSeen: finding.firstSeen.toISOString(),
          lastSeen: finding.lastSeen.toISOString(),
          count: finding.count,
          reportIds: [...finding.reportIds],
          query: hunt.kql,
          source: hunt.source,
        },
        note: input.note,
        escalatedBy: input.by,
        at: escalation.at.toISOString(),
      }),
    };
  }

  /** Makes the caller's channel the tenant's incident channel. */
  async setChannel(input: { readonly channelId: string; readonly place: EscalationPlace; readonly by: Actor }): Promise<IncidentTarget> {
    const target: IncidentTarget = { reference: input.place.reference ?? null, channelId: input.channelId };
    await this.deps.store.setIncidentChannel({ team: incidentTeam(input.place.tenantId), conversation: target, setBy: input.by });
    return target;
  }
}
