/**
 * The incident life cycle: `incidents`, and the buttons of the incidents card and of an incident's
 * root card — Close (the inline form, a reason required), its submission, going back to the root
 * card, the list's pages — and Retry on the card of a Sentinel call that failed for good. Closing
 * and retrying are for responders, audited as `close-incident` and `retry-sentinel`.
 */
import { z } from 'zod';
import { CLOSE_REASONS, type CloseReason } from '../../sentinel/close-reasons';
import type { Incident } from '../../store/store';
import { actorOf } from '../access';
import { PAGE } from '../action-data';
import type { RequestContext } from '../context';
import { readForm, trimmedText } from '../forms';
import type { OpenIncident } from '../incidents';
import { pageArgument } from '../page-argument';
import { pageOf, type Page } from '../paging';
import { button, command, type ButtonEntry, type CommandEntry } from '../pipeline';
import { closeIncidentFormView, incidentRootView, incidentsView } from '../presenters/incident-views';
import { UserError } from '../user-error';
import { VERBS } from '../verbs';
import { notice, type CloseIncidentFormView, type Note, type View } from '../views';
import type { RouteDeps } from './route-deps';

/** Open incidents per page of the incidents card. */
export const INCIDENTS_PAGE_SIZE = 8;

/** The longest closing note kept. */
export const MAX_CLOSE_NOTE = 1000;

const INCIDENT_NUMBER = z.number().int().min(1).max(999_999_999);
const FROM = z.enum(['list', 'root']);
const REASONS = CLOSE_REASONS.map((r) => r.reason) as [CloseReason, ...CloseReason[]];

/** The Close form's fields; the messages are what the form shows. */
const CLOSE_FORM = z.object({
  reason: trimmedText().pipe(z.enum(REASONS, { error: 'Choose why the incident is closed.' })),
  note: trimmedText().pipe(z.string().max(MAX_CLOSE_NOTE, `Keep the note under ${MAX_CLOSE_NOTE} characters.`)),
});

const OPEN_FORM_DATA = z.object({ incident: INCIDENT_NUMBER, from: FROM, page: PAGE.optional() });

const SUBMIT_DATA = z
  .object({ incident: INCIDENT_NUMBER, from: FROM, page: PAGE.optional(), reason: z.string().max(100).optional(), note: z.string().max(10_000).optional() })
  .transform(({ incident, from, page, ...fields }) => ({ incident, from, page: page ?? 1, form: readForm(CLOSE_FORM, fields) }));

const NO_SUCH_INCIDENT = new UserError('That incident does not exist', 'Type incidents for the open ones.');

function formFrom(from: 'list' | 'root', page: number | undefined): CloseIncidentFormView['from'] {
  return from === 'list' ? { kind: 'list', page: page ?? 1 } : { kind: 'root' };
}

/** The incident life cycle as routes. */
export function incidentRoutes(deps: RouteDeps): { commands: CommandEntry[]; buttons: ButtonEntry[] } {
  const { incidents } = deps;
  const openPage = async (context: RequestContext, page: number): Promise<Page<OpenIncident>> =>
    pageOf(await incidents.open(context.conversation.tenantId), page, INCIDENTS_PAGE_SIZE);
  const listView = (page: Page<OpenIncident>, note?: Note) => incidentsView(page, { now: deps.now(), sentinelUrl: (i) => incidents.sentinelUrl(i), ...(note ? { note } : {}) });
  const rootView = async (incident: Incident): Promise<View> => incidentRootView(incident, await incidents.rootPayload(incident));
  const found = async (context: RequestContext, number: number): Promise<Incident> => {
    const incident = await incidents.get(context.conversation.tenantId, number);
    if (!incident) throw NO_SUCH_INCIDENT;
    return incident;
  };
  return {
    commands: [
      command({
        command: 'incidents',
        usage: ['incidents [page]'],
        summary: 'The open incidents (findings, who opened them, for how long), each with Close.',
        example: 'incidents',
        parse: (words) => ({ page: pageArgument('incidents', words) }),
        access: 'anyone',
        handle: ({ page }, context) => openPage(context, page),
        present: (page) => listView(page),
      }),
    ],
    buttons: [
      button({
        verb: VERBS.incidentsPage,
        data: z.object({ page: PAGE }).strict(),
        access: 'anyone',
        handle: ({ page }, context) => openPage(context, page),
        present: (page) => listView(page),
      }),
      button({
        verb: VERBS.incidentCard,
        data: z.object({ incident: INCIDENT_NUMBER }).strict(),
        access: 'anyone',
        handle: async ({ incident }, context) => rootView(await found(context, incident)),
        present: (view) => view,
      }),
      button({
        verb: VERBS.closeIncident,
        data: OPEN_FORM_DATA,
        access: 'responder',
        handle: async ({ incident, from, page }, context) => {
          const record = await found(context, incident);
          if (record.status === 'open') return { kind: 'form' as const, view: closeIncidentFormView(record, formFrom(from, page), { sentinel: incidents.sentinel }) };
          return { kind: 'closed' as const, view: from === 'root' ? await rootView(record) : listView(await openPage(context, page ?? 1), wasClosed(record)) };
        },
        present: ({ view }) => view,
        audit: { action: 'close-incident', request: ({ incident, from }) => ({ incident, from }) },
      }),
      button({
        verb: VERBS.closeIncidentSubmit,
        data: SUBMIT_DATA,
        access: 'responder',
        handle: async ({ incident, from, page, form }, context) => {
          const record = await found(context, incident);
          if (!form.ok) {
            if (record.status === 'closed') return { kind: 'invalid' as const, view: from === 'root' ? await rootView(record) : listView(await openPage(context, page), wasClosed(record)) };
            return { kind: 'invalid' as const, view: closeIncidentFormView(record, formFrom(from, page), { sentinel: incidents.sentinel, error: form.problem }) };
          }
          const outcome = await incidents.close({ tenantId: context.conversation.tenantId, number: incident, reason: form.value.reason, note: form.value.note, by: actorOf(context) });
          if (outcome.kind === 'not-found') throw NO_SUCH_INCIDENT;
          const closed = outcome.incident;
          const note: Note =
            outcome.kind === 'closed'
              ? { text: `Closed incident ${closed.number}: ${closed.title}. The closing note is being posted in its thread.`, tone: 'good' }
              : wasClosed(closed);
          const show = async (): Promise<View> => (from === 'root' ? rootView(closed) : listView(await openPage(context, page), note));
          return { kind: 'done' as const, outcome, view: await show(), reload: show };
        },
        present: (result) => (result.kind === 'done' ? { view: result.view, everyone: result.reload } : result.view),
        audit: {
          action: 'close-incident',
          request: ({ incident, from }) => ({ incident, from }),
          result: ({ incident, form }, result) =>
            result.kind === 'done' && form.ok
              ? { outcome: 'ok', details: { incident, reason: form.value.reason, note: form.value.note, closed: result.outcome.kind === 'closed' } }
              : undefined,
        },
      }),
      button({
        verb: VERBS.retrySentinel,
        data: z.object({ incident: INCIDENT_NUMBER }).strict(),
        access: 'responder',
        handle: async ({ incident }, context) => {
          await found(context, incident);
          return incidents.retrySentinel(context.conversation.tenantId, incident);
        },
        present: (count, { incident }) =>
          count > 0
            ? notice(`Retrying incident ${incident} in Microsoft Sentinel`, `${count === 1 ? 'One call goes' : `${count} calls go`} to Microsoft Sentinel again. If it is refused again, a new card says why.`, { tone: 'good' })
            : notice(`Nothing to retry for incident ${incident}`, 'Its Microsoft Sentinel calls are done or already being retried.'),
        audit: { action: 'retry-sentinel', request: ({ incident }) => ({ incident }), result: ({ incident }, count) => ({ outcome: 'ok', details: { incident, retried: count } }) },
      }),
    ],
  };
}

function wasClosed(incident: Incident): Note {
  return { text: `Incident ${incident.number} was already closed by ${incident.closedBy?.name ?? 'someone'}.`, tone: 'default' };
}

