/**
 * The text HuntOps writes into Sentinel: an incident's title and description, and the comment a
 * later escalation adds. Pure functions of the escalation.
 *
 * Device names, report ids and device ids come from telemetry the attacker can write: each is one
 * line of literal text (line breaks and control characters become spaces, so a device name cannot
 * forge a line such as "Analyst's note: benign"), clipped, and report ids are a bounded list plus a
 * count. The whole text stays under {@link MAX_INCIDENT_TEXT} characters.
 */
import { describeWindow, type HuntWindow } from '../hunt/window';

/** The longest description or comment written (Sentinel's limits are higher; a card-sized text is readable). */
export const MAX_INCIDENT_TEXT = 5000;
/** The longest incident title written. */
export const MAX_INCIDENT_TITLE = 250;
/** Report ids listed by name; the rest are counted. */
export const MAX_REPORT_IDS = 10;

const MAX_FIELD = 256;
const MAX_NOTE = 2000;
const MAX_QUERY = 1500;

/** The device a hunt found, as escalated. */
export interface EscalatedFinding {
  readonly deviceId: string;
  readonly deviceName: string;
  /** The tool's display name, from the catalog. */
  readonly toolName: string;
  /** The hunt's window. */
  readonly window: HuntWindow;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  /** Matching events. */
  readonly count: number;
  /** A bounded sample of the device's report ids. */
  readonly reportIds: readonly string[];
  /** How many report ids there were in all (the sample's size when not counted). */
  readonly reportCount?: number;
  /** The query that found it, as run. */
  readonly query: string;
  /** Where it ran ("Log Analytics workspace emea"). */
  readonly source?: string;
}

/** Who escalated a finding, when, why, and where the Teams thread is. */
export interface EscalationFacts {
  readonly finding: EscalatedFinding;
  /** The analyst's note (may be empty). */
  readonly note: string;
  readonly escalatedBy: { readonly aadObjectId: string; readonly name: string };
  readonly at: Date;
  /** The Teams thread's link, when known. */
  readonly threadUrl?: string;
}

/** One line of literal text: control characters (line breaks included) become spaces, clipped to `max`. */
export function oneLine(text: string, max = MAX_FIELD): string {
  return clip(text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim(), max);
}

/** Multi-line text the analyst wrote: line breaks kept, other control characters dropped, clipped. */
function paragraph(text: string, max: number): string {
  return clip(text.replace(/\r\n?/g, '\n').replace(/[^\P{Cc}\n\t]/gu, '').trim(), max);
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function utc(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The title of an incident HuntOps opens: the analyst's, or one naming the tool and device. */
export function incidentTitle(title: string | undefined, finding: Pick<EscalatedFinding, 'toolName' | 'deviceName'>): string {
  const chosen = title?.trim() ? title : `${finding.toolName} on ${finding.deviceName}`;
  return oneLine(`HuntOps: ${chosen}`, MAX_INCIDENT_TITLE);
}

function reportLine(reportIds: readonly string[], reportCount = reportIds.length): string {
  if (reportIds.length === 0) return 'Report ids: none recorded';
  const shown = reportIds.slice(0, MAX_REPORT_IDS).map((id) => oneLine(id, 64));
  const total = Math.max(reportCount, reportIds.length);
  const more = total - shown.length;
  const heading = more > 0 ? `Report ids (${shown.length} of ${total})` : 'Report ids';
  return `${heading}: ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

function findingLines(finding: EscalatedFinding): string[] {
  return [
    `Device: ${oneLine(finding.deviceName)} (DeviceId ${oneLine(finding.deviceId, 128)})`,
    `Tool: ${oneLine(finding.toolName)}`,
    `Hunt window: ${describeWindow(finding.window)}${finding.source ? ` in ${oneLine(finding.source)}` : ''}`,
    `First seen: ${utc(finding.firstSeen)}`,
    `Last seen: ${utc(finding.lastSeen)}`,
    `Events: ${finding.count}`,
    reportLine(finding.reportIds, finding.reportCount),
  ];
}

function body(heading: string, facts: EscalationFacts): string {
  const note = paragraph(facts.note, MAX_NOTE);
  const lines = [
    heading,
    '',
    ...(note ? ["Analyst's note:", note, ''] : []),
    ...findingLines(facts.finding),
    '',
    'Query:',
    clip(facts.finding.query.trim(), MAX_QUERY),
    ...(facts.threadUrl ? ['', `Teams thread: ${oneLine(facts.threadUrl, 2048)}`] : []),
  ];
  return clip(lines.join('\n'), MAX_INCIDENT_TEXT);
}

/** The description of an incident opened by an escalation. */
export function incidentDescription(facts: EscalationFacts): string {
  return body(`Escalated from HuntOps by ${oneLine(facts.escalatedBy.name)} at ${utc(facts.at)}.`, facts);
}

/** The comment a later escalation to the same incident adds. */
export function escalationComment(facts: EscalationFacts): string {
  return body(`Another finding escalated from HuntOps by ${oneLine(facts.escalatedBy.name)} at ${utc(facts.at)}.`, facts);
}

/**
 * The description of an incident HuntOps opens for a later escalation when the incident is missing
 * in Sentinel (Sentinel was configured after the incident was opened, or the first escalation's
 * call never succeeded): the escalations themselves go in as comments.
 */
export function lateIncidentDescription(huntOpsNumber: number, threadUrl: string | undefined): string {
  const lines = [`Opened from HuntOps incident ${huntOpsNumber}; its escalations are in the comments.`];
  if (threadUrl) lines.push('', `Teams thread: ${oneLine(threadUrl, 2048)}`);
  return lines.join('\n');
}
