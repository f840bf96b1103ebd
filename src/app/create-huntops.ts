/**
 * HuntOps assembled from its options: the domain operations, the route registry on top of them,
 * and the app that runs every route through the pipeline. Used by the bot (`run-bot.ts`), the CLI
 * and tests; no transport here.
 */
import { AccessPolicy } from '../core/access';
import { HuntOpsApp } from '../core/app';
import { Auditor } from '../core/audit';
import { DeviceCheckService } from '../core/device-check';
import { EscalationService } from '../core/escalations';
import { ExclusionSync } from '../core/exclusion-sync';
import { ExclusionService } from '../core/exclusions';
import type { HuntTargets } from '../core/hunt-targets';
import { HuntService } from '../core/hunt-service';
import { IncidentService } from '../core/incidents';
import { interruptedHuntView } from '../core/presenters/hunt-views';
import { createRoutes } from '../core/routes';
import type { View } from '../core/views';
import { SanctionService } from '../core/sanctions';
import { watchPostPresenter } from '../core/watch-posts';
import { watchClassifier, WatchRunner } from '../core/watch-runner';
import { watchPostAuditor, WatchService } from '../core/watches';
import { loadCatalog } from '../hunt/catalog';
import { NO_RULES } from '../hunt/rule-book';
import { DEFAULT_WATCH_MIN_INTERVAL_MS } from '../watch/interval';
import { WatchScheduler } from '../watch/watch-scheduler';
import type { HuntOpsOptions } from './huntops-options';

/** A message to update in place, outside any turn. */
export interface MessageUpdate {
  readonly huntId: string;
  /** The conversation reference the message was posted in (opaque). */
  readonly reference: unknown;
  readonly messageId: string;
  readonly view: View;
}

/** The assembled core. */
export interface HuntOps {
  readonly app: HuntOpsApp;
  readonly targets: HuntTargets;
  /** Runs the watches; the bot starts and stops it (the CLI never does). */
  readonly watches: WatchScheduler;
  /** The exclusions' Sentinel watchlist (its periodic pass is started by the bot), when Sentinel is configured. */
  readonly mirror?: ExclusionSync;
  /** Marks the hunts a restart interrupted; returns their messages, to say so on them. */
  interruptUnfinished(): Promise<MessageUpdate[]>;
}

/** Builds the core. */
export function createHuntOps(options: HuntOpsOptions): HuntOps {
  const catalog = options.catalog ?? loadCatalog();
  const rules = options.rules ?? NO_RULES;
  const now = options.now ?? (() => new Date());
  const { targets, store, log } = options;
  const maxDevices = options.maxDevices ?? 500;
  const hunts = new HuntService({ targets, catalog, store, log, instanceId: options.instanceId, maxDevices, now });
  const checks = new DeviceCheckService({ targets, catalog, store, log, now });
  const notifyOutbox = options.notifyOutbox ?? (() => {});
  const sentinel = options.sentinel ? { sentinel: options.sentinel } : {};
  const mirror = options.sentinel && new ExclusionSync({ store, sentinel: options.sentinel, now, notifyOutbox, log });
  const exclusions = new ExclusionService({ store, now, ...(mirror ? { changed: (exclusion) => mirror.changed(exclusion) } : {}) });
  const escalations = new EscalationService({
    store,
    catalog,
    notifyOutbox,
    ...sentinel,
    ...(options.incidentChannel ? { configuredChannel: options.incidentChannel } : {}),
  });
  const watch = options.watch ?? {};
  const minIntervalMs = watch.minIntervalMs ?? DEFAULT_WATCH_MIN_INTERVAL_MS;
  const watchDeps = { catalog, rules, targets, maxDevices };
  const scheduler = new WatchScheduler({
    store,
    runner: new WatchRunner(watchDeps),
    classify: watchClassifier(watchDeps),
    present: watchPostPresenter({ ...watchDeps, store, instanceId: options.instanceId, ...(watch.overlapMs !== undefined ? { overlapMs: watch.overlapMs } : {}) }),
    audit: watchPostAuditor(store, log),
    onEnqueued: notifyOutbox,
    log,
    now,
    minIntervalMs,
    ...(watch.overlapMs !== undefined ? { overlapMs: watch.overlapMs } : {}),
    ...(watch.pollMs !== undefined ? { pollMs: watch.pollMs } : {}),
  });
  const watches = new WatchService({ scheduler, store, targets, now });
  const sanctions = new SanctionService(store);
  const incidents = new IncidentService({ store, notifyOutbox, ...sentinel });
  const app = new HuntOpsApp({
    routes: createRoutes({
      catalog,
      rules,
      hunts,
      checks,
      exclusions,
      escalations,
      incidents,
      ...(mirror ? { mirror } : {}),
      watches,
      sanctions,
      watchMinIntervalMs: minIntervalMs,
      store,
      now,
    }),
    access: new AccessPolicy(options.access),
    auditor: new Auditor(store, log),
    log,
  });
  return {
    app,
    targets,
    watches: scheduler,
    ...(mirror ? { mirror } : {}),
    interruptUnfinished: async () =>
      (await hunts.interruptUnfinished()).map((interrupted) => ({
        huntId: interrupted.hunt.id,
        reference: interrupted.reference,
        messageId: interrupted.messageId,
        view: interruptedHuntView(interrupted),
      })),
  };
}
