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
  readonly toolName: string;
  /** "5 days". */
  readonly windowText: string;
  readonly device?: string;
  /** Where it ran: "sample data", "Log Analytics workspace …". */
  readonly source: string;
}

/** The hunt is on its way. */
export interface HuntProgressView {
  readonly name: 'huntProgress';
  readonly header: HuntHeader;
  readonly state: 'running' | 'queued';
}

/** One device of a result. */
export interface FindingRow {
  /** Row key: with the hunt id, what a button's data carries. */
  readonly key: string;
  readonly deviceId: string;
  readonly deviceName: string;
  /** ISO 8601 UTC, no fraction. */
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly count: number;
}

/** A page of a hunt's devices. */
export interface HuntResultView {
  readonly name: 'huntResult';
  readonly huntId: string;
  readonly header: HuntHeader;
  readonly deviceCount: number;
  readonly queryMs: number;
  readonly rows: readonly FindingRow[];
  /** 1-based. */
  readonly page: number;
  readonly pageCount: number;
  /** A line above the table: the outcome of a click, a warning about the result. */
  readonly banner?: { readonly text: string; readonly tone: Tone };
}

/** A hunt that found nothing. */
export interface HuntEmptyView {
  readonly name: 'huntEmpty';
  readonly header: HuntHeader;
  readonly queryMs: number;
}

/** A hunt the backend could not answer. */
export interface HuntFailedView {
  readonly name: 'huntFailed';
  readonly header: HuntHeader;
  readonly failure: BackendFailure | 'internal';
  readonly message: string;
}

/** Every view. */
export type View = NoticeView | HelpView | ToolsView | HuntProgressView | HuntResultView | HuntEmptyView | HuntFailedView;

/** Shorthand for a notice. */
export function notice(title: string, text: string, options: { tone?: Tone; usage?: readonly string[] } = {}): NoticeView {
  return { name: 'notice', title, text, tone: options.tone ?? 'default', ...(options.usage ? { usage: options.usage } : {}) };
}
