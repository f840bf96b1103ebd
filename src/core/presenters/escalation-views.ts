/**
/**
 * Escalations as views: the inline Escalate form, and the cards outbox items post into the incident
 * thread (made when they are posted, from the stored payload of any version): the escalation card
 * (on the thread's opening post with Close, or shown closed), the closing note, the card of a
 * Sentinel call that failed for good — or, for a watch's post, the card posted into the watch's
 * conversation; the reduced card posted when Teams refuses one for its size, and the notice that
 * tells the incident channel a post was lost.
 */
import { describeWindow } from '../../hunt/window';
import type { Incident, OutboxItem, OutboxKind } from '../../store/store';
import { noticePayload, readOutboxPayload, type EscalationPayload, type IncidentClosedPayload, type NoticePayload, type OutboxPayload } from '../payloads/outbox-payload';
import type { EscalateFormView, EscalationView, FormSubject, View } from '../views';
import { notice } from '../views';
import { isoSeconds, plural } from './format';
import { watchPostHeadline, watchPostView } from './watch-views';

/** The title a new incident gets unless changed. */
export function defaultIncidentTitle(subject: Pick<FormSubject, 'toolName' | 'deviceName'>): string {
  return `${subject.toolName} on ${subject.deviceName}`;
}

/** Sentinel's incident severities, as the Escalate form offers them, and the default. */
export const SEVERITIES = ['High', 'Medium', 'Low', 'Informational'] as const;
export const DEFAULT_SEVERITY = 'Medium';

/** The inline Escalate form, offering the open incidents (and, with Sentinel, a severity). */
export function escalateFormView(subject: FormSubject, open: readonly Incident[], options: { readonly sentinel: boolean; readonly error?: string }): EscalateFormView {
  return {
    name: 'escalateForm',
    subject,
    incidents: open.map((i) => ({ number: i.number, title: i.title })),
    defaultTitle: defaultIncidentTitle(subject),
    ...(options.sentinel ? { sentinel: { severities: SEVERITIES, defaultSeverity: DEFAULT_SEVERITY } } : {}),
    ...(options.error ? { error: options.error } : {}),
  };
}

/** Where an escalation card stands: a reply, the open incident's root card (with Close), or its root card once closed. */
export type RootState = { readonly kind: 'reply' } | { readonly kind: 'open' } | { readonly kind: 'closed'; readonly text: string };

/** "Closed by Ada Analyst at 2026-11-29T12:00:00Z: Expected IT activity. IT confirmed it." */
export function closedText(closed: { readonly by: string; readonly at: Date; readonly reason: string; readonly note: string }): string {
  return `Closed by ${closed.by} at ${isoSeconds(closed.at)}: ${closed.reason}.${closed.note ? ` ${closed.note}` : ''}`;
}

/** The escalation card of a stored escalation. */
export function escalationView(payload: EscalationPayload, root: RootState = { kind: 'reply' }): EscalationView {
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
    ...(payload.sentinelIncidentUrl ? { sentinelUrl: payload.sentinelIncidentUrl } : {}),
    ...(root.kind === 'open' ? { closeable: true } : {}),
    ...(root.kind === 'closed' ? { closed: root.text } : {}),
  };
}

/** The root card of an incident from its opening escalation's stored payload, or undefined when it is not one this version reads. */
export function rootCardView(stored: unknown, root: Exclude<RootState, { kind: 'reply' }>): EscalationView | undefined {
  const payload = readOutboxPayload(stored);
  return payload && 'version' in payload && payload.kind === 'escalation' ? escalationView(payload, root) : undefined;
}

function closedNoteView(payload: IncidentClosedPayload): View {
  const { incident, by, reason, note } = payload;
  return notice(`Incident ${incident.number} closed: ${incident.title}`, closedText({ by, at: new Date(payload.at), reason, note }), { tone: 'good' });
}

/**
 * The view an outbox item posts, or undefined when its payload is not one any version wrote. An
 * escalation that starts the thread (`new-thread`) is the incident's root card, with Close.
 */
export function outboxView(stored: unknown, kind: OutboxKind = 'reply'): View | undefined {
  const payload = readOutboxPayload(stored);
  if (!payload) return undefined;
  if (!('version' in payload)) return payload;
  switch (payload.kind) {
    case 'watch-post':
      return watchPostView(payload);
    case 'escalation':
      return escalationView(payload, kind === 'new-thread' ? { kind: 'open' } : { kind: 'reply' });
    case 'incident-closed':
      return closedNoteView(payload);
    case 'sentinel-refused':
      return { name: 'sentinelRefused', incident: payload.incident, message: payload.message };
    case 'notice':
      return notice(payload.title, payload.text, { tone: payload.tone });
  }
}

/** For an incident's closing note: its root card as it now is (closed), when the note carries the opening escalation. */
export function closedRootView(stored: unknown): View | undefined {
  const payload = closingNote(stored);
  if (!payload || payload.root === undefined) return undefined;
  const { by, reason, note } = payload;
  return rootCardView(payload.root, { kind: 'closed', text: closedText({ by, at: new Date(payload.at), reason, note }) });
}

function closingNote(stored: unknown): IncidentClosedPayload | undefined {
  const payload = readOutboxPayload(stored);
  return payload && 'version' in payload && payload.kind === 'incident-closed' ? payload : undefined;
}

/** The escalation card of a stored payload of any version, if it is one. */
function storedEscalation(payload: OutboxPayload | undefined): EscalationView | undefined {
  if (!payload) return undefined;
  if ('version' in payload) return payload.kind === 'escalation' ? escalationView(payload) : undefined;
  return payload.name === 'escalation' ? payload : undefined;
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

const SHORTENED = 'was too large for Teams: this is a shortened one.';

/** The reduced card of an escalation: its essentials, every text cut to a bound. */
function reducedEscalation(escalation: EscalationView, closed?: string): View {
  const { incident, toolName, deviceName, deviceId, by, note } = escalation;
  const reports = escalation.reportCount ?? escalation.reportIds.length;
  const lines = [
    `${toolName} on ${cut(deviceName, 200)} (device id ${cut(deviceId, 64)}), escalated by ${cut(by, 100)} at ${escalation.at}.`,
    `Seen ${plural(escalation.count, 'time', 'times')} in the last ${escalation.windowText}, from ${escalation.firstSeen} to ${escalation.lastSeen}; ${plural(reports, 'report', 'reports')}.`,
    ...(note ? [`Note: ${cut(note, 300)}`] : []),
    ...(closed ? [cut(closed, 500)] : []),
    `The full card (its query and report ids) ${SHORTENED}`,
  ];
  return notice(`Incident ${incident.number}: ${cut(incident.title, 200)}`, lines.join('\n'), { tone: closed ? 'good' : 'attention' });
}

/**
 * What an item posts when Teams refused its card for its size: a short notice with the essentials
 * (every text cut to a bound), saying the full card was too large — of an escalation, a watch's post
 * (its headline; the devices stay in its hunt), a closing note; for any other payload, a notice that
 * a message was too large.
 */
export function reducedOutboxView(stored: unknown): View {
  const payload = readOutboxPayload(stored);
  const escalation = storedEscalation(payload);
  if (escalation) return reducedEscalation(escalation);
  if (payload && 'version' in payload && payload.kind === 'watch-post') {
    const { watch } = payload;
    return notice(
      cut(watchPostHeadline(payload), 300),
      `Watch ${watch.id}, set by ${cut(watch.createdBy, 100)}. The full card (its devices) ${SHORTENED} Type watches to list the watches, unwatch ${watch.id} to stop this one.`,
      { tone: 'warning' },
    );
  }
  const closing = payload && 'version' in payload && payload.kind === 'incident-closed' ? payload : undefined;
  if (closing) {
    const text = closedText({ by: cut(closing.by, 100), at: new Date(closing.at), reason: closing.reason, note: cut(closing.note, 300) });
    return notice(`Incident ${closing.incident.number} closed: ${cut(closing.incident.title, 200)}`, `${text}\nThe full note ${SHORTENED}`, { tone: 'good' });
  }
  return notice('A message was too large for Teams', 'HuntOps could not post it; responders find it with audit.', { tone: 'warning' });
}

/** For a closing note posted reduced: its root card, reduced and shown closed, when the note carries the opening escalation. */
export function reducedClosedRootView(stored: unknown): View | undefined {
  const payload = closingNote(stored);
  const escalation = payload?.root !== undefined ? storedEscalation(readOutboxPayload(payload.root)) : undefined;
  if (!payload || !escalation) return undefined;
  const { by, reason, note } = payload;
  return reducedEscalation(escalation, closedText({ by, at: new Date(payload.at), reason, note }));
}

/** What a lost post was, as the notice about it names it. */
function lostWhat(payload: OutboxPayload | undefined): { readonly what: string; readonly noun: string } {
  const escalation = storedEscalation(payload);
  if (escalation) return { what: `The escalation of ${cut(escalation.deviceName, 200)} (${escalation.toolName}) by ${cut(escalation.by, 100)}`, noun: 'an escalation' };
  if (payload && 'version' in payload && payload.kind === 'incident-closed') return { what: `The closing note by ${cut(payload.by, 100)}`, noun: 'its closing note' };
  if (payload && 'version' in payload && payload.kind === 'sentinel-refused') return { what: 'The card about a failed Microsoft Sentinel call', noun: 'a message' };
  return { what: 'A message', noun: 'a message' };
}

/**
 * The notice that tells the incident channel a post of an incident could not be posted (`reason`:
 * why), and, when it was to open the incident's thread, that the next escalation opens it.
 */
export function lostPostNotice(item: Pick<OutboxItem, 'incidentNumber' | 'kind' | 'payload'>, reason: string): NoticePayload {
  const payload = readOutboxPayload(item.payload);
  const { what, noun } = lostWhat(payload);
  const incident = item.incidentNumber ?? storedEscalation(payload)?.incident.number;
  return noticePayload({
    title: incident !== undefined ? `Incident ${incident}: ${noun} could not be posted` : `${noun[0]!.toUpperCase()}${noun.slice(1)} could not be posted`,
    text: `${what} could not be posted to this channel: ${cut(reason, 200)}.${item.kind === 'new-thread' ? " It was to open the incident's thread; the incident's next escalation opens it instead." : ''} Responders find it with audit.`,
    tone: 'warning',
  });
}
