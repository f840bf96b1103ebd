/**
 * Escalations as views: the inline Escalate form, and the cards outbox items post into the incident
 * thread (made when they are posted, from the stored payload of any version): the escalation card
 * (on the thread's opening post with Close, or shown closed) with the finding, its evidence summary
 * (payloads of version 2), the note, the first report ids and the query, cut so that the card stays
 * under its size limit whatever was stored; the closing note; the card of a Sentinel call that
 * failed for good — or, for a watch's post, the card posted into the watch's conversation.
 */
import { describeWindow } from '../../hunt/window';
import type { Incident, OutboxKind } from '../../store/store';
import { readOutboxPayload, type EscalationPayload, type IncidentClosedPayload } from '../payloads/outbox-payload';
import type { EscalateFormView, EscalationView, FormSubject, View } from '../views';
import { notice } from '../views';
import { evidenceDisplay } from './evidence-display';
import { plural, shortText, utcText } from './format';
import { watchPostView } from './watch-views';

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
    ...(reportIds.length > shownReports.length ? { moreReports: `and ${(reportIds.length - shownReports.length).toLocaleString('en-US')} more` } : {}),
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
  if (!('version' in payload)) {
    if (payload.name !== 'escalation') return payload;
    const { kql, reportIds, firstSeen, lastSeen, at, ...rest } = payload;
    const query = queryLines(kql);
    const time = (iso: string) => (Number.isNaN(Date.parse(iso)) ? iso : utcText(new Date(iso)));
    return { ...rest, firstSeen: time(firstSeen), lastSeen: time(lastSeen), at: time(at), reportIds: reportIds.slice(0, MAX_REPORT_IDS), kqlLines: query.lines };
  }
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
