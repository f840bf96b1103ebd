/**
 * HuntOps' core, assembled from its parts: catalog, backend, store, access, hunts, triage, commands,
 * actions. Used by the bot's composition root and by the CLI; no transport in here.
 */
import type { Backend } from './backends/backend';
import type { AccessConfig } from './config';
import { AccessPolicy } from './core/access';
import { createActions } from './core/actions';
import { HuntOpsApp } from './core/app';
import { Auditor } from './core/audit';
import { createCommands } from './core/commands';
import { EscalationService } from './core/escalations';
import { ExclusionService } from './core/exclusions';
import { HuntService } from './core/hunt-service';
import type { Log } from './core/log';
import { loadCatalog, type Catalog } from './hunt/catalog';
import type { Store } from './store/store';

/** What HuntOps is built from. */
export interface HuntOpsParts {
  readonly backend: Backend;
  readonly store: Store;
  readonly access: AccessConfig;
  readonly log: Log;
  /** Names this instance on the hunts it runs. */
  readonly instanceId: string;
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
}

/** Builds the core. */
export function createHuntOps(parts: HuntOpsParts): HuntOps {
  const catalog = parts.catalog ?? loadCatalog();
  const now = parts.now ?? (() => new Date());
  const access = new AccessPolicy(parts.access);
  const auditor = new Auditor(parts.store, parts.log);
  const hunts = new HuntService({
    backend: parts.backend,
    catalog,
    store: parts.store,
    auditor,
    log: parts.log,
    instanceId: parts.instanceId,
    now,
  });
  const exclusions = new ExclusionService({ store: parts.store, hunts, catalog, access, auditor, now });
  const escalations = new EscalationService({
    store: parts.store,
    hunts,
    catalog,
    access,
    auditor,
    notifyOutbox: parts.notifyOutbox ?? (() => {}),
    ...(parts.incidentChannel ? { configuredChannel: parts.incidentChannel } : {}),
  });
  const app = new HuntOpsApp({
    commands: createCommands({ catalog, backend: parts.backend, hunts, exclusions, escalations, store: parts.store, access }),
    actions: createActions({ catalog, hunts, exclusions, escalations }),
    access,
    auditor,
    log: parts.log,
  });
  return { app, hunts };
}
