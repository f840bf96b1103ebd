/**
/**
 * Escalations as views: the inline Escalate form, and the cards outbox items post into the incident
 * thread (made when they are posted, from the stored payload of any version): the escalation card
 * (on the thread's opening post with Close, or shown closed) with the finding, its evidence summary
 * (payloads of version 2), the note, the first report ids and the query, cut so that the card stays
 * under its size limit whatever was stored; the closing note; the card of a Sentinel call that
 * failed for good — or, for a watch's post, the card posted into the watch's conversation;
 * the reduced card posted when Teams refuses one for its size, and the notice that tells the
 * incident channel a post was lost.
 */
import { describeWindow } from '../../hunt/window';
import type { Incident, OutboxItem, OutboxKind } from '../../store/store';
import { noticePayload, readOutboxPayload, type EscalationPayload, type IncidentClosedPayload, type NoticePayload, type OutboxPayload } from '../payloads/outbox-payload';
import type { EscalateFormView, EscalationView, FormSubject, View } from '../views';
import { notice } from '../views';
import { evidenceDisplay } from './evidence-display';
import { plural, shortText, utcText } from './format';
import { watchPostHeadline, watchPostView } from './watch-views';

/** Report ids an escalation card lists (the rest are counted). */
export const MAX_REPORT_IDS = 20;
/** Characters of the query an escalation card shows (a whole-catalog hunt's query runs to 13,000). */
export const MAX_KQL_SHOWN = 1_500;
/** The longest line of the query shown. */
const MAX_KQL_LINE = 400;

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

/** The query's lines as far as they fit, and how many were left out. */
function queryLines(kql: string): { lines: string[]; more: number } {
  const all = kql.split('\n');
  const lines: string[] = [];
  let used = 0;
  for (const line of all) {
    const shown = shortText(line, MAX_KQL_LINE);
    if (used + shown.length > MAX_KQL_SHOWN) break;
    lines.push(shown);
    used += shown.length + 1;
  }
  return { lines, more: all.length - lines.length };
}

/** Where an escalation card stands: a reply, the open incident's root card (with Close), or its root card once closed. */
export type RootState = { readonly kind: 'reply' } | { readonly kind: 'open' } | { readonly kind: 'closed'; readonly text: string };

/** "Closed by Ada Analyst at 2026-11-29 12:00 UTC: Expected IT activity. IT confirmed it." */
export function closedText(closed: { readonly by: string; readonly at: Date; readonly reason: string; readonly note: string }): string {
  return `Closed by ${closed.by} at ${utcText(closed.at)}: ${closed.reason}.${closed.note ? ` ${closed.note}` : ''}`;
}

/** The escalation card of a stored escalation (any version). */
export function escalationView(payload: EscalationPayload, root: RootState = { kind: 'reply' }): EscalationView {
  const { incident, deviceName, deviceId, toolName, count, reportIds, source, by, note } = payload;
  const at = new Date(payload.at);
  const query = queryLines(payload.kql);
  const shownReports = reportIds.slice(0, MAX_REPORT_IDS).map((id) => shortText(id, 80));
  const reportTotal = Math.max(payload.reportCount ?? 0, reportIds.length);
  const evidence = payload.version === 2 ? payload.evidence : undefined;
  return {
    name: 'escalation',
    incident,
    deviceName,
    deviceId,
    toolName,
    windowText: describeWindow({ ms: payload.windowMs }),
    firstSeen: utcText(new Date(payload.firstSeen)),
    lastSeen: utcText(new Date(payload.lastSeen)),
    count,
    reportIds: shownReports,
    reportCount: reportTotal,
    ...(reportTotal > shownReports.length ? { moreReports: `and ${(reportTotal - shownReports.length).toLocaleString('en-US')} more` } : {}),
    kqlLines: query.lines,
    ...(query.more > 0 ? { kqlMore: `and ${plural(query.more, 'more line', 'more lines')} of the query (Details and the hunt's portal link have it whole)` } : {}),
    source,
    by,
    note,
    at: utcText(at),
    ...(evidence && 'facts' in evidence ? { evidence: evidenceDisplay(evidence.facts, at) } : {}),
    ...(evidence && 'missing' in evidence ? { evidenceMissing: evidence.missing } : {}),
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
  if (!('version' in payload)) return payload.name === 'escalation' ? legacyEscalationView(payload) : payload;
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

/** The escalation card of an item the first release stored (the card's view itself, of that release's shape). */
function legacyEscalationView(payload: Extract<OutboxPayload, { name: 'escalation' }>): EscalationView {
  const { kql, reportIds, firstSeen, lastSeen, at, ...rest } = payload;
  const time = (iso: string) => (Number.isNaN(Date.parse(iso)) ? iso : utcText(new Date(iso)));
  return { ...rest, firstSeen: time(firstSeen), lastSeen: time(lastSeen), at: time(at), reportIds: reportIds.slice(0, MAX_REPORT_IDS), reportCount: reportIds.length, kqlLines: queryLines(kql).lines };
}

/** The escalation card of a stored payload of any version, if it is one. */
function storedEscalation(payload: OutboxPayload | undefined): EscalationView | undefined {
  if (!payload) return undefined;
  if ('version' in payload) return payload.kind === 'escalation' ? escalationView(payload) : undefined;
  return payload.name === 'escalation' ? legacyEscalationView(payload) : undefined;
}


const SHORTENED = 'was too large for Teams: this is a shortened one.';

/** The reduced card of an escalation: its essentials, every text cut to a bound. */
function reducedEscalation(escalation: EscalationView, closed?: string): View {
  const { incident, toolName, deviceName, deviceId, by, note } = escalation;
  const reports = escalation.reportCount;
  const lines = [
    `${toolName} on ${shortText(deviceName, 200)} (device id ${shortText(deviceId, 64)}), escalated by ${shortText(by, 100)} at ${escalation.at}.`,
    `Seen ${plural(escalation.count, 'time', 'times')} in the last ${escalation.windowText}, from ${escalation.firstSeen} to ${escalation.lastSeen}; ${plural(reports, 'report', 'reports')}.`,
    ...(note ? [`Note: ${shortText(note, 300)}`] : []),
    ...(closed ? [shortText(closed, 500)] : []),
    `The full card (its query and report ids) ${SHORTENED}`,
  ];
  return notice(`Incident ${incident.number}: ${shortText(incident.title, 200)}`, lines.join('\n'), { tone: closed ? 'good' : 'attention' });
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
      shortText(watchPostHeadline(payload), 300),
      `Watch ${watch.id}, set by ${shortText(watch.createdBy, 100)}. The full card (its devices) ${SHORTENED} Type watches to list the watches, unwatch ${watch.id} to stop this one.`,
      { tone: 'warning' },
    );
  }
  const closing = payload && 'version' in payload && payload.kind === 'incident-closed' ? payload : undefined;
  if (closing) {
    const text = closedText({ by: shortText(closing.by, 100), at: new Date(closing.at), reason: closing.reason, note: shortText(closing.note, 300) });
    return notice(`Incident ${closing.incident.number} closed: ${shortText(closing.incident.title, 200)}`, `${text}\nThe full note ${SHORTENED}`, { tone: 'good' });
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
  if (escalation) return { what: `The escalation of ${shortText(escalation.deviceName, 200)} (${escalation.toolName}) by ${shortText(escalation.by, 100)}`, noun: 'an escalation' };
  if (payload && 'version' in payload && payload.kind === 'incident-closed') return { what: `The closing note by ${shortText(payload.by, 100)}`, noun: 'its closing note' };
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
    text: `${what} could not be posted to this channel: ${shortText(reason, 200)}.${item.kind === 'new-thread' ? " It was to open the incident's thread; the incident's next escalation opens it instead." : ''} Responders find it with audit.`,
    tone: 'warning',
  });
}
