/**
 * Sanctions: `sanction <tool> [instance <domain>…] reason "<why>"`, `sanctions`, `unsanction
 * <tool>`, and the sanctions card's page buttons. Sanctions are per tenant; only responders change
 * them, and every change and refusal is audited as `sanction` or `unsanction`.
 */
import { z } from 'zod';
import { actorOf } from '../access';
import { PAGE } from '../action-data';
import type { RequestContext } from '../context';
import { pageArgument } from '../page-argument';
import { pageOf } from '../paging';
import { button, command, type ButtonEntry, type CommandEntry } from '../pipeline';
import { instancesText, sanctionsView } from '../presenters/sanction-views';
import { parseSanctionWords, parseUnsanctionWords, SANCTION_USAGE, UNSANCTION_USAGE } from '../sanction-words';
import { tenantOf } from '../tenant';
import { UserError } from '../user-error';
import { VERBS } from '../verbs';
import type { RouteDeps } from './route-deps';

/** Sanctions per page of the sanctions card. */
export const SANCTIONS_PAGE_SIZE = 10;

/** Sanctions as routes. */
export function sanctionRoutes(deps: RouteDeps): { commands: CommandEntry[]; buttons: ButtonEntry[] } {
  const { catalog, sanctions } = deps;
  const page = async (context: RequestContext, number: number) => pageOf(await sanctions.list(tenantOf(context)), number, SANCTIONS_PAGE_SIZE);
  return {
    commands: [
      command({
        command: 'sanction',
        usage: SANCTION_USAGE,
        summary:
          'Mark an RMM tool as your own: its devices are marked sanctioned on hunt cards and watches do not report them. With instances, only devices whose agent talks to those are; any other instance is flagged. Responders only.',
        example: 'sanction kaseya instance vsa.contoso.com managedsupport.kaseya.net reason "Contoso IT\'s VSA"',
        parse: (words) => parseSanctionWords(words, catalog),
        access: 'responder',
        handle: async (request, context) => ({ made: await sanctions.set(tenantOf(context), request, actorOf(context)), page: await page(context, 1) }),
        present: ({ made, page }, request) =>
          sanctionsView(page, catalog, {
            text: `${made.replaced ? 'Sanctioned again' : 'Sanctioned'} ${request.tool.name} (${instancesText(made.record.instances)}): ${made.record.reason}`,
            tone: 'good',
          }),
        audit: {
          action: 'sanction',
          request: ({ tool, instances, reason }) => ({ toolId: tool.id, instances: instances.join(' '), reason }),
          result: ({ tool }, { made }) => ({
            outcome: 'ok',
            details: {
              toolId: tool.id,
              instances: made.record.instances.join(' '),
              reason: made.record.reason,
              ...(made.replaced ? { replaced: { instances: made.replaced.instances.join(' '), reason: made.replaced.reason, by: made.replaced.by.name } } : {}),
            },
          }),
        },
      }),
      command({
        command: 'sanctions',
        usage: ['sanctions [page]'],
        summary: "Your organisation's sanctioned RMM tools and their instances.",
        example: 'sanctions',
        parse: (words) => ({ page: pageArgument('sanctions', words) }),
        access: 'anyone',
        handle: ({ page: number }, context) => page(context, number),
        present: (shown) => sanctionsView(shown, catalog),
      }),
      command({
        command: 'unsanction',
        usage: UNSANCTION_USAGE,
        summary: 'Remove the sanction of a tool: its devices are reported again. Responders only.',
        example: 'unsanction kaseya',
        parse: (words) => parseUnsanctionWords(words, catalog),
        access: 'responder',
        handle: async ({ tool }, context) => {
          const removed = await sanctions.remove(tenantOf(context), tool.id);
          if (!removed) throw new UserError(`${tool.name} is not sanctioned`, 'Type sanctions for the sanctioned tools.', UNSANCTION_USAGE);
          return { removed, page: await page(context, 1) };
        },
        present: ({ page: shown }, { tool }) => sanctionsView(shown, catalog, { text: `${tool.name} is no longer sanctioned: its devices are reported again.`, tone: 'good' }),
        audit: {
          action: 'unsanction',
          request: ({ tool }) => ({ toolId: tool.id }),
          result: ({ tool }, { removed }) => ({ outcome: 'ok', details: { toolId: tool.id, instances: removed.instances.join(' '), reason: removed.reason } }),
        },
      }),
    ],
    buttons: [
      button({
        verb: VERBS.sanctionsPage,
        data: z.object({ page: PAGE }).strict(),
        access: 'anyone',
        handle: ({ page: number }, context) => page(context, number),
        present: (shown) => sanctionsView(shown, catalog),
      }),
    ],
  };
}
