/**
 * Watches: `watch <hunt> every <interval>`, `watches`, `unwatch <id>`, and the watches card's Stop
 * and page buttons. Only responders create and stop watches; creating and stopping, and every
 * refusal, are audited as `watch` and `unwatch` (each post as `watch-post`, by the scheduler's hook).
 */
import { z } from 'zod';
import type { Watch } from '../../store/store';
import { actorOf } from '../access';
import { PAGE } from '../action-data';
import type { RequestContext } from '../context';
import { pageArgument } from '../page-argument';
import { pageOf } from '../paging';
import { huntArgsText, readWatchHunt, watchHuntText } from '../payloads/watch-spec';
import { button, command, type ButtonEntry, type CommandEntry } from '../pipeline';
import type { AuditSpec } from '../route';
import { watchesView } from '../presenters/watch-views';
import { tenantOf } from '../tenant';
import { UserError } from '../user-error';
import { VERBS } from '../verbs';
import type { Note } from '../views';
import { describeInterval } from '../../watch/interval';
import { parseUnwatchWords, parseWatchWords, UNWATCH_USAGE, WATCH_USAGE } from '../watch-words';
import type { RouteDeps } from './route-deps';

/** Watches per page of the watches card. */
export const WATCHES_PAGE_SIZE = 10;

/** A stored watch's hunt as typed, for the audit trail. */
function huntText(watch: Watch): string {
  const hunt = readWatchHunt(watch.spec);
  return hunt ? watchHuntText(hunt) : '';
}

/** Watches as routes. */
export function watchRoutes(deps: RouteDeps): { commands: CommandEntry[]; buttons: ButtonEntry[] } {
  const { watches } = deps;
  const activePage = async (context: RequestContext, page: number) => pageOf(await watches.active(tenantOf(context)), page, WATCHES_PAGE_SIZE);
  const stop = async (watchId: number, page: number, context: RequestContext) => {
    const stopped = await watches.stop({ tenant: tenantOf(context), id: watchId }, actorOf(context));
    if (!stopped) throw new UserError(`There is no watch ${watchId}`, 'Type watches for the active ones.', UNWATCH_USAGE);
    return { ...stopped, here: context.conversation.id, page: await activePage(context, page), reload: () => activePage(context, page) };
  };
  const stoppedNote = ({ record, stopped }: { record: Watch; stopped: boolean }): Note =>
    stopped
      ? { text: `Stopped watch ${record.id}: it will not run again.`, tone: 'good' }
      : { text: `Watch ${record.id} was already stopped by ${record.stoppedBy?.name ?? 'someone'}.`, tone: 'default' };
  const stopAudit: AuditSpec<{ readonly watchId: number }, Awaited<ReturnType<typeof stop>>> = {
    action: 'unwatch',
    request: ({ watchId }) => ({ watchId }),
    result: ({ watchId }, { record, stopped }) => ({ outcome: 'ok', details: { watchId, hunt: huntText(record), intervalMs: record.intervalMs, stopped } }),
  };
  return {
    commands: [
      command({
        command: 'watch',
        usage: WATCH_USAGE,
        summary:
          'Keep a hunt running: the first run posts how many devices it finds, later runs post only devices new to the watch (not excluded, not sanctioned), here. Responders only.',
        example: 'watch kaseya every 1h',
        parse: (words) => parseWatchWords(words, { catalog: deps.catalog, rules: deps.rules, minIntervalMs: deps.watchMinIntervalMs }),
        access: 'responder',
        handle: async (request, context) => {
          const made = await watches.create(request, context);
          return { made, here: context.conversation.id, page: await activePage(context, 1) };
        },
        present: ({ made, here, page }) => {
          const { record, created } = made;
          const note: Note = created
            ? { text: `Watch ${record.id} set: its first run posts here now, then every ${describeInterval(record.intervalMs)} only devices it has not reported.`, tone: 'good' }
            : { text: `Watch ${record.id} was already set by this message.`, tone: 'default' };
          return watchesView(page, deps, here, note);
        },
        audit: {
          action: 'watch',
          request: (request) => ({ hunt: huntArgsText(request.hunt), intervalMs: request.intervalMs }),
          result: (request, { made }) => ({
            outcome: 'ok',
            details: { watchId: made.record.id, hunt: huntArgsText(request.hunt), intervalMs: made.record.intervalMs, created: made.created },
          }),
        },
      }),
      command({
        command: 'watches',
        usage: ['watches [page]'],
        summary: 'The active watches of your organisation: hunt, interval, where they post, who set them, their last run; each with Stop.',
        example: 'watches',
        parse: (words) => ({ page: pageArgument('watches', words) }),
        access: 'anyone',
        handle: async ({ page }, context) => ({ page: await activePage(context, page), here: context.conversation.id }),
        present: ({ page, here }) => watchesView(page, deps, here),
      }),
      command({
        command: 'unwatch',
        usage: UNWATCH_USAGE,
        summary: 'Stop a watch by its number. Responders only.',
        example: 'unwatch 3',
        parse: parseUnwatchWords,
        access: 'responder',
        handle: ({ watchId }, context) => stop(watchId, 1, context),
        present: (result) => watchesView(result.page, deps, result.here, stoppedNote(result)),
        audit: stopAudit,
      }),
    ],
    buttons: [
      button({
        verb: VERBS.unwatch,
        data: z.object({ watchId: z.number().int().min(1).max(999_999_999), page: PAGE.optional() }).strict(),
        access: 'responder',
        handle: ({ watchId, page }, context) => stop(watchId, page ?? 1, context),
        present: (result) => {
          const note = stoppedNote(result);
          return { view: watchesView(result.page, deps, result.here, note), everyone: async () => watchesView(await result.reload(), deps, result.here, note) };
        },
        audit: stopAudit,
      }),
      button({
        verb: VERBS.watchesPage,
        data: z.object({ page: PAGE }).strict(),
        access: 'anyone',
        handle: async ({ page }, context) => ({ page: await activePage(context, page), here: context.conversation.id }),
        present: ({ page, here }) => watchesView(page, deps, here),
      }),
    ],
  };
}
