/**
 * Escalations as views: the inline Escalate form, and the card an outbox item posts into the
 * incident thread (made when it is posted, from the stored payload of any version) — or, for a
 * watch's post, into the watch's conversation.
 */
import { describeWindow } from '../../hunt/window';
import type { Incident } from '../../store/store';
import { readOutboxPayload, type EscalationPayload } from '../payloads/outbox-payload';
import type { EscalateFormView, EscalationView, FormSubject, View } from '../views';
import { isoSeconds } from './format';
import { watchPostView } from './watch-views';

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
  if ('version' in payload) return payload.kind === 'watch-post' ? watchPostView(payload) : escalationView(payload);
  return payload;
}
