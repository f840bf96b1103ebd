/**
 * Watches as domain operations: create one from a parsed `watch` (where it was typed is where it
 * posts), list a tenant's active watches, stop one. The scheduler (`watch/watch-scheduler.ts`)
 * checks the interval, keeps the watch in the store and runs it; the routes audit creating and
 * stopping (with refusals and failures), {@link watchPostAuditor} each post.
 */
import type { Actor, Created, Store, Watch, WatchRef } from '../store/store';
import { WatchInputError, type WatchAuditEvent, type WatchScheduler } from '../watch/watch-scheduler';
import { actorOf } from './access';
import type { RequestContext } from './context';
import type { HuntTargets } from './hunt-targets';
import type { Log } from './log';
import { checkWindow } from './parse-hunt';
import { readWatchHunt, watchSpecOf } from './payloads/watch-spec';
import { tenantOf } from './tenant';
import { UserError } from './user-error';
import { WATCH_USAGE, type WatchRequest } from './watch-words';

/** What watches need. */
export interface WatchServiceDeps {
  readonly scheduler: Pick<WatchScheduler, 'createWatch' | 'stopWatch'>;
  readonly store: Store;
  readonly targets: HuntTargets;
  readonly now: () => Date;
}

/** Watch operations. */
export class WatchService {
  constructor(private readonly deps: WatchServiceDeps) {}

  /** Creates the watch once per request; its baseline runs at once and posts into the conversation it was typed in. */
  async create(request: WatchRequest, context: RequestContext): Promise<Created<Watch>> {
    if (context.reference === undefined) {
      throw new UserError('A watch posts into a conversation', 'Type watch in a Teams chat or channel: that is where it reports new devices.', WATCH_USAGE);
    }
    const { hunt, intervalMs } = request;
    const target = this.deps.targets.resolve(hunt.workspace);
    checkWindow(hunt.window, target.backend.maxWindow, target.backend.source, WATCH_USAGE);
    try {
      return await this.deps.scheduler.createWatch({
        key: `command:${context.requestId ?? `${context.conversation.id}:${this.deps.now().getTime()}`}`,
        tenant: tenantOf(context),
        spec: watchSpecOf(hunt, context.conversation),
        intervalMs,
        baselineWindowMs: hunt.window.ms,
        conversation: context.reference,
        createdBy: actorOf(context),
      });
    } catch (error) {
      if (error instanceof WatchInputError) throw new UserError('That interval does not work for a watch', error.message, WATCH_USAGE);
      throw error;
    }
  }

  /** The tenant's active watches, by number. */
  active(tenant: string): Promise<Watch[]> {
    return this.deps.store.listWatches({ tenant, active: true });
  }

  /** Stops a watch of the tenant; `undefined` when it has none with that number. */
  stop(ref: WatchRef, by: Actor): Promise<{ readonly record: Watch; readonly stopped: boolean } | undefined> {
    return this.deps.scheduler.stopWatch(ref, by);
  }
}

/** Who posts a watch's news in the audit trail. */
const HUNTOPS: Actor = { aadObjectId: 'huntops', name: 'HuntOps' };

/**
 * The scheduler's audit hook: each post (enqueued once per run that found something) as
 * `watch-post`, in the watch's conversation. Creating and stopping are audited by their routes.
 */
export function watchPostAuditor(store: Store, log: Log): (event: WatchAuditEvent) => Promise<void> {
  return async (event) => {
    if (event.action !== 'watch-post') return;
    const { watch } = event;
    try {
      await store.appendAudit({
        actor: HUNTOPS,
        conversationId: readWatchHunt(watch.spec)?.where.conversationId ?? `watch:${watch.id}`,
        action: 'watch-post',
        details: { watchId: watch.id, tenant: watch.tenant, kind: event.kind, devices: event.devices, runKey: event.runKey, outboxId: event.outboxId, createdBy: watch.createdBy.name },
        outcome: 'ok',
      });
    } catch (error) {
      log.error({ err: error, watch: { tenant: watch.tenant, id: watch.id } }, 'could not write the audit entry of a watch post');
    }
  };
}
