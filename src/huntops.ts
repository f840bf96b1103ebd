/**
 * HuntOps' core, assembled from its parts: catalog, rules, targets, store, access, hunts, checks,
 * triage, commands, actions. Used by the bot's composition root and by the CLI; no transport here.
 */
import type { AccessConfig } from './config';
import { AccessPolicy } from './core/access';
import { createActions } from './core/actions';
import { HuntOpsApp } from './core/app';
import { Auditor } from './core/audit';
import { createCommands } from './core/commands';
import { DeviceCheckService } from './core/device-check';
import { EscalationService } from './core/escalations';
import { ExclusionService } from './core/exclusions';
import type { HuntTargets } from './core/hunt-targets';
import { HuntService } from './core/hunt-service';
import type { Log } from './core/log';
import { loadCatalog, type Catalog } from './hunt/catalog';
import { NO_RULES, type RuleBook } from './hunt/rule-book';
import type { Store } from './store/store';

/** What HuntOps is built from. */
export interface HuntOpsParts {
  readonly targets: HuntTargets;
  readonly store: Store;
  readonly access: AccessConfig;
  readonly log: Log;
  /** Names this instance on the hunts it runs. */
  readonly instanceId: string;
  /** Most devices a hunt brings back. Default 500. */
  readonly maxDevices?: number;
  /** The rules of `HUNT_RULES_DIR`. */
  readonly rules?: RuleBook;
  /** `HUNT_INCIDENT_CHANNEL`, if set. */
  readonly incidentChannel?: string;
  /** Wakes the outbox worker; the CLI, which posts nothing, leaves it out. */
  readonly notifyOutbox?: () => void;
  readonly catalog?: Catalog;
  readonly now?: () => Date;
}

/** The assembled core. */
export interface HuntOps {
  readonly app: HuntOpsApp;
  readonly hunts: HuntService;
  readonly targets: HuntTargets;
}

/** Builds the core. */
export function createHuntOps(parts: HuntOpsParts): HuntOps {
  const catalog = parts.catalog ?? loadCatalog();
  const rules = parts.rules ?? NO_RULES;
  const now = parts.now ?? (() => new Date());
  const { targets, store, log } = parts;
  const access = new AccessPolicy(parts.access);
  const auditor = new Auditor(store, log);
  const hunts = new HuntService({ targets, catalog, store, auditor, log, instanceId: parts.instanceId, maxDevices: parts.maxDevices ?? 500, now });
  const checks = new DeviceCheckService({ targets, catalog, store, auditor, log, now });
  const exclusions = new ExclusionService({ store, hunts, catalog, access, auditor, now });
  const escalations = new EscalationService({
    store,
    hunts,
    access,
    auditor,
    notifyOutbox: parts.notifyOutbox ?? (() => {}),
    ...(parts.incidentChannel ? { configuredChannel: parts.incidentChannel } : {}),
  });
  const app = new HuntOpsApp({
    commands: createCommands({ catalog, rules, hunts, checks, exclusions, escalations, store, access }),
    actions: createActions({ catalog, rules, hunts, exclusions, escalations }),
    access,
    auditor,
    log,
  });
  return { app, hunts, targets };
}
