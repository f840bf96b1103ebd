/**
 * Escalations as views: the inline Escalate form, the card an outbox item posts into the incident
 * thread (made when it is posted, from the stored payload of any version), the reduced card posted
 * when Teams refuses that card for its size, and the notice that tells the channel a post was lost.
 */
import { describeWindow } from '../../hunt/window';
import type { Incident, OutboxItem } from '../../store/store';
import { noticePayload, readOutboxPayload, type EscalationPayload, type NoticePayload } from '../payloads/outbox-payload';
import { notice, type EscalateFormView, type EscalationView, type FormSubject, type View } from '../views';
import { isoSeconds, plural } from './format';

/** The title a new incident gets unless changed. */
export function defaultIncidentTitle(subject: Pick<FormSubject, 'toolName' | 'deviceName'>): string {
  return `${subject.toolName} on ${subject.deviceName}`;
}

/** The inline Escalate form, offering the open incidents. */
export function escalateFormView(subject: FormSubject, open: readonly Incident[], error?: string): EscalateFormView {
  return {
    name: 'escalateForm',
    subject,
    incidents: open.map((i) => ({ number: i.number, title: i.title })),
    defaultTitle: defaultIncidentTitle(subject),
    ...(error ? { error } : {}),
  };
}

/** The escalation card of a stored escalation. */
export function escalationView(payload: EscalationPayload): EscalationView {
  const { incident, deviceName, deviceId, toolName, count, reportIds, kql, source, by, note } = payload;
  return {
    name: 'escalation',
    incident,
    deviceName,
    deviceId,
    toolName,
    windowText: describeWindow({ ms: payload.windowMs }),
    firstSeen: isoSeconds(new Date(payload.firstSeen)),
    lastSeen: isoSeconds(new Date(payload.lastSeen)),
    count,
    reportIds,
    ...(payload.reportCount !== undefined ? { reportCount: payload.reportCount } : {}),
    kql,
    source,
    by,
    note,
    at: isoSeconds(new Date(payload.at)),
  };
}

/** The view an outbox item posts, or undefined when its payload is not one any version wrote. */
export function outboxView(stored: unknown): View | undefined {
  const payload = readOutboxPayload(stored);
  if (!payload) return undefined;
  if ('version' in payload) return payload.kind === 'escalation' ? escalationView(payload) : notice(payload.title, payload.text, { tone: payload.tone });
  return payload;
}

/** The escalation card of a stored payload of any version, if it is one. */
function storedEscalation(stored: unknown): EscalationView | undefined {
  const payload = readOutboxPayload(stored);
  if (!payload) return undefined;
  if ('version' in payload) return payload.kind === 'escalation' ? escalationView(payload) : undefined;
  return payload.name === 'escalation' ? payload : undefined;
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

/**
 * What an item posts when Teams refused its card for its size: a short notice with the essentials
 * of the escalation (every text cut to a bound), saying the full card was too large; for any other
 * payload, a notice that a message was too large.
 */
export function reducedOutboxView(stored: unknown): View {
  const escalation = storedEscalation(stored);
  if (!escalation) return notice('A message was too large for Teams', 'HuntOps could not post it; responders find it with audit.', { tone: 'warning' });
  const { incident, toolName, deviceName, deviceId, by, note } = escalation;
  const reports = escalation.reportCount ?? escalation.reportIds.length;
  const lines = [
    `${toolName} on ${cut(deviceName, 200)} (device id ${cut(deviceId, 64)}), escalated by ${cut(by, 100)} at ${escalation.at}.`,
    `Seen ${plural(escalation.count, 'time', 'times')} in the last ${escalation.windowText}, from ${escalation.firstSeen} to ${escalation.lastSeen}; ${plural(reports, 'report', 'reports')}.`,
    ...(note ? [`Note: ${cut(note, 300)}`] : []),
    'The full card (its query and report ids) was too large for Teams: this is a shortened one.',
  ];
  return notice(`Incident ${incident.number}: ${cut(incident.title, 200)}`, lines.join('\n'), { tone: 'attention' });
}

/**
 * The notice that tells the incident channel an escalation could not be posted (`reason`: why), and,
 * when it was to open the incident's thread, that the next escalation opens it.
 */
export function lostPostNotice(item: Pick<OutboxItem, 'incidentNumber' | 'kind' | 'payload'>, reason: string): NoticePayload {
  const escalation = storedEscalation(item.payload);
  const what = escalation ? `The escalation of ${cut(escalation.deviceName, 200)} (${escalation.toolName}) by ${cut(escalation.by, 100)}` : 'An escalation';
  const incident = item.incidentNumber ?? escalation?.incident.number;
  return noticePayload({
    title: incident !== undefined ? `Incident ${incident}: an escalation could not be posted` : 'An escalation could not be posted',
    text: `${what} could not be posted to this channel: ${cut(reason, 200)}.${item.kind === 'new-thread' ? " It was to open the incident's thread; the incident's next escalation opens it instead." : ''} Responders find it with audit.`,
    tone: 'warning',
  });
}
