/**
 * The core from the configuration: the places to hunt, the user's rules (their problems logged
 * once), the store. Shared by the bot and the CLI.
 */
import { createTargets } from './backends/create-backend';
import type { Config } from './config';
import type { Log } from './core/log';
import { createHuntOps, type HuntOps } from './huntops';
import { loadRuleBook, NO_RULES } from './hunt/rule-book';
import type { Store } from './store/store';

/** What the transports add to the configuration. */
export interface CoreOptions {
  readonly store: Store;
  readonly log: Log;
  readonly instanceId: string;
  readonly notifyOutbox?: () => void;
}

/** Builds the core a configuration describes. */
export async function loadCore(config: Config, options: CoreOptions): Promise<HuntOps> {
  const rules = config.rulesDir ? await loadRuleBook(config.rulesDir) : NO_RULES;
  if (config.rulesDir) {
    options.log.info({ rulesDir: config.rulesDir, rules: rules.rules.length, problems: rules.problems.length }, 'rules loaded');
    for (const problem of rules.problemLines()) options.log.warn({ problem }, 'a rule could not be read');
  }
  return createHuntOps({
    targets: createTargets(config.backend, { log: options.log }),
    store: options.store,
    access: config.access,
    log: options.log,
    instanceId: options.instanceId,
    maxDevices: config.maxDevices,
    rules,
    ...(config.incidentChannel ? { incidentChannel: config.incidentChannel } : {}),
    ...(options.notifyOutbox ? { notifyOutbox: options.notifyOutbox } : {}),
  });
}
