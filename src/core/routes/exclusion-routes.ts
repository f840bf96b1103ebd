/**
 * Exclusions: `exclude`, `exclusions`, `unexclude`, and the buttons Exclude (the inline form), its
 * submission, Remove, and the exclusions card's pages. Only responders change exclusions; every
 * change, and every refusal, is audited as `exclude` or `unexclude`.
 */
import { z } from 'zod';
import type { Created, Exclusion } from '../../store/store';
import { actorOf } from '../access';
import { FINDING, PAGE } from '../action-data';
import type { AuditDetails } from '../audit';
import { EXCLUDE_USAGE, parseExcludeWords, parseUnexcludeWords, UNEXCLUDE_USAGE } from '../exclusion-words';
import { DEFAULT_COMMAND_EXPIRY_DAYS, EXCLUSIONS_PAGE_SIZE, MAX_REASON, type Expiry } from '../exclusions';
import { readForm, trimmedText } from '../forms';
import { pageArgument } from '../page-argument';
import { pageOf } from '../paging';
import { button, command, type ButtonEntry, type CommandEntry } from '../pipeline';
import { excludeFormView, exclusionsView, expiryText, formSubject, scopeText } from '../presenters/exclusion-views';
import { huntPageView } from '../presenters/hunt-views';
import type { MirrorStatus } from '../exclusion-sync';
import { UserError } from '../user-error';
import { VERBS } from '../verbs';
import type { Note } from '../views';
import type { RouteDeps } from './route-deps';

const DAY_MS = 86_400_000;

/** Expiry choices of the form, in days (`never` has none). */
export const EXPIRY_CHOICES = ['7', '30', '90', 'never'] as const;

/** The Exclude form's fields; the messages are what the form shows. */
const EXCLUDE_FORM = z.object({
  reason: trimmedText().pipe(
    z.string().min(1, 'Give a reason: it is what the next analyst reads.').max(MAX_REASON, `Keep the reason under ${MAX_REASON} characters.`),
  ),
  scope: z.enum(['tool', 'all'], { error: 'Choose whether the exclusion covers this tool or every RMM tool.' }),
  expiry: z.enum(EXPIRY_CHOICES, { error: 'Choose when the exclusion expires.' }),
});

const SUBMIT_DATA = z
  .object({ ...FINDING, reason: z.string().max(10_000).optional(), scope: z.string().max(20).optional(), expiry: z.string().max(20).optional() })
  .transform(({ huntId, row, ...fields }) => ({ huntId, row, form: readForm(EXCLUDE_FORM, fields) }));

/** What the exclusions card says when the Sentinel watchlist is missing some of them. */
function mirrorNote(status: MirrorStatus, watchlist: string): Note | undefined {
  if (status.failed === 0) return undefined;
  const which = status.failed === 1 ? 'One exclusion is' : `${status.failed} exclusions are`;
  return {
    text: `${which} not in Microsoft Sentinel's watchlist ${watchlist}: ${status.error ?? 'Sentinel refused the item.'} HuntOps still hides the devices from its own hunts; once fixed, type exclusions sync.`,
    tone: 'warning',
  };
}

function formExpiry(choice: (typeof EXPIRY_CHOICES)[number]): Expiry {
  return choice === 'never' ? { kind: 'never' } : { kind: 'after', ms: Number(choice) * DAY_MS };
}

function exclusionDetails({ record, created }: Created<Exclusion>): AuditDetails {
  return {
    exclusionId: record.id,
    pattern: record.pattern,
    scope: record.scope,
    reason: record.reason,
    expiresAt: record.expiresAt?.toISOString() ?? null,
    source: record.source,
    created,
  };
}

/** Exclusions as routes. */
export function exclusionRoutes(deps: RouteDeps): { commands: CommandEntry[]; buttons: ButtonEntry[] } {
  const { catalog, exclusions, hunts } = deps;
  const activePage = async (page: number) => {
    const active = await exclusions.active();
    return { ...pageOf(active, page, EXCLUSIONS_PAGE_SIZE), ...(deps.mirror ? { mirror: mirrorNote(await deps.mirror.status(active), deps.mirror.watchlist) } : {}) };
  };
  return {
    commands: [
      command({
        command: 'exclude',
        usage: EXCLUDE_USAGE,
        summary: `Hide a device (or a name pattern) from later hunts, for a reason; expires after ${DEFAULT_COMMAND_EXPIRY_DAYS} days unless told otherwise. Responders only.`,
        example: 'exclude device IT-ADM-* reason "IT admin workstations" for 90d',
        parse: (words) => parseExcludeWords(words, catalog),
        access: 'responder',
        handle: async (request, context) => {
          const made = await exclusions.exclude({
            ...request,
            expiry: request.expiry ?? { kind: 'after', ms: DEFAULT_COMMAND_EXPIRY_DAYS * DAY_MS },
            by: actorOf(context),
            key: `command:${context.requestId ?? `${context.conversation.id}:${deps.now().getTime()}`}`,
          });
          return { made, page: await activePage(1) };
        },
        present: ({ made, page }, request) =>
          exclusionsView(page, catalog, {
            text: `Excluded ${request.pattern} from ${scopeText(request.scope, catalog)} ${expiryText(made.record.expiresAt)}: ${request.reason}`,
            tone: 'good',
          }),
        audit: {
          action: 'exclude',
          request: ({ pattern, reason, scope }) => ({ pattern, reason, scope }),
          result: (_request, { made }) => ({ outcome: 'ok', details: exclusionDetails(made) }),
        },
      }),
      command({
        command: 'exclusions',
        usage: ['exclusions [page]'],
        summary: 'The active exclusions, each with Remove.',
        example: 'exclusions',
        parse: (words) => ({ page: pageArgument('exclusions', words) }),
        access: 'anyone',
        handle: ({ page }) => activePage(page),
        present: (page) => exclusionsView(page, catalog),
      }),
      command({
        command: 'unexclude',
        usage: UNEXCLUDE_USAGE,
        summary: 'Remove the exclusion of a device or pattern. Responders only.',
        example: 'unexclude IT-ADM-*',
        parse: parseUnexcludeWords,
        access: 'responder',
        handle: async ({ pattern }, context) => {
          const { removed, covering } = await exclusions.removePattern(pattern, actorOf(context));
          if (removed.length === 0) {
            const hint = covering.length
              ? `${pattern} is covered by ${covering.join(', ')}; remove ${covering.length === 1 ? 'that' : 'one of those'} with unexclude <pattern>.`
              : 'Type exclusions for the active ones.';
            throw new UserError(`No exclusion of '${pattern}'`, hint, UNEXCLUDE_USAGE);
          }
          return { removed, page: await activePage(1) };
        },
        present: ({ removed, page }, { pattern }) =>
          exclusionsView(page, catalog, { text: `Removed ${removed.length === 1 ? 'the exclusion' : `${removed.length} exclusions`} of ${pattern}.`, tone: 'good' }),
        audit: {
          action: 'unexclude',
          request: ({ pattern }) => ({ pattern }),
          result: ({ pattern }, { removed }) => ({
            outcome: 'ok',
            details: { pattern, exclusionIds: removed.map((r) => r.record.id).join(' '), removed: removed.filter((r) => r.removed).length },
          }),
        },
      }),
    ],
    buttons: [
      button({
        verb: VERBS.exclude,
        data: z.object(FINDING),
        access: 'responder',
        handle: ({ huntId, row }) => hunts.finding(huntId, row),
        present: (ref) => excludeFormView(formSubject(ref, catalog)),
        audit: { action: 'exclude', request: ({ huntId, row }) => ({ huntId, row }) },
      }),
      button({
        verb: VERBS.excludeSubmit,
        data: SUBMIT_DATA,
        access: 'responder',
        handle: async ({ huntId, row, form }, context) => {
          const ref = await hunts.finding(huntId, row);
          if (!form.ok) return { kind: 'invalid' as const, ref, problem: form.problem };
          const { reason, scope, expiry } = form.value;
          const made = await exclusions.excludeFinding({ ref, scope, reason, expiry: formExpiry(expiry), by: actorOf(context) });
          return { kind: 'done' as const, ref, made, page: await hunts.page(huntId, ref.page), reload: () => hunts.page(huntId, ref.page) };
        },
        present: (result) => {
          if (result.kind === 'invalid') return excludeFormView(formSubject(result.ref, catalog), result.problem);
          const { record, created } = result.made;
          const device = result.ref.finding.deviceName;
          const note = created
            ? { text: `Excluded ${device} from ${scopeText(record.scope, catalog)} ${expiryText(record.expiresAt)}.`, tone: 'good' as const }
            : { text: `${device} was already excluded by ${record.createdBy.name}: ${record.reason}`, tone: 'default' as const };
          return { view: huntPageView(result.page, catalog, note), everyone: async () => huntPageView(await result.reload(), catalog, note) };
        },
        audit: {
          action: 'exclude',
          request: ({ huntId, row }) => ({ huntId, row }),
          result: (_request, result) => (result.kind === 'done' ? { outcome: 'ok', details: exclusionDetails(result.made) } : undefined),
        },
      }),
      button({
        verb: VERBS.unexclude,
        data: z.object({ exclusionId: z.string().min(1).max(128), page: PAGE.optional() }),
        access: 'responder',
        handle: async ({ exclusionId, page }, context) => {
          const removed = await exclusions.remove(exclusionId, actorOf(context));
          if (!removed) throw new UserError('That exclusion does not exist', 'Type exclusions for the current list.');
          return { ...removed, page: await activePage(page ?? 1), reload: () => activePage(page ?? 1) };
        },
        present: ({ record, removed, page, reload }) => {
          const note = removed
            ? { text: `Removed the exclusion of ${record.pattern}.`, tone: 'good' as const }
            : { text: `The exclusion of ${record.pattern} was already removed by ${record.removedBy?.name ?? 'someone'}.`, tone: 'default' as const };
          return { view: exclusionsView(page, catalog, note), everyone: async () => exclusionsView(await reload(), catalog, note) };
        },
        audit: {
          action: 'unexclude',
          request: ({ exclusionId }) => ({ exclusionId }),
          result: ({ exclusionId }, { record, removed }) => ({ outcome: 'ok', details: { exclusionId, pattern: record.pattern, removed } }),
        },
      }),
      button({
        verb: VERBS.exclusionsPage,
        data: z.object({ page: PAGE }).strict(),
        access: 'anyone',
        handle: ({ page }) => activePage(page),
        present: (page) => exclusionsView(page, catalog),
      }),
    ],
  };
}
