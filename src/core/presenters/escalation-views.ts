/**
 * Escalations as views: the inline Escalate form, and the cards outbox items post into the incident
 * thread (made when they are posted, from the stored payload of any version): the escalation card
 * (on the thread's opening post with Close, or shown closed), the closing note, the card of a
 * Sentinel call that failed for good — or, for a watch's post, the card posted into the watch's
 * conversation.
 */
import { describeWindow } from '../../hunt/window';
import type { Incident, OutboxKind } from '../../store/store';
import { readOutboxPayload, type EscalationPayload, type IncidentClosedPayload } from '../payloads/outbox-payload';
import type { EscalateFormView, EscalationView, FormSubject, View } from '../views';
import { notice } from '../views';
import { isoSeconds } from './format';
import { watchPostView } from './watch-views';

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
  }
}

/** For an incident's closing note: its root card as it now is (closed), when the note carries the opening escalation. */
export function closedRootView(stored: unknown): View | undefined {
  const payload = readOutboxPayload(stored);
  if (!payload || !('version' in payload) || payload.kind !== 'incident-closed' || payload.root === undefined) return undefined;
  const { by, reason, note } = payload;
  return rootCardView(payload.root, { kind: 'closed', text: closedText({ by, at: new Date(payload.at), reason, note }) });
}
