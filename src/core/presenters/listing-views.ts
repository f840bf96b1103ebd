/**
 * The listings as views: the catalog, the user's rules, the audit trail, and help (generated from
 * the command routes).
 */
import type { RmmTool } from '../../hunt/catalog';
import type { HuntingRule } from '../../hunt/rules';
import type { AuditEntry } from '../../store/store';
import { auditActionPhrase } from '../audit';
import { huntKindsOf, type Page as ToolPage } from '../../hunt/tool-lookup';
import { HUNT_KIND_LABEL } from '../hunt-kinds';
import type { Page } from '../paging';
import type { AuditView, HelpView, RulesView, ToolsView } from '../views';
import { isoSeconds } from './format';

/** Windows, as help explains them. */
export const WINDOW_HELP = 'Windows: 30m, 12h, 5d, 2w or ISO 8601 (P5D, PT12H); the default is 5d.';

/** A page of the catalog's tools a filter names (empty: every tool). */
export type ToolsPage = ToolPage<RmmTool> & { readonly filter: string };

/** A page of the catalog, and the filter its page buttons carry. */
export function toolsView(page: ToolsPage): ToolsView {
  return {
    name: 'tools',
    tools: page.items.map((tool) => ({ id: tool.id, name: tool.name, aliases: tool.aliases, hunts: huntKindsOf(tool).map((k) => HUNT_KIND_LABEL[k]) })),
    filter: page.filter,
    page: page.page,
    pageCount: page.pageCount,
    total: page.total,
  };
}

/** A page of the rules; the first page also says what could not be read. */
export function rulesView(page: Page<HuntingRule>, book: { readonly configured: boolean; readonly problems: readonly string[] }): RulesView {
  return {
    name: 'rules',
    rules: page.items.map((r) => ({ id: r.id, name: r.name, tables: r.tables.join(', ') })),
    problems: page.page === 1 ? book.problems.slice(0, 10) : [],
    page: page.page,
    pageCount: page.pageCount,
    total: page.total,
    configured: book.configured,
  };
}

function summarise(details: unknown): string {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details)
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ')
    .slice(0, 200);
}

/** The latest audit entries, each action in words. */
export function auditView(entries: readonly AuditEntry[]): AuditView {
  return {
    name: 'audit',
    entries: entries.map((e) => ({
      at: isoSeconds(e.at),
      who: e.actor.name,
      action: auditActionPhrase(e.action),
      outcome: e.outcome,
      what: summarise(e.details),
      where: e.conversationId,
    })),
  };
}

/** One command as help shows it. */
export interface CommandHelp {
  readonly usage: readonly string[];
  readonly summary: string;
  readonly example: string;
}

/** The command list. */
export function helpView(commands: readonly CommandHelp[]): HelpView {
  return { name: 'help', commands: commands.map((c) => ({ usage: c.usage.join('\n'), summary: c.summary, example: c.example })), windows: WINDOW_HELP };
}
