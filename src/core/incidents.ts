/**
 * The incident life cycle as domain operations: a tenant's open incidents, an incident's root card
 * (the thread's opening post) as it stands, closing an incident, and retrying the Sentinel calls of
 * an incident that Sentinel refused for good.
 *
 * Closing is one store step: the incident is closed with its reason, and — in the same transaction,
 * only by the one call that closes it — the closing note is enqueued as a reply in the thread (it
 * also shows the root card closed) and, with Sentinel, the close of the Sentinel incident.
 */
import { CLOSE_REASONS, type CloseReason, type CloseReasonInfo } from '../sentinel/close-reasons';
import type { Actor, Escalation, Incident, IncidentFollowUp, Store } from '../store/store';
import { incidentTeam } from './incident-target';
import { incidentClosedPayload } from './payloads/outbox-payload';
import { sentinelClosePayload } from './payloads/sentinel-payload';
import type { SentinelServices } from './sentinel-services';

/** What the incident operations need. */
export interface IncidentDeps {
  readonly store: Store;
  /** Set when incidents go to Microsoft Sentinel too. */
  readonly sentinel?: Pick<SentinelServices, 'escalator'>;
  /** Wakes the outbox workers after something was enqueued. */
  readonly notifyOutbox: () => void;
}

/** An open incident and its escalations, oldest first. */
export interface OpenIncident {
  readonly incident: Incident;
  readonly escalations: readonly Escalation[];
}

/** An incident to close. */
export interface CloseInput {
  readonly tenantId: string | undefined;
  readonly number: number;
  readonly reason: CloseReason;
  readonly note: string;
  readonly by: Actor;
}

/** What closing came to: closed now, closed before (by someone), or no such incident. */
export type CloseOutcome =
  | { readonly kind: 'closed' | 'was-closed'; readonly incident: Incident }
  | { readonly kind: 'not-found'; readonly number: number };

/** The close reason of a stored name, or undefined for a name no version wrote. */
export function closeReasonInfo(name: string | undefined): CloseReasonInfo | undefined {
  return CLOSE_REASONS.find((info) => info.reason === name);
}

/** Incident operations. */
export class IncidentService {
  constructor(private readonly deps: IncidentDeps) {}

  /** True when incidents go to Microsoft Sentinel too. */
  get sentinel(): boolean {
    return this.deps.sentinel !== undefined;
  }

  /** The tenant's open incidents with their escalations, lowest number first. */
  async open(tenantId: string | undefined): Promise<OpenIncident[]> {
    const team = incidentTeam(tenantId);
    const incidents = await this.deps.store.listOpenIncidents(team);
    return Promise.all(
      incidents.map(async (incident) => ({ incident, escalations: await this.deps.store.listEscalations({ team, incidentNumber: incident.number }) })),
    );
  }

  /** One of the tenant's incidents. */
  get(tenantId: string | undefined, number: number): Promise<Incident | undefined> {
    return this.deps.store.getIncident(incidentTeam(tenantId), number);
  }

  /** The incident in Microsoft Sentinel, when HuntOps writes incidents there. */
  sentinelUrl(incident: Incident): string | undefined {
    return this.deps.sentinel?.escalator.incidentUrl({ team: incident.team, number: incident.number, openedAt: incident.createdAt });
  }

  /**
   * The stored payload of the escalation that opened the incident (its root card's facts), while
   * the store keeps it (retention purges posted items).
   */
  async rootPayload(incident: Incident): Promise<unknown> {
    const [first] = await this.deps.store.listEscalations({ team: incident.team, incidentNumber: incident.number });
    const item = first && (await this.deps.store.getOutboxItem(incident.team, first.outboxId));
    return item?.kind === 'new-thread' ? item.payload : undefined;
  }

  /** Closes an incident: once, with its closing note and (with Sentinel) the Sentinel close enqueued with it. */
  async close(input: CloseInput): Promise<CloseOutcome> {
    const team = incidentTeam(input.tenantId);
    const before = await this.deps.store.getIncident(team, input.number);
    if (!before) return { kind: 'not-found', number: input.number };
    if (before.status === 'closed') return { kind: 'was-closed', incident: before };
    const root = await this.rootPayload(before);
    const closed = await this.deps.store.closeIncident(team, input.number, input.by, {
      reason: input.reason,
      note: input.note,
      messages: (incident) => this.closeMessages(incident, input, root),
    });
    const incident = (await this.deps.store.getIncident(team, input.number))!;
    if (!closed) return { kind: 'was-closed', incident };
    this.deps.notifyOutbox();
    return { kind: 'closed', incident };
  }

  private closeMessages(incident: Incident, input: CloseInput, root: unknown): IncidentFollowUp[] {
    const reason = closeReasonInfo(input.reason)!;
    const at = (incident.closedAt ?? new Date()).toISOString();
    const sentinelUrl = this.sentinelUrl(incident);
    const note: IncidentFollowUp = {
      kind: 'reply',
      target: incident.channel,
      payload: incidentClosedPayload({
        incident: { number: incident.number, title: incident.title },
        by: input.by.name,
        reason: reason.title,
        note: input.note,
        at,
        ...(sentinelUrl ? { sentinelIncidentUrl: sentinelUrl } : {}),
        ...(root === undefined ? {} : { root }),
      }),
    };
    if (!this.deps.sentinel) return [note];
    const sentinel: IncidentFollowUp = {
      kind: 'sentinel',
      target: incident.channel,
      payload: sentinelClosePayload({
        incident: sentinelIncident(incident, input.tenantId),
        reason: input.reason,
        closedBy: { name: input.by.name },
        note: input.note,
      }),
    };
    return [note, sentinel];
  }

  /**
   * Enqueues again the incident's Sentinel calls that failed for good (after the bot's identity was
   * given its role, say); resolves with how many. Repeating it enqueues each call once.
   */
  async retrySentinel(tenantId: string | undefined, number: number): Promise<number> {
    const team = incidentTeam(tenantId);
    const dead = (await this.deps.store.listOutbox({ team, status: 'dead' })).filter((item) => item.kind === 'sentinel' && item.incidentNumber === number);
    let enqueued = 0;
    for (const item of dead) {
      const { created } = await this.deps.store.enqueueOutbox({ key: `retry:${item.id}`, team, kind: 'sentinel', incidentNumber: number, target: item.target, payload: item.payload });
      if (created) enqueued++;
    }
    if (enqueued > 0) this.deps.notifyOutbox();
    return enqueued;
  }
}

/** A HuntOps incident as a Sentinel payload names it. */
export function sentinelIncident(incident: Incident, tenantId: string | undefined) {
  return {
    team: incident.team,
    number: incident.number,
    openedAt: incident.createdAt.toISOString(),
    title: incident.title,
    ...(tenantId ? { tenantId } : {}),
  };
}
