/**
 * The outbox's delivery workers: one for Teams (new threads, replies, posts) and, with Sentinel, one
 * for Sentinel calls, each claiming its own kinds of item with a lease longer than its deliveries
 * take, woken together when something is enqueued.
 */
import type { Log } from '../core/log';
import { OutboxWorker, type OutboxPoster } from '../core/outbox-worker';
import { SENTINEL_LEASE_MS, SentinelOutboxPoster } from '../core/sentinel-outbox';
import type { SentinelServices } from '../core/sentinel-services';
import type { Store } from '../store/store';

/** How the workers are set up. */
export interface OutboxWorkersOptions {
  readonly store: Store;
  readonly log: Log;
  /** Posts to Teams. */
  readonly teams: OutboxPoster;
  /** Sentinel, when configured. */
  readonly sentinel?: SentinelServices;
  /** How often each worker looks for due items when nothing wakes it. Default 2 s. */
  readonly pollMs?: number;
}

/** The running workers. */
export interface OutboxWorkers {
  readonly teams: OutboxWorker;
  readonly sentinel?: OutboxWorker;
  /** Wakes every worker (after something was enqueued). */
  notify(): void;
  start(): void;
  /** Stops polling and waits for the deliveries in progress. */
  stop(): Promise<void>;
}

/** Builds the workers (not started). */
export function createOutboxWorkers(options: OutboxWorkersOptions): OutboxWorkers {
  const { store, log } = options;
  const poll = options.pollMs === undefined ? {} : { pollMs: options.pollMs };
  const teams = new OutboxWorker({ store, log, poster: options.teams, kinds: ['new-thread', 'reply', 'post'], ...poll });
  const notify = () => {
    teams.notify();
    sentinel?.notify();
  };
  const sentinel = options.sentinel
    ? new OutboxWorker({
        store,
        log,
        poster: new SentinelOutboxPoster({ store, sentinel: options.sentinel, notifyOutbox: notify }),
        kinds: ['sentinel'],
        leaseMs: SENTINEL_LEASE_MS,
        auditAction: 'sentinel',
        ...poll,
      })
    : undefined;
  return {
    teams,
    ...(sentinel ? { sentinel } : {}),
    notify,
    start() {
      teams.start();
      sentinel?.start();
    },
    async stop() {
      await Promise.all([teams.stop(), sentinel?.stop()]);
    },
  };
}
