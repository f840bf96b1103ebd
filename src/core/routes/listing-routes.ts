/**
 * Listings: `tools [filter] [page]`, `rules`, `audit`, and the tools and rules cards' page buttons
 * (the tools card's carry its filter).
 */
import { z } from 'zod';
import type { Catalog } from '../../hunt/catalog';
import { filterTools, pageOf as pageOfTools } from '../../hunt/tool-lookup';
import { PAGE } from '../action-data';
import { pageArgument } from '../page-argument';
import { pageOf } from '../paging';
import { button, command, type ButtonEntry, type CommandEntry } from '../pipeline';
import { auditView, rulesView, toolsView, type ToolsPage } from '../presenters/listing-views';
import { UserError } from '../user-error';
import { VERBS } from '../verbs';
import type { RouteDeps } from './route-deps';

/** Tools per page of the `tools` card. */
export const TOOLS_PAGE_SIZE = 15;

/** Rules per page of the `rules` card. */
export const RULES_PAGE_SIZE = 10;

/** Audit entries `audit` shows by default, and at most. */
export const AUDIT_DEFAULT = 10;
export const AUDIT_MAX = 25;

function auditCount(words: readonly string[]): number {
  if (words.length > 1 || (words.length === 1 && !/^\d{1,3}$/.test(words[0]!))) {
    throw new UserError('audit takes a number', `For example: audit 20 (at most ${AUDIT_MAX})`, ['audit [n]']);
  }
  return Math.min(Math.max(Number(words[0] ?? AUDIT_DEFAULT), 1), AUDIT_MAX);
}

/** The longest filter `tools` takes. */
export const MAX_TOOLS_FILTER = 100;

/** Usage of `tools`. */
export const TOOLS_USAGE = ['tools [filter] [page]'] as const;

/** A page of the catalog's tools that `filter` names (every tool without one), by name. */
export function catalogPage(catalog: Catalog, page: number, filter = ''): ToolsPage {
  const tools = filterTools([...catalog.tools].sort((a, b) => a.name.localeCompare(b.name)), filter);
  return { ...pageOfTools(tools, page, TOOLS_PAGE_SIZE), filter };
}

/** `tools [filter] [page]`: a last word of digits is the page, the words before it the filter. */
export function parseToolsWords(words: readonly string[]): { readonly filter: string; readonly page: number } {
  const last = words[words.length - 1];
  const page = last !== undefined && /^\d{1,4}$/.test(last) ? Number(last) : undefined;
  const filter = (page === undefined ? words : words.slice(0, -1)).join(' ').trim();
  if (filter.length > MAX_TOOLS_FILTER) throw new UserError('That filter is too long', `Filter the tools by a word or two, e.g. tools screen.`, TOOLS_USAGE);
  return { filter, page: page ?? 1 };
}

/** Listings as routes. */
export function listingRoutes(deps: RouteDeps): { commands: CommandEntry[]; buttons: ButtonEntry[] } {
  const tools = (page: number, filter?: string) => catalogPage(deps.catalog, page, filter);
  const rules = (page: number) => pageOf(deps.rules.rules, page, RULES_PAGE_SIZE);
  const ruleBook = { configured: deps.rules.configured, problems: deps.rules.problemLines() };
  return {
    commands: [
      command({
        command: 'tools',
        usage: TOOLS_USAGE,
        summary: 'The RMM tools HuntOps can hunt for, with their aliases and hunts; a filter keeps those whose name, alias, category or kind of hunt has every word of it.',
        example: 'tools screen',
        parse: parseToolsWords,
        access: 'anyone',
        handle: async ({ page, filter }) => tools(page, filter),
        present: toolsView,
      }),
      command({
        command: 'rules',
        usage: ['rules [page]'],
        summary: 'Your hunting rules (HUNT_RULES_DIR) and what in them could not be read.',
        example: 'rules',
        parse: (words) => ({ page: pageArgument('rules', words) }),
        access: 'anyone',
        handle: async ({ page }) => rules(page),
        present: (page) => rulesView(page, ruleBook),
      }),
      command({
        command: 'audit',
        usage: ['audit [n]'],
        summary: `The latest n (default ${AUDIT_DEFAULT}, at most ${AUDIT_MAX}) audited actions: hunts, exclusions, escalations, refusals. Responders only.`,
        example: 'audit 20',
        parse: (words) => ({ count: auditCount(words) }),
        access: 'responder',
        handle: ({ count }) => deps.store.listAudit({ limit: count }),
        present: auditView,
        audit: { action: 'audit', request: ({ count }) => ({ count }) },
      }),
    ],
    buttons: [
      button({
        verb: VERBS.toolsPage,
        data: z.object({ page: PAGE, filter: z.string().max(MAX_TOOLS_FILTER).optional() }).strict(),
        access: 'anyone',
        handle: async ({ page, filter }) => tools(page, filter),
        present: toolsView,
      }),
      button({
        verb: VERBS.rulesPage,
        data: z.object({ page: PAGE }).strict(),
        access: 'anyone',
        handle: async ({ page }) => rules(page),
        present: (page) => rulesView(page, ruleBook),
      }),
    ],
  };
}
