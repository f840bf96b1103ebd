/**
 * Escalations: the Escalate button's inline form and its submission, and `incident channel here`.
 * A submission records the escalation and its post in one step (the store's outbox); the outbox
 * worker posts it into the incident thread. A double click or a retried invoke escalates once.
 */
import { z } from 'zod';
import { describeWindow } from '../hunt/window';
import type { EscalationContext, Hunt, OutboxMessage, Store, StoredFinding } from '../store/store';
import { StoreError } from '../store/store-error';
import { actorOf, type AccessPolicy } from './access';
import type { Auditor } from './audit';
import type { RequestContext } from './context';
import { isoSeconds, type HuntService } from './hunt-service';
import { incidentTeam, type IncidentTarget } from './incident-target';
import { reply, type Reply } from './reply';
import { FINDING, parseActionData } from './action-data';
import { UserError } from './user-error';
import { notice, type EscalateFormView, type EscalationView, type FormSubject } from './views';

/** The longest note and incident title kept. */
export const MAX_NOTE = 2000;
export const MAX_TITLE = 200;

const submitData = z.object({
  ...FINDING,
  note: z.string().max(20_000).optional(),
  incident: z.string().max(20).optional(),
  title: z.string().max(2_000).optional(),
});

/** What escalations need. */
export interface EscalationDeps {
  readonly store: Store;
  readonly hunts: HuntService;
  readonly access: AccessPolicy;
  readonly auditor: Auditor;
  /** The incident channel set by configuration (`HUNT_INCIDENT_CHANNEL`), if any. */
  readonly configuredChannel?: string;
  /** Wakes the outbox worker after an escalation is recorded. */
  readonly notifyOutbox: () => void;
}

const NO_CHANNEL = new UserError(
  'No incident channel is set',
  'In the channel where incidents go, type @HuntOps incident channel here (a responder has to), then escalate again.',
);

/** Escalation handlers. */
export class EscalationService {
  constructor(private readonly deps: EscalationDeps) {}

  /** Escalate clicked: the inline form, for whoever clicked. */
  async form(data: unknown, context: RequestContext): Promise<Reply> {
    const { huntId, row } = parseActionData(z.object(FINDING), data);
    const { finding, page } = await this.deps.hunts.finding(huntId, row);
    this.deps.access.checkResponder(context, 'escalate');
    await this.target(context);
    return reply(await this.formView({ huntId, row, deviceName: finding.deviceName, toolName: this.deps.hunts.toolName(finding.toolId), page }, context));
  }

  /** The form submitted: record the escalation and its post, update the card for everyone. */
  async submit(data: unknown, context: RequestContext): Promise<Reply> {
    const input = parseActionData(submitData, data);
    const { hunt, finding, page } = await this.deps.hunts.finding(input.huntId, input.row);
    this.deps.access.checkResponder(context, 'escalate');
    const subject: FormSubject = { huntId: input.huntId, row: input.row, deviceName: finding.deviceName, toolName: this.deps.hunts.toolName(finding.toolId), page };
    const note = (input.note ?? '').trim();
    const choice = (input.incident ?? 'new').trim();
    const title = (input.title ?? '').trim() || defaultTitle(subject);
    const problem =
      note.length > MAX_NOTE
        ? `Keep the note under ${MAX_NOTE} characters.`
        : title.length > MAX_TITLE
          ? `Keep the incident title under ${MAX_TITLE} characters.`
          : choice !== 'new' && !/^\d{1,9}$/.test(choice)
            ? 'Choose a new incident or one of the open ones.'
            : undefined;
    if (problem) return reply(await this.formView(subject, context, problem));
    const target = await this.target(context);
    const team = incidentTeam(context.conversation.tenantId);
    const by = actorOf(context);
    let result;
    try {
      result = await this.deps.store.escalate({
        key: `escalate:${input.huntId}:${input.row}`,
        team,
        huntId: input.huntId,
        rowKey: input.row,
        note,
        by,
        incident: choice === 'new' ? { kind: 'new', title, channel: target } : { kind: 'existing', number: Number(choice) },
        message: (escalation) => this.message(escalation, { hunt, finding, note, by: by.name, target }),
      });
    } catch (error) {
      if (error instanceof StoreError && (error.code === 'not-found' || error.code === 'conflict')) {
        return reply(await this.formView(subject, context, `Incident ${choice} is not open any more; choose another or a new one.`));
      }
      throw error;
    }
    const { record, created, incident } = result;
    await this.deps.auditor.record(context, 'escalate', {
      escalationId: record.id,
      huntId: input.huntId,
      rowKey: input.row,
      device: finding.deviceName,
      incident: incident.number,
      newIncident: choice === 'new',
      created,
    });
    if (created) this.deps.notifyOutbox();
    const banner = created
      ? { text: `Escalated ${finding.deviceName} to incident ${incident.number}: ${incident.title}. It is being posted in the incident thread.`, tone: 'good' as const }
      : { text: `${finding.deviceName} was already escalated by ${record.by.name} to incident ${record.incidentNumber}.`, tone: 'default' as const };
    return reply(await this.deps.hunts.page(input.huntId, page, banner), () => this.deps.hunts.page(input.huntId, page, banner));
  }

  /** `incident channel here`, typed in the channel where incidents go. */
  async setChannel(words: readonly string[], context: RequestContext): Promise<Reply> {
    if (words.length !== 2 || words[0]!.toLowerCase() !== 'channel' || words[1]!.toLowerCase() !== 'here') {
      throw new UserError('Did you mean incident channel here?', 'Type it in the channel where escalations should be posted.', ['incident channel here']);
    }
    const { channelId } = context.conversation;
    if (context.conversation.kind !== 'channel' || !channelId) {
      throw new UserError('Incidents go to a channel', 'Type @HuntOps incident channel here in the team channel where escalations should be posted.');
    }
    this.deps.access.checkResponder(context, 'escalate');
    const target: IncidentTarget = { reference: context.reference ?? null, channelId };
    await this.deps.store.setIncidentChannel({ team: incidentTeam(context.conversation.tenantId), conversation: target, setBy: actorOf(context) });
    await this.deps.auditor.record(context, 'set-incident-channel', { channelId });
    return reply(notice('Incident channel set', 'Escalations will be posted in this channel: each new incident starts a thread, later escalations reply in it.', { tone: 'good' }));
  }

  /** Where this tenant's escalations go: the channel set in chat, else the configured one. */
  private async target(context: RequestContext): Promise<IncidentTarget> {
    const stored = await this.deps.store.getIncidentChannel(incidentTeam(context.conversation.tenantId));
    if (stored) return stored.conversation as IncidentTarget;
    if (this.deps.configuredChannel) return { reference: context.reference ?? null, channelId: this.deps.configuredChannel };
    throw NO_CHANNEL;
  }

  private async formView(subject: FormSubject, context: RequestContext, error?: string): Promise<EscalateFormView> {
    const open = await this.deps.store.listOpenIncidents(incidentTeam(context.conversation.tenantId));
    return {
      name: 'escalateForm',
      subject,
      incidents: open.map((i) => ({ number: i.number, title: i.title })),
      defaultTitle: defaultTitle(subject),
      ...(error ? { error } : {}),
    };
  }

  /** The escalation card's post: built inside the store's transaction, so it must stay pure. */
  private message(
    escalation: EscalationContext,
    facts: { hunt: Hunt; finding: StoredFinding; note: string; by: string; target: IncidentTarget },
  ): OutboxMessage {
    const { hunt, finding } = facts;
    const view: EscalationView = {
      name: 'escalation',
      incident: { number: escalation.incident.number, title: escalation.incident.title },
      deviceName: finding.deviceName,
      deviceId: finding.deviceId,
      toolName: this.deps.hunts.toolName(finding.toolId),
      windowText: describeWindow({ ms: hunt.request.windowMs }),
      firstSeen: isoSeconds(finding.firstSeen),
      lastSeen: isoSeconds(finding.lastSeen),
      count: finding.count,
      reportIds: finding.reportIds,
      kql: hunt.kql,
      source: hunt.source,
      by: facts.by,
      note: facts.note,
      at: isoSeconds(escalation.at),
    };
    return { target: facts.target, payload: view };
  }

}

function defaultTitle(subject: Pick<FormSubject, 'toolName' | 'deviceName'>): string {
  return `${subject.toolName} on ${subject.deviceName}`;
}
