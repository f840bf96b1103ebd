/**
 * Escalations: `incident channel here`, and the buttons Escalate (the inline form) and its
 * submission. Responders only; audited as `escalate` and `set-incident-channel`.
 */
import { z } from 'zod';
import { actorOf } from '../access';
import { FINDING } from '../action-data';
import type { RequestContext } from '../context';
import { MAX_NOTE, MAX_TITLE } from '../escalations';
import { readForm, trimmedText } from '../forms';
import { button, command, type ButtonEntry, type CommandEntry } from '../pipeline';
import { DEFAULT_SEVERITY, defaultIncidentTitle, escalateFormView, SEVERITIES } from '../presenters/escalation-views';
import { formSubject } from '../presenters/exclusion-views';
import { huntPageView } from '../presenters/hunt-views';
import { UserError } from '../user-error';
import { VERBS } from '../verbs';
import { notice } from '../views';
import type { RouteDeps } from './route-deps';

/** The Escalate form's fields; the messages are what the form shows. */
const ESCALATE_FORM = z.object({
  note: trimmedText().pipe(z.string().max(MAX_NOTE, `Keep the note under ${MAX_NOTE} characters.`)),
  title: trimmedText().pipe(z.string().max(MAX_TITLE, `Keep the incident title under ${MAX_TITLE} characters.`)),
  incident: z
    .string()
    .optional()
    .transform((value) => (value ?? 'new').trim())
    .pipe(z.string().regex(/^(new|\d{1,9})$/, 'Choose a new incident or one of the open ones.')),
  severity: z
    .string()
    .optional()
    .transform((value) => value?.trim() || DEFAULT_SEVERITY)
    .pipe(z.enum(SEVERITIES, { error: 'Choose a severity: High, Medium, Low or Informational.' })),
});

const SUBMIT_DATA = z
  .object({
    ...FINDING,
    note: z.string().max(20_000).optional(),
    incident: z.string().max(20).optional(),
    title: z.string().max(2_000).optional(),
    severity: z.string().max(20).optional(),
  })
  .transform(({ huntId, row, ...fields }) => ({ huntId, row, form: readForm(ESCALATE_FORM, fields) }));

const INCIDENT_USAGE = ['incident channel here'];

function parseIncidentWords(words: readonly string[], context: RequestContext): { readonly channelId: string } {
  if (words.length !== 2 || words[0]!.toLowerCase() !== 'channel' || words[1]!.toLowerCase() !== 'here') {
    throw new UserError('Did you mean incident channel here?', 'Type it in the channel where escalations should be posted.', INCIDENT_USAGE);
  }
  const { channelId } = context.conversation;
  if (context.conversation.kind !== 'channel' || !channelId) {
    throw new UserError('Incidents go to a channel', 'Type @HuntOps incident channel here in the team channel where escalations should be posted.');
  }
  return { channelId };
}

function placeOf(context: RequestContext) {
  return { ...(context.conversation.tenantId ? { tenantId: context.conversation.tenantId } : {}), reference: context.reference };
}

/** Escalations as routes. */
export function escalationRoutes(deps: RouteDeps): { commands: CommandEntry[]; buttons: ButtonEntry[] } {
  const { catalog, escalations, hunts } = deps;
  const sentinel = deps.incidents.sentinel;
  return {
    commands: [
      command({
        command: 'incident',
        usage: INCIDENT_USAGE,
        summary: 'Typed in a channel: escalations are posted there, one thread per incident. Responders only.',
        example: 'incident channel here',
        parse: parseIncidentWords,
        access: 'responder',
        handle: ({ channelId }, context) => escalations.setChannel({ channelId, place: placeOf(context), by: actorOf(context) }),
        present: () =>
          notice('Incident channel set', 'Escalations will be posted in this channel: each new incident starts a thread, later escalations reply in it.', { tone: 'good' }),
        audit: {
          action: 'set-incident-channel',
          request: ({ channelId }) => ({ channelId }),
          result: ({ channelId }) => ({ outcome: 'ok', details: { channelId } }),
        },
      }),
    ],
    buttons: [
      button({
        verb: VERBS.escalate,
        data: z.object(FINDING),
        access: 'responder',
        handle: async ({ huntId, row }, context) => {
          const ref = await hunts.finding(huntId, row);
          await escalations.target(placeOf(context));
          return { ref, open: await escalations.openIncidents(context.conversation.tenantId) };
        },
        present: ({ ref, open }) => escalateFormView(formSubject(ref, catalog), open, { sentinel }),
        audit: { action: 'escalate', request: ({ huntId, row }) => ({ huntId, row }) },
      }),
      button({
        verb: VERBS.escalateSubmit,
        data: SUBMIT_DATA,
        access: 'responder',
        handle: async ({ huntId, row, form }, context) => {
          const ref = await hunts.finding(huntId, row);
          const invalid = async (problem: string) => ({ kind: 'invalid' as const, ref, problem, open: await escalations.openIncidents(context.conversation.tenantId) });
          if (!form.ok) return invalid(form.problem);
          const { note, title, incident, severity } = form.value;
          const outcome = await escalations.escalate({
            ref,
            note,
            by: actorOf(context),
            place: placeOf(context),
            severity,
            incident: incident === 'new' ? { kind: 'new', title: title || defaultIncidentTitle(formSubject(ref, catalog)) } : { kind: 'existing', number: Number(incident) },
          });
          if (outcome.kind === 'not-open') return invalid(`Incident ${outcome.number} is not open any more; choose another or a new one.`);
          return { kind: 'done' as const, ref, outcome, newIncident: incident === 'new', page: await hunts.page(huntId, ref.page), reload: () => hunts.page(huntId, ref.page) };
        },
        present: (result) => {
          if (result.kind === 'invalid') return escalateFormView(formSubject(result.ref, catalog), result.open, { sentinel, error: result.problem });
          const { record, created, incident } = result.outcome;
          const device = result.ref.finding.deviceName;
          const note = created
            ? { text: `Escalated ${device} to incident ${incident.number}: ${incident.title}. It is being posted in the incident thread.`, tone: 'good' as const }
            : { text: `${device} was already escalated by ${record.by.name} to incident ${record.incidentNumber}.`, tone: 'default' as const };
          return { view: huntPageView(result.page, catalog, note), everyone: async () => huntPageView(await result.reload(), catalog, note) };
        },
        audit: {
          action: 'escalate',
          request: ({ huntId, row }) => ({ huntId, row }),
          result: ({ huntId, row }, result) =>
            result.kind === 'done'
              ? {
                  outcome: 'ok',
                  details: {
                    escalationId: result.outcome.record.id,
                    huntId,
                    rowKey: row,
                    device: result.ref.finding.deviceName,
                    incident: result.outcome.incident.number,
                    newIncident: result.newIncident,
                    created: result.outcome.created,
                  },
                }
              : undefined,
        },
      }),
    ],
  };
}
