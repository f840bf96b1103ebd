/**
 * HuntOps' core, assembled from its parts: catalog, backend, hunts, commands, actions. Used by the
 * bot's composition root and by the CLI; no transport in here.
 */
import type { Backend } from './backends/backend';
import { createActions } from './core/actions';
import { HuntOpsApp } from './core/app';
import { createCommands } from './core/commands';
import { HuntService } from './core/hunt-service';
import type { Log } from './core/log';
import { loadCatalog, type Catalog } from './hunt/catalog';
import { MemoryHuntRepository, type HuntRepository } from './hunt/hunt-record';

/** What HuntOps is built from. */
export interface HuntOpsParts {
  readonly backend: Backend;
  readonly log: Log;
  readonly catalog?: Catalog;
  readonly hunts?: HuntRepository;
  readonly now?: () => Date;
}

/** The app, ready for a transport. */
export function createHuntOps(parts: HuntOpsParts): HuntOpsApp {
  const catalog = parts.catalog ?? loadCatalog();
  const hunts = new HuntService({
    backend: parts.backend,
    catalog,
    hunts: parts.hunts ?? new MemoryHuntRepository(),
    log: parts.log,
    ...(parts.now ? { now: parts.now } : {}),
  });
  return new HuntOpsApp({
    commands: createCommands({ catalog, backend: parts.backend, hunts }),
    actions: createActions({ catalog, hunts }),
    log: parts.log,
  });
}
