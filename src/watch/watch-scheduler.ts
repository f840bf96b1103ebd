/**
 * Runs watches: hunts that keep running and speak only when something is new.
 *
 * Each tick claims due watches with a lease (several bot instances on one store: each due run
 * happens once) and runs each one:
 * 1. its window (`watch-window.ts`): the baseline window first, then the time since the previous
 *    run plus an ingestion-delay overlap; an overdue watch (restart, outage) catches up in one run;
 * 2. its hunt, through the injected runner at background priority;
 * 3. sorts the findings out (`sort-findings.ts`): excluded and sanctioned devices are not reported,
 *    unsanctioned instances always are;
 * 4. records the devices new to the watch under the run's key (the store keeps each device once per
 *    watch, however many instances race) and enqueues one outbox post per run that recorded any —
 *    the baseline always posts its summary; nothing new, nothing posted. A run that died before
 *    enqueueing leaves its batch pending, and the next run of the watch posts it;
 * 5. finishes the run: the window advances and the next run is due an interval after this one
 *    started. A failed run keeps the window (the next run covers it) and is retried after
 *    `retryMs` (or the interval, if shorter).
 *
 * Plain TypeScript: the clock, the store, the hunt runner, the sanction classifier, the presenter
 * (the payload of each post) and the audit are injected.
 */
import { AsyncResource } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { Actor, Created, Exclusion, ExclusionStore, OpaqueJson, SanctionStore, Watch, WatchBatch, WatchBatchKind, WatchRef, WatchStore } from '../store/store';
import { DEFAULT_WATCH_LEASE_MS, type ClaimedWatch, type NewWatch } from '../store/store';
import type { WatchHuntRunner } from './hunt-runner';
import { DEFAULT_WATCH_MIN_INTERVAL_MS, watchIntervalProblem } from './interval';
import type { SanctionClassifier } from './sanction-classifier';
import { sortWatchFindings } from './sort-findings';
import type { WatchRunKind, WatchRunSummary } from './watch-summary';
import { watchWindow, type WatchWindow } from './watch-window';

/** What the scheduler needs of the store. */
export type WatchSchedulerStore = WatchStore & Pick<SanctionStore, 'listSanctions'> & Pick<ExclusionStore, 'listExclusions'>;

/** Builds the payload of a post (a view the transport renders); the post goes to the watch's conversation. */
export type WatchPresenter = (watch: Watch, batch: WatchBatch) => OpaqueJson | Promise<OpaqueJson>;

/** What the audit hears about. */
export type WatchAuditEvent =
  | { readonly action: 'watch-create'; readonly actor: Actor; readonly watch: Watch }
  | { readonly action: 'watch-stop'; readonly actor: Actor; readonly watch: Watch }
  | {
      readonly action: 'watch-post';
      readonly watch: Watch;
      readonly runKey: string;
      readonly kind: WatchBatchKind;
      /** Devices in the post. */
      readonly devices: number;
      readonly outboxId: string;
    };

/** The logging the scheduler does (a pino logger or the core's `Log` fits). */
export interface WatchLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** Options of the scheduler. */
export interface WatchSchedulerOptions {
  readonly store: WatchSchedulerStore;
  readonly runner: WatchHuntRunner;
  readonly classify: SanctionClassifier;
  readonly present: WatchPresenter;
  /** Records create, stop and each post; a failure is logged, never fails the action. */
  readonly audit?: (event: WatchAuditEvent) => void | Promise<void>;
  /** Called after a post was enqueued (wake the outbox worker). */
  readonly onEnqueued?: () => void;
  /** Active exclusions for a tenant's watches; default: every active exclusion in the store. */
  readonly exclusions?: (tenant: string, now: Date) => Promise<readonly Exclusion[]>;
  readonly log?: WatchLog;
  readonly now?: () => Date;
  /** Shortest interval a watch may have (`HUNT_WATCH_MIN_INTERVAL`). Default 15 minutes. */
  readonly minIntervalMs?: number;
  /** Ingestion-delay overlap with the previous run. Default 30 minutes (`watch-window.ts`). */
  readonly overlapMs?: number;
  /** Longest window a run asks for. Default 30 days. */
  readonly maxWindowMs?: number;
  /** How long a claimed run is held. Default 30 minutes. */
  readonly leaseMs?: number;
  /** When a failed run is tried again (at most the interval). Default 5 minutes. */
  readonly retryMs?: number;
  /** Watches claimed and run at once per tick. Default 5. */
  readonly batch?: number;
  /** How often to look for due watches. Default: half the shortest interval, between 1 s and 30 s. */
  readonly pollMs?: number;
}

/** A watch refused for a reason the analyst can fix (the interval). */
export class WatchInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WatchInputError';
  }
}

/** What one run did. */
export interface WatchRunReport extends WatchRef {
  readonly kind: WatchRunKind;
  readonly window: WatchWindow;
  /** Posts enqueued. */
  readonly posts: number;
  /** False when the lease had passed to another instance before the run finished. */
  readonly finished: boolean;
}

const SILENT: WatchLog = { info() {}, warn() {}, error() {} };

/** Runs due watches on a timer, or one tick at a time ({@link runDue}). */
export class WatchScheduler {
  private readonly now: () => Date;
  private readonly log: WatchLog;
  private readonly minIntervalMs: number;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;
  private controller = new AbortController();
  /**
   * Looks for due watches in the context the scheduler was made in, not in the caller's: a watch
   * created in a turn must not make every later run part of that turn (its log lines, its id).
   */
  private readonly wake = AsyncResource.bind(() => this.tick());

  constructor(private readonly options: WatchSchedulerOptions) {
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? SILENT;
    this.minIntervalMs = options.minIntervalMs ?? DEFAULT_WATCH_MIN_INTERVAL_MS;
    this.pollMs = options.pollMs ?? Math.min(30_000, Math.max(1_000, Math.floor(this.minIntervalMs / 2)));
  }

  /** Creates a watch (once per key) after checking its interval; its baseline runs at once. Throws {@link WatchInputError}. */
  async createWatch(watch: NewWatch): Promise<Created<Watch>> {
    const problem = watchIntervalProblem(watch.intervalMs, this.minIntervalMs);
    if (problem) throw new WatchInputError(problem);
    const created = await this.options.store.createWatch(watch);
    if (created.created) {
      await this.audit({ action: 'watch-create', actor: watch.createdBy, watch: created.record });
      this.notify();
    }
    return created;
  }

  /** Stops a watch; `undefined` when there is none with that number. */
  async stopWatch(ref: WatchRef, by: Actor): Promise<{ readonly record: Watch; readonly stopped: boolean } | undefined> {
    const result = await this.options.store.stopWatch(ref, by);
    if (result?.stopped) await this.audit({ action: 'watch-stop', actor: by, watch: result.record });
    return result;
  }

  /** Starts looking for due watches every `pollMs`. */
  start(): void {
    if (this.controller.signal.aborted) this.controller = new AbortController();
    this.stopped = false;
    this.notify();
  }

  /** Looks for due watches now. */
  notify(): void {
    this.wake();
  }

  private tick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (!this.stopped) this.timer = setTimeout(() => this.notify(), this.pollMs);
    });
  }

  /** Stops the timer, cancels the hunts in flight (their runs are retried later) and waits for the tick. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.controller.abort(new Error('the watch scheduler is stopping'));
    await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while (!this.stopped && (await this.runDue()).length >= (this.options.batch ?? 5));
      } catch (error) {
        this.log.error({ err: error }, 'watch: could not claim due watches');
      }
    } while (this.again && !this.stopped);
  }

  /** Claims the due watches (up to `batch`) and runs them; returns what each run did. */
  async runDue(): Promise<WatchRunReport[]> {
    const claimed = await this.options.store.claimDueWatches({ limit: this.options.batch ?? 5, leaseMs: this.options.leaseMs ?? DEFAULT_WATCH_LEASE_MS });
    return Promise.all(claimed.map((watch) => this.run(watch)));
  }

  private async run(watch: ClaimedWatch): Promise<WatchRunReport> {
    const { store, runner } = this.options;
    const now = this.now();
    const baseline = watch.windowEnd === undefined;
    const window = watchWindow(watch, now, {
      ...(this.options.overlapMs !== undefined && { overlapMs: this.options.overlapMs }),
      ...(this.options.maxWindowMs !== undefined && { maxWindowMs: this.options.maxWindowMs }),
    });
    const ref = { tenant: watch.tenant, id: watch.id };
    const windowText = { start: window.start.toISOString(), end: window.end.toISOString() };
    let posts = 0;
    try {
      const signal = this.controller.signal;
      const result = await runner.runHunt(watch.spec, window, { priority: 'background', tenant: watch.tenant, signal });
      const sorted = await sortWatchFindings({
        tenant: watch.tenant,
        spec: watch.spec,
        findings: result.findings,
        window,
        now,
        exclusions: await (this.options.exclusions ?? ((_, at) => store.listExclusions({ activeAt: at })))(watch.tenant, now),
        sanctions: await store.listSanctions(watch.tenant),
        classify: this.options.classify,
        signal,
      });
      const runKey = baseline ? 'baseline' : `run-${now.getTime()}-${randomBytes(6).toString('base64url')}`;
      const { recorded } = await store.recordWatchSightings(ref, { runKey, kind: baseline ? 'baseline' : 'new-devices' }, sorted.report);
      posts = await this.postPending(watch);
      const kind: WatchRunKind = baseline ? 'baseline' : recorded > 0 ? 'new-devices' : 'nothing-new';
      const summary: WatchRunSummary = {
        kind,
        window: windowText,
        found: sorted.found,
        reported: recorded,
        excluded: sorted.excluded,
        sanctioned: sorted.sanctioned,
        posts,
        ...(window.truncated && { truncated: true }),
        ...(result.partial && { partial: result.partial.message }),
      };
      const finished = await store.finishWatchRun(watch.lease, {
        status: 'done',
        windowEnd: window.end,
        nextRunAt: new Date(now.getTime() + watch.intervalMs),
        result: summary,
      });
      this.log.info({ watch: ref, kind, found: sorted.found, reported: recorded, posts, finished }, 'watch run finished');
      return { ...ref, kind, window, posts, finished };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn({ watch: ref, err: error }, 'watch run failed');
      const summary: WatchRunSummary = { kind: 'failed', window: windowText, found: 0, reported: 0, excluded: 0, sanctioned: 0, posts, error: message.slice(0, 500) };
      const retryMs = Math.min(watch.intervalMs, this.options.retryMs ?? 5 * 60_000);
      const finished = await store
        .finishWatchRun(watch.lease, { status: 'failed', nextRunAt: new Date(now.getTime() + retryMs), result: summary })
        .catch((finishError: unknown) => {
          this.log.error({ watch: ref, err: finishError }, 'watch: could not record the failed run');
          return false;
        });
      return { ...ref, kind: 'failed', window, posts, finished };
    }
  }

  /** Enqueues the posts of the watch's pending batches (this run's, and any a dead run left); returns how many. */
  private async postPending(watch: Watch): Promise<number> {
    const { store } = this.options;
    const ref = { tenant: watch.tenant, id: watch.id };
    let posts = 0;
    for (const batch of await store.listPendingWatchBatches(ref)) {
      const payload = await this.options.present(watch, batch);
      const enqueued = await store.enqueueWatchPost(ref, batch.runKey, { target: watch.conversation, payload });
      if (!enqueued?.created) continue;
      posts += 1;
      this.options.onEnqueued?.();
      await this.audit({ action: 'watch-post', watch, runKey: batch.runKey, kind: batch.kind, devices: batch.sightings.length, outboxId: enqueued.record.id });
    }
    return posts;
  }

  private async audit(event: WatchAuditEvent): Promise<void> {
    try {
      await this.options.audit?.(event);
    } catch (error) {
      this.log.error({ err: error, action: event.action, watch: { tenant: event.watch.tenant, id: event.watch.id } }, 'watch: could not write the audit entry');
    }
  }
}
