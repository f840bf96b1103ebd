/**
 * Escalations as views: the inline Escalate form, and the card an outbox item posts into the
 * incident thread (made when it is posted, from the stored payload of any version): the finding,
 * its evidence summary (payloads of version 2), the note, the first report ids and the query, cut
 * so that the card stays under its size limit whatever was stored.
 */
import { describeWindow } from '../../hunt/window';
import type { Incident } from '../../store/store';
import { readOutboxPayload, type EscalationPayload } from '../payloads/outbox-payload';
import type { EscalateFormView, EscalationView, FormSubject, View } from '../views';
import { evidenceDisplay } from './evidence-display';
import { plural, shortText, utcText } from './format';

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

/** The escalation card of a stored escalation (any version). */
export function escalationView(payload: EscalationPayload): EscalationView {
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
  };
}

/** The view an outbox item posts, or undefined when its payload is not one any version wrote. */
export function outboxView(stored: unknown): View | undefined {
  const payload = readOutboxPayload(stored);
  if (!payload) return undefined;
  if ('version' in payload) return escalationView(payload);
  if (payload.name === 'escalation') {
    const { kql, reportIds, firstSeen, lastSeen, at, ...rest } = payload;
    const query = queryLines(kql);
    const time = (iso: string) => (Number.isNaN(Date.parse(iso)) ? iso : utcText(new Date(iso)));
    return { ...rest, firstSeen: time(firstSeen), lastSeen: time(lastSeen), at: time(at), reportIds: reportIds.slice(0, MAX_REPORT_IDS), kqlLines: query.lines };
  }
  return payload;
}
