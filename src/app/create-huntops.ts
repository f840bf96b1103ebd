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
import { ExclusionService } from '../core/exclusions';
import type { HuntTargets } from '../core/hunt-targets';
import { DEFAULT_HUNT_LIMITS, HuntLimiter } from '../core/hunt-limits';
import { HuntService } from '../core/hunt-service';
import { interruptedHuntView } from '../core/presenters/hunt-views';
import { createRoutes } from '../core/routes';
import type { View } from '../core/views';
import { loadCatalog } from '../hunt/catalog';
import { NO_RULES } from '../hunt/rule-book';
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
  /** Marks the hunts a restart interrupted; returns their messages, to say so on them. */
  interruptUnfinished(): Promise<MessageUpdate[]>;
}

/** Builds the core. */
export function createHuntOps(options: HuntOpsOptions): HuntOps {
  const catalog = options.catalog ?? loadCatalog();
  const rules = options.rules ?? NO_RULES;
  const now = options.now ?? (() => new Date());
  const { targets, store, log } = options;
  const hunts = new HuntService({ targets, catalog, store, log, instanceId: options.instanceId, maxDevices: options.maxDevices ?? 500, now });
  const checks = new DeviceCheckService({ targets, catalog, store, log, now });
  const exclusions = new ExclusionService({ store, now });
  const escalations = new EscalationService({
    store,
    catalog,
    notifyOutbox: options.notifyOutbox ?? (() => {}),
    ...(options.incidentChannel ? { configuredChannel: options.incidentChannel } : {}),
  });
  const app = new HuntOpsApp({
    routes: createRoutes({ catalog, rules, hunts, checks, exclusions, escalations, store, now }),
    access: new AccessPolicy(options.access),
    auditor: new Auditor(store, log, now),
    log,
    limits: new HuntLimiter({ ...DEFAULT_HUNT_LIMITS, ...options.limits }),
  });
  return {
    app,
    targets,
    interruptUnfinished: async () =>
      (await hunts.interruptUnfinished()).map((interrupted) => ({
        huntId: interrupted.hunt.id,
        reference: interrupted.reference,
        messageId: interrupted.messageId,
        view: interruptedHuntView(interrupted),
      })),
  };
}
