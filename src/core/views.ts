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
  /** Devices on the card (all pages). */
  readonly deviceCount: number;
  readonly queryMs: number;
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
  readonly error?: string;
}

/** One active exclusion. */
export interface ExclusionEntry {
  readonly id: string;
  /** What it binds: one device (by id), or the devices a typed name pattern covers. */
  readonly kind: 'device' | 'pattern';
  /** "Pattern IT-ADM-*", "Device ws-fin-014 (id 3f9a0c1d…)": what the list shows. */
  readonly label: string;
  /** The pattern as typed, or the device's recorded name. */
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
  /** A bounded sample of the report ids. */
  readonly reportIds: readonly string[];
  /** How many there were in all, when known. */
  readonly reportCount?: number;
  readonly kql: string;
  readonly source: string;
  readonly by: string;
  readonly note: string;
  readonly at: string;
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
  | AuditView;

/** Shorthand for a notice. */
export function notice(title: string, text: string, options: { tone?: Tone; usage?: readonly string[] } = {}): NoticeView {
  return { name: 'notice', title, text, tone: options.tone ?? 'default', ...(options.usage ? { usage: options.usage } : {}) };
}
