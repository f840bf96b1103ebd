/**
 * The one pipeline every route runs through: parse → authorize → limit → handle → audit → present.
 * The tenant was checked by the app before the route was chosen. A request that cannot be read is
 * answered with the route's usage; a caller who may not use the route is refused, and the refusal
 * is audited under the route's action; a `limited` route takes a slot within the caller's limits
 * (refused with a card saying when to try again, counted in the audit) and gives it back when its
 * work ends; ids are looked up only by the handler, after that; what the handler reports is audited
 * under the same action; the presenter turns the result into a view. Anything unexpected is logged
 * with a reference the analyst is shown.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { actorOf, type AccessPolicy } from './access';
import { parseActionData } from './action-data';
import { AUDIT_ACTIONS, type AuditDetails, type Auditor } from './audit';
import type { RequestContext } from './context';
import type { HuntLimiter } from './hunt-limits';
import type { Log } from './log';
import { limitView } from './presenters/limit-views';
import { NO_PACE, reply, troubleReply, type NewMessage, type Reply, type ReplyStatus, type ViewReply } from './reply';
import type { AuditSpec, ButtonSpec, CommandSpec, Presentation, RouteBody } from './route';
import { callerTenant } from './tenant-scope';
import { UserError } from './user-error';
import type { Verb } from './verbs';
import { notice, type View } from './views';

/** What the pipeline needs besides the route. */
export interface PipelineDeps {
  readonly access: AccessPolicy;
  readonly auditor: Auditor;
  readonly log: Log;
  readonly limits: HuntLimiter;
}

/** A command in the registry: its help, and its pipeline run on the words after it. */
export interface CommandEntry {
  readonly command: string;
  readonly usage: readonly string[];
  readonly summary: string;
  readonly example: string;
  readonly run: (words: readonly string[], context: RequestContext, deps: PipelineDeps) => Promise<Reply>;
}

/** A button in the registry: its verb, and its pipeline run on the click's data. */
export interface ButtonEntry {
  readonly verb: Verb;
  readonly run: (data: unknown, context: RequestContext, deps: PipelineDeps) => Promise<Reply>;
}

/** Declares a chat command (see {@link CommandSpec}). */
export function command<Request, Result, Started = never>(spec: CommandSpec<Request, Result, Started>): CommandEntry {
  return {
    command: spec.command,
    usage: spec.usage,
    summary: spec.summary,
    example: spec.example,
    run: (words, context, deps) => runRoute(spec, () => spec.parse(words, context), context, deps),
  };
}

/** Declares a card button (see {@link ButtonSpec}). */
export function button<Request, Result, Started = never>(spec: ButtonSpec<Request, Result, Started>): ButtonEntry {
  const schema: z.ZodType<Request> = spec.data;
  const answer = spec.answersWithNewMessage;
  const placement: NewMessage | undefined = answer && { kind: 'new-message', acknowledgement: answer.acknowledgement };
  return {
    verb: spec.verb,
    run: async (data, context, deps) => {
      const reply = await runRoute(spec, () => parseActionData(schema, data), context, deps);
      return placement ? { ...reply, placement } : reply;
    },
  };
}

/** Runs one route on one request. Never throws. */
export async function runRoute<Request, Result, Started>(
  spec: RouteBody<Request, Result, Started>,
  read: () => Request,
  context: RequestContext,
  deps: PipelineDeps,
): Promise<Reply> {
  let request: Request;
  try {
    request = read();
  } catch (error) {
    return trouble(error, 'invalid', context, deps);
  }
  const { audit } = spec;
  if (spec.access === 'responder') {
    const refusal = deps.access.responderRefusal(context, AUDIT_ACTIONS[spec.audit.action]);
    if (refusal) {
      await deps.auditor.record(context, spec.audit.action, spec.audit.request(request), 'refused');
      return troubleReply(notice(refusal.title, refusal.hint, { tone: 'warning' }), 'refused');
    }
  }
  let release = (): void => undefined;
  if (spec.limited) {
    const tenant = callerTenant(context);
    const slot = await deps.limits.acquire({ user: `${tenant}\0${actorOf(context).aadObjectId}`, conversation: `${tenant}\0${context.conversation.id}` });
    if (!slot.ok) {
      await deps.auditor.limited(context, audit?.action ?? 'use', slot.refusal);
      return troubleReply(limitView(slot.refusal), 'refused');
    }
    release = slot.release;
  }
  const failed = (error: unknown) => trouble(error, 'failed', context, deps, audit && { spec: audit, request });
  let later = false;
  try {
    if ('start' in spec) {
      const deferred = await spec.start(request, context);
      later = true;
      return {
        kind: 'deferred',
        progress: spec.progress(deferred.started, 'running'),
        ...(deferred.messageId !== undefined ? { messageId: deferred.messageId } : {}),
        complete: async (posted, progress, pace = NO_PACE) => {
          try {
            const queued = () => void progress(spec.progress(deferred.started, 'queued')).catch(() => undefined);
            const result = await deferred.finish(posted, queued, pace);
            await record(audit, request, result, context, deps);
            return spec.present(result, request);
          } catch (error) {
            return (await failed(error)).view;
          } finally {
            release();
          }
        },
      };
    }
    const result = await spec.handle(request, context);
    await record(audit, request, result, context, deps);
    return presented(spec.present(result, request));
  } catch (error) {
    return failed(error);
  } finally {
    if (!later) release();
  }
}

function presented(shown: Presentation): ViewReply {
  if (!('everyone' in shown)) return reply(shown);
  return shown.messageId === undefined ? reply(shown.view) : reply(shown.view, { view: shown.everyone, messageId: shown.messageId });
}

async function record<Request, Result>(
  audit: AuditSpec<Request, Result> | undefined,
  request: Request,
  result: Result,
  context: RequestContext,
  deps: PipelineDeps,
): Promise<void> {
  const entry = audit?.result?.(request, result);
  if (audit && entry) await deps.auditor.record(context, audit.action, entry.details, entry.outcome);
}

/**
 * A user error as a notice with its hint (and usage); anything else logged with a reference, the
 * failure audited when the route is, and answered with a generic notice naming the reference.
 */
export async function trouble<Request, Result>(
  error: unknown,
  status: ReplyStatus,
  context: RequestContext,
  deps: PipelineDeps,
  audited?: { readonly spec: AuditSpec<Request, Result>; readonly request: Request },
): Promise<ViewReply> {
  if (error instanceof UserError) {
    return troubleReply(notice(error.title, error.hint, { tone: 'warning', ...(error.usage ? { usage: error.usage } : {}) }), status);
  }
  const reference = randomUUID().slice(0, 8);
  deps.log.error({ err: error, reference, conversation: context.conversation.id }, 'handler failed');
  if (audited) {
    const details: AuditDetails = { ...audited.spec.request(audited.request), reference };
    await deps.auditor.record(context, audited.spec.action, details, 'failed');
  }
  return troubleReply(internalErrorView(reference), 'failed');
}

/** What the analyst sees when something failed on our side. */
function internalErrorView(reference: string): View {
  return notice('Something went wrong on our side', `The team has the details in the log (reference ${reference}). Please try again.`, { tone: 'attention' });
}
