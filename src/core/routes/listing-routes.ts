/**
 * Listings: `tools`, `rules`, `audit`, and the tools and rules cards' page buttons.
 */
import { z } from 'zod';
import type { Catalog, RmmTool } from '../../hunt/catalog';
import { PAGE } from '../action-data';
import { pageArgument } from '../page-argument';
import { pageOf, type Page } from '../paging';
import { button, command, type ButtonEntry, type CommandEntry } from '../pipeline';
import { auditView, rulesView, toolsView } from '../presenters/listing-views';
import { callerTenant } from '../tenant-scope';
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

/** A page of the catalog, tools by name. */
export function catalogPage(catalog: Catalog, page: number): Page<RmmTool> {
  return pageOf([...catalog.tools].sort((a, b) => a.name.localeCompare(b.name)), page, TOOLS_PAGE_SIZE);
}

/** Listings as routes. */
export function listingRoutes(deps: RouteDeps): { commands: CommandEntry[]; buttons: ButtonEntry[] } {
  const tools = (page: number) => catalogPage(deps.catalog, page);
  const rules = (page: number) => pageOf(deps.rules.rules, page, RULES_PAGE_SIZE);
  const ruleBook = { configured: deps.rules.configured, problems: deps.rules.problemLines() };
  return {
    commands: [
      command({
        command: 'tools',
        usage: ['tools [page]'],
        summary: 'The RMM tools HuntOps can hunt for, with their aliases.',
        example: 'tools',
        parse: (words) => ({ page: pageArgument('tools', words) }),
        access: 'anyone',
        handle: async ({ page }) => tools(page),
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
        summary: `The latest n (default ${AUDIT_DEFAULT}, at most ${AUDIT_MAX}) audited actions in your organisation: hunts, exclusions, escalations, refusals. Responders only.`,
        example: 'audit 20',
        parse: (words) => ({ count: auditCount(words) }),
        access: 'responder',
        handle: ({ count }, context) => deps.store.listAudit({ limit: count, tenant: callerTenant(context) }),
        present: auditView,
        audit: { action: 'audit', request: ({ count }) => ({ count }) },
      }),
    ],
    buttons: [
      button({
        verb: VERBS.toolsPage,
        data: z.object({ page: PAGE }).strict(),
        access: 'anyone',
        handle: async ({ page }) => tools(page),
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
