/**
 * View models: everything a card (or the CLI's text) shows, as plain data. `src/cards/` turns a
 * view into an Adaptive Card from the template of the same name in the top-level `cards/` folder.
 */
import type { BackendFailure } from '../backends/backend';

/** Colour of a notice, in Adaptive Card terms. */
export type Tone = 'default' | 'good' | 'warning' | 'attention' | 'accent';

/** A short answer: a confirmation, a user error with a hint, a refusal. */
export interface NoticeView {
  readonly name: 'notice';
  readonly title: string;
  readonly text: string;
  readonly tone: Tone;
  /** Usage lines of the command concerned, shown monospaced. */
  readonly usage?: readonly string[];
}

/** One line of help. */
export interface HelpEntry {
  readonly usage: string;
  readonly summary: string;
  readonly example: string;
}

/** The command list, generated from the command table. */
export interface HelpView {
  readonly name: 'help';
  readonly commands: readonly HelpEntry[];
  readonly windows: string;
}

/** One tool of the catalog listing. */
export interface ToolEntry {
  readonly id: string;
  readonly name: string;
  readonly aliases: readonly string[];
  /** Which hunts it has: `file signature`, `process`, `network`. */
  readonly hunts: readonly string[];
}

/** A page of the catalog. */
export interface ToolsView {
  readonly name: 'tools';
  readonly tools: readonly ToolEntry[];
  /** The words the tools were filtered by (`tools screen`); empty for the whole catalog. */
  readonly filter: string;
  readonly page: number;
  readonly pageCount: number;
  readonly total: number;
}

/** What every hunt card says about its hunt. */
export interface HuntHeader {
  /** What was hunted: "Kaseya", "AnyDesk network connections", "All RMM tools", a rule's name. */
  readonly subject: string;
  /** "5 days". */
  readonly windowText: string;
  readonly device?: string;
  /** Where it ran: "sample data", "Log Analytics workspace emea". */
  readonly source: string;
}

/** A line above a result: a warning about it, the outcome of a click. */
export interface Note {
  readonly text: string;
  readonly tone: Tone;
}

/** The same query in the service's portal. */
export interface PortalLinkView {
  readonly title: string;
  readonly url: string;
}

/** The hunt is on its way. */
export interface HuntProgressView {
  readonly name: 'huntProgress';
  readonly header: HuntHeader;
  readonly state: 'running' | 'queued';
}

/** One device of a result. */
export interface FindingRow {
  /** The row's key: with the hunt id, what a button's data carries (`row`). */
  readonly row: string;
  readonly deviceId: string;
  readonly deviceName: string;
  /** ISO 8601 UTC, no fraction. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
  /** What has been decided about this device on this card. */
  readonly state?: RowState;
  /** Short facts about the device shown under its name ("Sanctioned", "Unsanctioned instance: …"). */
  readonly marks?: readonly RowMark[];
}

/** A short fact about a row, shown with it. */
export interface RowMark {
  readonly text: string;
  readonly tone: Tone;
}

/** A decision shown on a result row. */
export interface RowState {
  /** Excluded rows lose their buttons; escalated ones keep Exclude. */
  readonly kind: 'excluded' | 'escalated';
  /** "Excluded by Ada Analyst: IT admin workstation" / "Escalated by Ada Analyst → incident 3". */
  readonly text: string;
}

/** Rows of one tool (titled in the all-tools hunt). */
export interface ResultGroup {
  readonly title?: string;
  readonly rows: readonly FindingRow[];
}

/** A page of a hunt's devices. */
export interface HuntResultView {
  readonly name: 'huntResult';
  readonly huntId: string;
  readonly header: HuntHeader;
  /** The card's first line instead of "<subject>: N devices" (a watch's post: "Kaseya: 2 new devices."). */
  readonly title?: string;
  /** Devices on the card (all pages). */
  readonly deviceCount: number;
  /** How long the query took; absent when the card does not show one query's result (a watch's post). */
  readonly queryMs?: number;
  readonly groups: readonly ResultGroup[];
  /** 1-based. */
  readonly page: number;
  readonly pageCount: number;
  /** Warnings and outcomes, in order. */
  readonly notes: readonly Note[];
  readonly portal?: PortalLinkView;
}

/** A hunt that found nothing (or nothing that is not excluded). */
export interface HuntEmptyView {
  readonly name: 'huntEmpty';
  readonly header: HuntHeader;
  readonly queryMs: number;
  readonly notes: readonly Note[];
  readonly portal?: PortalLinkView;
}

/** A hunt the backend could not answer. */
export interface HuntFailedView {
  readonly name: 'huntFailed';
  readonly header: HuntHeader;
  readonly failure: BackendFailure | 'internal' | 'interrupted';
  readonly message: string;
  readonly portal?: PortalLinkView;
}

/** One tool seen on a device. */
export interface CheckRow {
  readonly toolName: string;
  /** "file signature, process". */
  readonly evidence: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
  /** "Excluded by Ada: IT admin workstation". */
  readonly excluded?: string;
  /** "Sanctioned", "Unsanctioned instance: rmm-7731.kaseya.net". */
  readonly marks?: readonly RowMark[];
}

/** `check <device>`: which RMM tools were seen on one device. */
export interface DeviceCheckView {
  readonly name: 'deviceCheck';
  readonly header: HuntHeader;
  readonly queryMs: number;
  readonly tools: readonly CheckRow[];
  readonly notes: readonly Note[];
  readonly portal?: PortalLinkView;
}

/** One loaded rule. */
export interface RuleEntry {
  readonly id: string;
  readonly name: string;
  readonly tables: string;
}

/** `rules [page]`: the rules of `HUNT_RULES_DIR`, and what could not be read. */
export interface RulesView {
  readonly name: 'rules';
  readonly rules: readonly RuleEntry[];
  readonly problems: readonly string[];
  readonly page: number;
  readonly pageCount: number;
  readonly total: number;
  readonly configured: boolean;
}

/** The finding a triage form is about. */
export interface FormSubject {
  readonly huntId: string;
  /** The finding's row key. */
  readonly row: string;
  readonly deviceName: string;
  readonly toolName: string;
  /** The result page to go back to. */
  readonly page: number;
}

/** The inline Exclude form. */
export interface ExcludeFormView {
  readonly name: 'excludeForm';
  readonly subject: FormSubject;
  /** Why the last submission was refused, shown above the form. */
  readonly error?: string;
}

/** The inline Escalate form. */
export interface EscalateFormView {
  readonly name: 'escalateForm';
  readonly subject: FormSubject;
  /** Open incidents to add the finding to. */
  readonly incidents: ReadonlyArray<{ readonly number: number; readonly title: string }>;
  /** The title a new incident gets unless changed. */
  readonly defaultTitle: string;
  /** With Microsoft Sentinel: the severities a new incident can have there, and the default. */
  readonly sentinel?: { readonly severities: readonly string[]; readonly defaultSeverity: string };
  readonly error?: string;
}

/** One active exclusion. */
export interface ExclusionEntry {
  readonly id: string;
  readonly pattern: string;
  /** "Kaseya hunts" / "every RMM tool". */
  readonly scope: string;
  readonly reason: string;
  readonly by: string;
  /** ISO 8601 UTC without fraction. */
  readonly createdAt: string;
  /** ISO 8601 UTC without fraction; absent when it never expires. */
  readonly expiresAt?: string;
}

/** A page of the active exclusions, each with Remove. */
export interface ExclusionsView {
  readonly name: 'exclusions';
  readonly exclusions: readonly ExclusionEntry[];
  readonly page: number;
  readonly pageCount: number;
  readonly total: number;
  readonly notes: readonly Note[];
}

/** The card an escalation posts into the incident thread. */
export interface EscalationView {
  readonly name: 'escalation';
  readonly incident: { readonly number: number; readonly title: string };
  readonly deviceName: string;
  readonly deviceId: string;
  readonly toolName: string;
  readonly windowText: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
  readonly reportIds: readonly string[];
  readonly kql: string;
  readonly source: string;
  readonly by: string;
  readonly note: string;
  readonly at: string;
  /** The incident in Microsoft Sentinel, when HuntOps writes incidents there. */
  readonly sentinelUrl?: string;
  /** On the incident's root card (the thread's opening post): Close while it is open. */
  readonly closeable?: boolean;
  /** On the root card of a closed incident: who closed it, when and why. */
  readonly closed?: string;
}

/** One open incident. */
export interface IncidentEntry {
  readonly number: number;
  readonly title: string;
  /** Escalations in it. */
  readonly findings: number;
  readonly openedBy: string;
  /** ISO 8601 UTC without fraction. */
  readonly openedAt: string;
  /** How long it has been open: "3 days", "5 hours", "less than a minute". */
  readonly age: string;
  /** The incident in Microsoft Sentinel, when HuntOps writes incidents there. */
  readonly sentinelUrl?: string;
}

/** `incidents [page]`: the open incidents, each with Close. */
export interface IncidentsView {
  readonly name: 'incidents';
  readonly incidents: readonly IncidentEntry[];
  readonly page: number;
  readonly pageCount: number;
  readonly total: number;
  readonly notes: readonly Note[];
}

/** One reason an incident can be closed for. */
export interface CloseReasonChoice {
  readonly value: string;
  readonly title: string;
  readonly description: string;
}

/** The inline Close form: a reason (required) and a note. */
export interface CloseIncidentFormView {
  readonly name: 'closeIncidentForm';
  readonly incident: { readonly number: number; readonly title: string };
  readonly reasons: readonly CloseReasonChoice[];
  /** Where the form was opened: the incidents card (its page) or the incident's root card. */
  readonly from: { readonly kind: 'list'; readonly page: number } | { readonly kind: 'root' };
  /** True when the close goes to Microsoft Sentinel too (the form says so). */
  readonly sentinel: boolean;
  readonly error?: string;
}

/** A Sentinel call for an incident failed for good: what happened, and Retry once it is fixed. */
export interface SentinelRefusedView {
  readonly name: 'sentinelRefused';
  readonly incident: { readonly number: number; readonly title: string };
  /** What Sentinel said, and what to do (the role the bot's identity needs). */
  readonly message: string;
}

/** What `exclusions sync` found and did. */
export interface ExclusionsSyncView {
  readonly name: 'exclusionsSync';
  readonly watchlist: string;
  readonly workspace: string;
  /** Counts by what was found, in order: "Added (never written)" → 2. */
  readonly counts: ReadonlyArray<{ readonly title: string; readonly value: string }>;
  /** Sections of examples, each a bounded list ("and N more"). */
  readonly sections: ReadonlyArray<{ readonly title: string; readonly lines: readonly string[] }>;
  /** True when items deleted in Sentinel can be written again (the Add again button). */
  readonly canRestore: boolean;
  readonly notes: readonly Note[];
}

/** One active watch. */
export interface WatchEntry {
  /** Its number in the tenant (`unwatch <id>`). */
  readonly id: number;
  /** What it hunts: "Kaseya", "All RMM tools". */
  readonly subject: string;
  /** The hunt as typed: `kaseya net 5d device WS-1`. */
  readonly hunt: string;
  /** "15 minutes". */
  readonly every: string;
  /** Where it posts: "here", "a channel", "a group chat", "a personal chat". */
  readonly where: string;
  readonly by: string;
  /** ISO 8601 UTC without fraction. */
  readonly createdAt: string;
  /** When the last run finished; absent before the first. */
  readonly lastRun?: string;
  /** What the last run found: "Baseline: 4 devices", "2 new devices", "Failed: …"; absent before the first. */
  readonly lastResult?: string;
  readonly lastResultTone: Tone;
  /** When the next run is due. */
  readonly nextRun: string;
}

/** A page of the tenant's active watches, each with Stop. */
export interface WatchesView {
  readonly name: 'watches';
  readonly watches: readonly WatchEntry[];
  readonly page: number;
  readonly pageCount: number;
  readonly total: number;
  readonly notes: readonly Note[];
}

/** One sanctioned tool. */
export interface SanctionEntry {
  readonly toolName: string;
  /** "vsa.contoso.com, managedsupport.kaseya.net" (a few, then "and N more"), or "any instance". */
  readonly instances: string;
  readonly reason: string;
  readonly by: string;
  /** ISO 8601 UTC without fraction. */
  readonly at: string;
}

/** A page of the tenant's sanctioned tools. */
export interface SanctionsView {
  readonly name: 'sanctions';
  readonly sanctions: readonly SanctionEntry[];
  readonly page: number;
  readonly pageCount: number;
  readonly total: number;
  readonly notes: readonly Note[];
}

/** One audit entry. */
export interface AuditRow {
  readonly at: string;
  readonly who: string;
  readonly action: string;
  readonly outcome: 'ok' | 'refused' | 'failed';
  readonly what: string;
  readonly where: string;
}

/** The latest audit entries. */
export interface AuditView {
  readonly name: 'audit';
  readonly entries: readonly AuditRow[];
}

/** Every view. */
export type View =
  | NoticeView
  | HelpView
  | ToolsView
  | HuntProgressView
  | HuntResultView
  | HuntEmptyView
  | HuntFailedView
  | DeviceCheckView
  | RulesView
  | ExcludeFormView
  | EscalateFormView
  | ExclusionsView
  | EscalationView
  | WatchesView
  | SanctionsView
  | IncidentsView
  | CloseIncidentFormView
  | SentinelRefusedView
  | ExclusionsSyncView
  | AuditView;

/** Shorthand for a notice. */
export function notice(title: string, text: string, options: { tone?: Tone; usage?: readonly string[] } = {}): NoticeView {
  return { name: 'notice', title, text, tone: options.tone ?? 'default', ...(options.usage ? { usage: options.usage } : {}) };
}
