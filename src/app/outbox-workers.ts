/**
 * The outbox's delivery workers: one for Teams (new threads, replies, posts) and, with Sentinel, one
 * for Sentinel calls, each claiming its own kinds of item with a lease longer than its deliveries
 * take, woken together when something is enqueued. Only the Teams worker gives posts up for their
 * age and tells an incident's channel about a lost post; Sentinel calls are retried by their own
 * policy, and one that fails for good is reported by its poster (a card with Retry).
 */
import type { Log } from '../core/log';
import { mirrorTenant } from '../core/exclusion-sync';
import { DEFAULT_OUTBOX_MAX_AGE_MS, OutboxWorker, type OutboxPoster } from '../core/outbox-worker';
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
  /** How long a Teams post may stay unsent before it is given up (`HUNT_OUTBOX_MAX_AGE`). Default {@link DEFAULT_OUTBOX_MAX_AGE_MS}. */
  readonly maxAgeMs?: number;
  readonly now?: () => Date;
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
  const teams = new OutboxWorker({
    store,
    log,
    poster: options.teams,
    kinds: ['new-thread', 'reply', 'post'],
    maxAgeMs: options.maxAgeMs ?? DEFAULT_OUTBOX_MAX_AGE_MS,
    tellChannel: true,
    ...(options.now ? { now: options.now } : {}),
    ...poll,
  });
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
        tenantOf: (item) => (item.incidentNumber !== undefined ? item.team : mirrorTenant(item.team)),
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
