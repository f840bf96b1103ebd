/**
 * A route: one chat command or one card button, declared once. The declaration says how the
 * request is read (a word grammar for chat, a zod schema for card data), who may use it, what the
 * audit records, what the domain does, and how its result is shown. The pipeline
 * (`pipeline.ts`) runs every route the same way: parse → authorize → handle → audit → present.
 *
 * Adding a command or a button is one `command({...})` or `button({...})` entry (`pipeline.ts`)
 * in a file under `routes/` plus a presenter under `presenters/`; the registry (`routes/index.ts`)
 * lists them, and help is generated from the commands. Write `parse` (or `data`) first, then
 * `handle` (or `start`), then `present` and `audit`: TypeScript infers the request and result types
 * in that order.
 */
import type { z } from 'zod';
import type { AuditAction, AuditDetails } from './audit';
import type { RequestContext } from './context';
import type { Pace, PostedMessage } from './reply';
import type { Verb } from './verbs';
import type { View } from './views';

/** Who may use a route (the tenant is checked for every route, before anything else). */
export type Access = 'anyone' | 'responder';

/** What the audit records of a success or a failure the domain reported. */
export interface AuditRecord {
  readonly outcome: 'ok' | 'failed';
  readonly details: AuditDetails;
}

/** How a route is audited: one action name for success, refusal and failure. */
export interface AuditSpec<Request, Result> {
  readonly action: AuditAction;
  /** What a refusal or an unexpected failure records: validated values of the request. */
  readonly request: (request: Request) => AuditDetails;
  /**
   * What a handled request records; undefined when it changed nothing (a form shown, a submission
   * refused for a missing field). Leave out for routes whose successes are not audited.
   */
  readonly result?: (request: Request, result: Result) => AuditRecord | undefined;
}

/**
 * A result shown now, or shown now and shown again to everyone (the card's latest state) in the
 * stored message `messageId` — a message HuntOps recorded (a hunt's `messageId`), never an id taken
 * from the request. Without a stored message there is no update for everyone.
 */
export type Presentation = View | { readonly view: View; readonly everyone: () => Promise<View>; readonly messageId: string | undefined };

/** Whether long work is still waiting for the backend or running. */
export type ProgressState = 'running' | 'queued';

/**
 * Long work a handler started: `started` describes it at once (the progress card); `finish` runs
 * it after the acknowledgement is posted and resolves with the result. `finish` never rejects:
 * failures are results too.
 */
export class Deferred<Started, Finished> {
  constructor(
    readonly started: Started,
    readonly finish: (posted: PostedMessage, queued: () => void, pace: Pace) => Promise<Finished>,
    /** For a card button: the stored message the work updates (a hunt's `messageId`), never one the request names. */
    readonly messageId?: string,
  ) {}
}

/** Who may use it and how it is audited: a responder route always names its audit action. */
type Guard<Request, Result> =
  | { readonly access: 'anyone'; readonly audit?: AuditSpec<Request, Result> }
  | { readonly access: 'responder'; readonly audit: AuditSpec<Request, Result> };

/** A route that answers within the turn. */
interface Immediate<Request, Result> {
  /** The domain operation; lookups of ids happen here, after authorization. */
  readonly handle: (request: Request, context: RequestContext) => Promise<Result>;
  readonly present: (result: Result, request: Request) => Presentation;
}

/** A route that acknowledges at once and answers later, in place. */
interface Later<Request, Started, Result> {
  readonly start: (request: Request, context: RequestContext) => Promise<Deferred<Started, Result>>;
  readonly progress: (started: Started, state: ProgressState) => View;
  readonly present: (result: Result, request: Request) => View;
}

/**
 * Whether a route's work counts against the caller's limits (`hunt-limits.ts`): the per-user rate
 * and the pending caps. Routes that reach the backend (hunts, checks, Details, creating a watch: its
 * baseline runs at once) say `limited: true`; the pipeline refuses over a limit with a card saying
 * when to try again.
 */
interface Limit {
  readonly limited?: boolean;
}

/** What a route does once its request is read. */
export type RouteBody<Request, Result, Started = never> = Guard<Request, Result> &
  Limit &
  (Immediate<Request, Result> | Later<Request, Started, Result>);

/** A chat command: its first word, its help, and its word grammar. */
export type CommandSpec<Request, Result, Started = never> = RouteBody<Request, Result, Started> & {
  /** The first word (lower case), or the first two (`exclusions sync`: matched before the one-word command). */
  readonly command: string;
  readonly usage: readonly string[];
  readonly summary: string;
  readonly example: string;
  /** Reads the words after the command; throws a `UserError` with the usage for anything else. */
  readonly parse: (words: readonly string[], context: RequestContext) => Request;
};

/** A card button: its `Action.Execute` verb and the schema of its (untrusted) data. */
export type ButtonSpec<Request, Result, Started = never> = RouteBody<Request, Result, Started> & {
  readonly verb: Verb;
  readonly data: z.ZodType<Request>;
  /**
   * Set for a button whose answer (and any refusal or error) is a new message in the conversation,
   * not a replacement of the clicked card; the clicker is told `acknowledgement` at once.
   */
  readonly answersWithNewMessage?: { readonly acknowledgement: string };
};
