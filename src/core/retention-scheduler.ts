/**
 * Retention on a schedule: every few hours the store forgets hunts (with their findings) and
 * delivered or dead outbox posts older than `HUNT_RETENTION`, and audit entries older than
 * `HUNT_AUDIT_RETENTION` (see `Store.purge` for what is kept). Each purge that removed something
 * is itself audited. Several bot instances may run it on one store.
 */
import type { PurgeResult, Store } from '../store/store';
import type { Log } from './log';

const DAY_MS = 86_400_000;

/** How long records are kept. */
export interface RetentionPolicy {
  /** Hunts, their findings, and delivered or dead outbox posts. */
  readonly huntsMs: number;
  /** The audit trail. */
  readonly auditMs: number;
}

/** Hunts 90 days, the audit 365 days. */
export const DEFAULT_RETENTION: RetentionPolicy = Object.freeze({ huntsMs: 90 * DAY_MS, auditMs: 365 * DAY_MS });

/** Options of the scheduler. */
export interface RetentionSchedulerOptions {
  readonly store: Pick<Store, 'purge' | 'appendAudit'>;
  readonly policy: RetentionPolicy;
  readonly log: Log;
  /** Time between purges. Default 6 hours. */
  readonly intervalMs?: number;
  /** Default: the system clock. */
  readonly clock?: () => Date;
}

const SYSTEM = { aadObjectId: 'huntops', name: 'HuntOps' };

/** Purges the store on a timer. */
export class RetentionScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;

  constructor(private readonly options: RetentionSchedulerOptions) {}

  /** Purges at once (in the background), then once per interval. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Cancels the next purge and waits for one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Purges now what the policy no longer keeps. Rejects when the store does. */
  async runOnce(): Promise<PurgeResult> {
    const { store, policy, log } = this.options;
    const now = (this.options.clock ?? (() => new Date()))().getTime();
    const huntsBefore = new Date(now - policy.huntsMs);
    const auditBefore = new Date(now - policy.auditMs);
    const result = await store.purge({ huntsBefore, auditBefore });
    if (result.hunts + result.outboxItems + result.auditEntries > 0) {
      log.info({ ...result, huntsBefore, auditBefore }, 'retention: purged');
      await store.appendAudit({
        actor: SYSTEM,
        conversationId: 'retention',
        action: 'purge',
        details: { ...result, huntsBefore: huntsBefore.toISOString(), auditBefore: auditBefore.toISOString() },
        outcome: 'ok',
      });
    }
    return result;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: unknown) => this.options.log.error({ err: error }, 'retention: the purge failed; it is tried again at the next interval'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.options.intervalMs ?? 6 * 3_600_000);
        });
    }, delayMs);
    this.timer.unref();
  }
}
