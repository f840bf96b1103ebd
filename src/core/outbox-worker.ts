/**
 * Delivers the outbox: claims due items with a lease, posts them through the transport, and records
 * the outcome — sent, retried later (429, 5xx, network: with backoff, honouring Retry-After) or dead.
 * Several bot instances may run workers on one store: the lease keeps them from posting one item twice.
 *
 * Escalations that can always arrive: a card Teams refuses for its size is posted again reduced (by
 * the transport; audited here); an item still unsent {@link DEFAULT_OUTBOX_MAX_AGE_MS} after it was
 * enqueued (`HUNT_OUTBOX_MAX_AGE`) is given up; every escalation post that dies — refused, out of
 * attempts, given up — is audited in its tenant and the incident channel is told (a notice, which is
 * itself never re-announced). An incident whose opening post died is re-rooted by the store.
 */
import type { ClaimedOutboxItem, OutboxItem, Store } from '../store/store';
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
  /** How long a post may stay unsent before it is given up (`HUNT_OUTBOX_MAX_AGE`). Default {@link DEFAULT_OUTBOX_MAX_AGE_MS}. */
  readonly maxAgeMs?: number;
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
    const { store, log } = this.options;
    const maxAgeMs = this.options.maxAgeMs ?? DEFAULT_OUTBOX_MAX_AGE_MS;
    const now = (this.options.now ?? (() => new Date()))();
    const reason = `gave up after ${describeAge(maxAgeMs)}`;
    const given = await store.giveUpOutbox({ createdBefore: new Date(now.getTime() - maxAgeMs), error: reason });
    for (const item of given) {
      log.warn({ outboxId: item.id, incident: item.incidentNumber, kind: item.kind }, 'outbox post given up');
      await this.lost(item, reason, { reason });
    }
    const items = await store.claimOutbox({ limit: this.options.batch ?? 10 });
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
      log.warn({ outboxId: item.id, attempts: item.attempts, status, err: error }, 'outbox post failed');
      if (status === 'dead') await this.lost(item, bounded(message), { attempts: item.attempts, error: bounded(message) });
      return;
    }
    const completed = await store.completeOutbox(item.lease, { activityId });
    if (!completed) log.warn({ outboxId: item.id, activityId }, 'outbox item was posted after its lease passed to another worker');
    else log.info({ outboxId: item.id, activityId, kind: item.kind, incident: item.incidentNumber, reduced }, 'escalation posted');
    if (reduced) {
      log.warn({ outboxId: item.id, incident: item.incidentNumber }, 'Teams refused the card for its size: a reduced card was posted');
      await this.audit(item, 'ok', { reduced: true });
    }
  }

  /** A post that died: audited in its tenant, and the incident channel told (unless it was such a notice). */
  private async lost(item: OutboxItem, reason: string, details: Record<string, string | number>): Promise<void> {
    await this.audit(item, 'failed', details);
    const payload = readOutboxPayload(item.payload);
    const isNotice = payload !== undefined && ('version' in payload ? payload.kind === 'notice' : payload.name === 'notice');
    if (isNotice || item.incidentNumber === undefined) return;
    try {
      const told = await this.options.store.enqueueOutbox({ key: `lost:${item.id}`, team: item.team, kind: 'new-thread', target: item.target, payload: lostPostNotice(item, reason) });
      if (told.created) this.again = true;
    } catch (error) {
      this.options.log.error({ err: error, outboxId: item.id }, 'outbox: could not tell the channel about a lost post');
    }
  }

  private async audit(item: OutboxItem, outcome: 'ok' | 'failed', details: Record<string, string | number | boolean>): Promise<void> {
    try {
      await this.options.store.appendAudit({
        tenant: item.team,
        actor: SYSTEM,
        conversationId: 'outbox',
        action: 'post-escalation',
        details: { outboxId: item.id, incident: item.incidentNumber, kind: item.kind, ...details },
        outcome,
      });
    } catch (error) {
      this.options.log.error({ err: error, outboxId: item.id }, 'outbox: could not write the audit entry');
    }
  }
}
