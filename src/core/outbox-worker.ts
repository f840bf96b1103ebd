/**
 * Delivers the outbox: claims due items with a lease, posts them through the transport, and records
 * the outcome — sent, retried later (429, 5xx, network: with backoff, honouring Retry-After) or dead.
 * Several bot instances may run workers on one store: the lease keeps them from posting one item twice.
 * One worker per destination (Teams posts, Sentinel calls), each claiming its own kinds of item.
 * Escalations (`new-thread`, `reply`) and watches' posts (`post`) are told apart in the log, and a
 * post that dies is audited (in its tenant) as `post-escalation` or `post-watch`.
 *
 * Posts that can always arrive (the Teams worker): a card Teams refuses for its size is posted again
 * reduced (by the transport; audited here); an item still unsent `maxAgeMs` after it was enqueued
 * (`HUNT_OUTBOX_MAX_AGE`, default {@link DEFAULT_OUTBOX_MAX_AGE_MS}) is given up; when a post of an
 * incident dies — refused, out of attempts, given up — the incident channel is told (a notice, which
 * is itself never re-announced). An incident whose opening post died is re-rooted by the store. A
 * watch's post, once sent, becomes its hunt's message (updates for everyone go there).
 */
import type { ClaimedOutboxItem, OutboxItem, OutboxKind, Store } from '../store/store';
import type { AuditAction } from './audit';
import type { Log } from './log';
import { readOutboxPayload } from './payloads/outbox-payload';
import { lostPostNotice } from './presenters/escalation-views';

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

/**
 * Posts one outbox item; the transport implements it. Throws {@link PostFailure} (or anything, taken
 * as retryable). `reduced` says Teams refused the card for its size and a reduced one was posted.
 */
export interface OutboxPoster {
  post(item: ClaimedOutboxItem): Promise<{ readonly activityId: string; readonly reduced?: boolean }>;
  /** Told when an item went dead (its last error), to say so where people look. */
  gaveUp?(item: ClaimedOutboxItem, error: string): Promise<void>;
}

/** How long a post may stay unsent before it is given up, by default: a day. */
export const DEFAULT_OUTBOX_MAX_AGE_MS = 24 * 3_600_000;

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
  /** What a dead item is audited as. Default `post-watch` for a watch's post, else `post-escalation`. */
  readonly auditAction?: AuditAction;
  /**
   * How long an item of this worker's kinds may stay unsent before it is given up
   * (`HUNT_OUTBOX_MAX_AGE`); without it, nothing is given up for its age.
   */
  readonly maxAgeMs?: number;
  /** Tell an incident's channel when one of its posts dies (Teams posts; a Sentinel call's failure is its poster's to report). */
  readonly tellChannel?: boolean;
  /** The tenant scope an item's audit entries belong to. Default: its team (teams are tenant scopes). */
  readonly tenantOf?: (item: OutboxItem) => string | undefined;
  readonly now?: () => Date;
}

/** "24 hours", "90 minutes". */
function describeAge(ms: number): string {
  const hours = ms / 3_600_000;
  if (Number.isInteger(hours)) return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
  const minutes = Math.round(ms / 60_000);
  return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
}

/** Text from outside (an error message) as the audit keeps it: no control characters, bounded. */
function bounded(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]/gu, ' ').slice(0, 200);
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

  /** Gives up on posts past their age, then claims and delivers one batch; returns how many items it handled. */
  async runOnce(): Promise<number> {
    const { store, log, kinds, leaseMs, maxAgeMs } = this.options;
    if (maxAgeMs !== undefined) {
      const now = (this.options.now ?? (() => new Date()))();
      const reason = `gave up after ${describeAge(maxAgeMs)}`;
      const given = await store.giveUpOutbox({ createdBefore: new Date(now.getTime() - maxAgeMs), error: reason, ...(kinds ? { kinds } : {}) });
      for (const item of given) {
        log.warn({ outboxId: item.id, incident: item.incidentNumber, kind: item.kind }, item.kind === 'post' ? 'watch post given up' : 'outbox post given up');
        await this.lost(item, reason, { reason });
      }
    }
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
    let reduced: boolean | undefined;
    try {
      ({ activityId, reduced } = await poster.post(item));
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
        await this.lost(item, bounded(message), { attempts: item.attempts, error: bounded(message) });
        await poster.gaveUp?.(item, message).catch((reason: unknown) => log.error({ err: reason, outboxId: item.id }, 'outbox: could not report a dead item'));
      }
      return;
    }
    const completed = await store.completeOutbox(item.lease, { activityId });
    if (!completed) log.warn({ outboxId: item.id, kind: item.kind, activityId }, 'outbox item was posted after its lease passed to another worker');
    else if (item.kind === 'post') log.info({ outboxId: item.id, activityId, key: item.key, reduced }, 'watch post posted');
    else log.info({ outboxId: item.id, activityId, kind: item.kind, incident: item.incidentNumber, reduced }, 'escalation posted');
    if (completed && item.kind === 'post') await this.keepWatchMessage(item, activityId);
    if (reduced) {
      log.warn({ outboxId: item.id, kind: item.kind, incident: item.incidentNumber }, 'Teams refused the card for its size: a reduced card was posted');
      await this.audit(item, 'ok', { reduced: true });
    }
  }

  /** A watch's post of new devices is the message of the hunt that keeps them: updates for everyone go there. */
  private async keepWatchMessage(item: OutboxItem, activityId: string): Promise<void> {
    const payload = readOutboxPayload(item.payload);
    if (!payload || !('version' in payload) || payload.kind !== 'watch-post' || !payload.found) return;
    try {
      await this.options.store.setHuntMessage(payload.found.huntId, activityId);
    } catch (error) {
      this.options.log.error({ err: error, outboxId: item.id }, "outbox: could not record the watch post's message");
    }
  }

  /** A post that died: audited in its tenant, and (when told to) the incident channel told, unless it was such a notice. */
  private async lost(item: OutboxItem, reason: string, details: Record<string, string | number>): Promise<void> {
    await this.audit(item, 'failed', details);
    if (!this.options.tellChannel || item.incidentNumber === undefined || item.kind === 'post') return;
    const payload = readOutboxPayload(item.payload);
    const isNotice = payload !== undefined && ('version' in payload ? payload.kind === 'notice' : payload.name === 'notice');
    if (isNotice) return;
    try {
      const told = await this.options.store.enqueueOutbox({ key: `lost:${item.id}`, team: item.team, kind: 'new-thread', target: item.target, payload: lostPostNotice(item, reason) });
      if (told.created) this.again = true;
    } catch (error) {
      this.options.log.error({ err: error, outboxId: item.id }, 'outbox: could not tell the channel about a lost post');
    }
  }

  private async audit(item: OutboxItem, outcome: 'ok' | 'failed', details: Record<string, string | number | boolean>): Promise<void> {
    const tenant = (this.options.tenantOf ?? ((i: OutboxItem) => i.team))(item);
    try {
      await this.options.store.appendAudit({
        ...(tenant !== undefined ? { tenant } : {}),
        actor: SYSTEM,
        conversationId: 'outbox',
        action: this.options.auditAction ?? (item.kind === 'post' ? 'post-watch' : 'post-escalation'),
        details: item.kind === 'post' ? { outboxId: item.id, key: item.key, kind: item.kind, ...details } : { outboxId: item.id, incident: item.incidentNumber, kind: item.kind, ...details },
        outcome,
      });
    } catch (error) {
      this.options.log.error({ err: error, outboxId: item.id }, 'outbox: could not write the audit entry');
    }
  }
}
