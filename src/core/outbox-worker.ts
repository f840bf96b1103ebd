/**
 * Delivers the outbox: claims due items with a lease, posts them through the transport, and records
 * the outcome — sent, retried later (429, 5xx, network: with backoff, honouring Retry-After) or dead.
 * Several bot instances may run workers on one store: the lease keeps them from posting one item twice.
 * One worker per destination (Teams posts, Sentinel calls), each claiming its own kinds of item.
 * Escalations (`new-thread`, `reply`) and watches' posts (`post`) are told apart in the log, and a
 * post that is given up is audited as `post-escalation` or `post-watch`.
 */
import type { ClaimedOutboxItem, OutboxKind, Store } from '../store/store';
import type { AuditAction } from './audit';
import type { Log } from './log';

/** A post that failed; `retryable` failures are tried again later. */
export class PostFailure extends Error {
  constructor(
    message: string,
    readonly options: { readonly retryable: boolean; readonly retryAfterMs?: number },
  ) {
    super(message);
    this.name = 'PostFailure';
  }
}

/** Posts one outbox item; the transport implements it. Throws {@link PostFailure} (or anything, taken as retryable). */
export interface OutboxPoster {
  post(item: ClaimedOutboxItem): Promise<{ readonly activityId: string }>;
  /** Told when an item went dead (its last error), to say so where people look. */
  gaveUp?(item: ClaimedOutboxItem, error: string): Promise<void>;
}

/** Options of the worker. */
export interface OutboxWorkerOptions {
  readonly store: Store;
  readonly poster: OutboxPoster;
  readonly log: Log;
  /** How often to look for due items when nothing wakes the worker. Default 2 s. */
  readonly pollMs?: number;
  /** Items claimed at once. Default 10. */
  readonly batch?: number;
  /** The kinds of item this worker delivers. Default: every kind. */
  readonly kinds?: readonly OutboxKind[];
  /** How long a claim lasts: longer than delivering a batch may take. Default: the store's policy. */
  readonly leaseMs?: number;
  /** What a dead item is audited as. Default `post-escalation`. */
  readonly auditAction?: AuditAction;
}

const SYSTEM = { aadObjectId: 'huntops', name: 'HuntOps' };

/** The outbox delivery loop. */
export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly options: OutboxWorkerOptions) {}

  /** Starts polling. */
  start(): void {
    this.stopped = false;
    this.notify();
  }

  /** Looks for due items now (after an escalation was recorded). */
  notify(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (!this.stopped) this.timer = setTimeout(() => this.notify(), this.options.pollMs ?? 2000);
    });
  }

  /** Stops polling and waits for the posts in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Claims and delivers one batch; returns how many items it handled. */
  async runOnce(): Promise<number> {
    const { store, log } = this.options;
    const { kinds, leaseMs } = this.options;
    const items = await store.claimOutbox({ limit: this.options.batch ?? 10, ...(kinds ? { kinds } : {}), ...(leaseMs ? { leaseMs } : {}) });
    for (const item of items) await this.deliver(item);
    if (items.length > 0) log.debug({ items: items.length }, 'outbox batch delivered');
    return items.length;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.runOnce()) > 0);
      } catch (error) {
        this.options.log.error({ err: error }, 'outbox: could not claim items');
      }
    } while (this.again && !this.stopped);
  }

  private async deliver(item: ClaimedOutboxItem): Promise<void> {
    const { store, poster, log } = this.options;
    let activityId: string;
    try {
      ({ activityId } = await poster.post(item));
    } catch (error) {
      const failure = error instanceof PostFailure ? error : undefined;
      const message = error instanceof Error ? error.message : String(error);
      const status = await store.failOutbox(item.lease, {
        error: message,
        ...(failure?.options.retryAfterMs !== undefined ? { retryAfterMs: failure.options.retryAfterMs } : {}),
        ...(failure && !failure.options.retryable ? { permanent: true } : {}),
      });
      log.warn({ outboxId: item.id, kind: item.kind, attempts: item.attempts, status, err: error }, item.kind === 'post' ? 'watch post failed' : 'outbox post failed');
      if (status === 'dead') {
        await store.appendAudit({
          actor: SYSTEM,
          conversationId: 'outbox',
          action: this.options.auditAction ?? (item.kind === 'post' ? 'post-watch' : 'post-escalation'),
          details:
            item.kind === 'post'
              ? { outboxId: item.id, key: item.key, attempts: item.attempts, error: message }
              : { outboxId: item.id, incident: item.incidentNumber, attempts: item.attempts, error: message },
          outcome: 'failed',
        });
        await poster.gaveUp?.(item, message).catch((reason: unknown) => log.error({ err: reason, outboxId: item.id }, 'outbox: could not report a dead item'));
      }
      return;
    }
    const completed = await store.completeOutbox(item.lease, { activityId });
    if (!completed) log.warn({ outboxId: item.id, kind: item.kind, activityId }, 'outbox item was posted after its lease passed to another worker');
    else if (item.kind === 'post') log.info({ outboxId: item.id, activityId, key: item.key }, 'watch post posted');
    else log.info({ outboxId: item.id, activityId, kind: item.kind, incident: item.incidentNumber }, 'escalation posted');
  }
}
