/**
 * What HuntOps is assembled from: one options type for the bot, the CLI and tests, and how a
 * configuration fills it in (the places to hunt, the user's rules with their problems logged once).
 */
import type { Config } from '../config';
import type { AccessRules } from '../core/access';
import type { HuntTargets } from '../core/hunt-targets';
import type { SentinelServices } from '../core/sentinel-services';
import type { Log } from '../core/log';
import type { Catalog } from '../hunt/catalog';
import { loadRuleBook, NO_RULES, type RuleBook } from '../hunt/rule-book';
import type { Store } from '../store/store';
import { createTargets } from './create-targets';
import { sentinelServices } from './sentinel-services';

/** Everything HuntOps is built from. */
export interface HuntOpsOptions {
  readonly targets: HuntTargets;
  readonly store: Store;
  readonly access: AccessRules;
  readonly log: Log;
  /** Names this instance on the hunts it runs. */
  readonly instanceId: string;
  /** Most devices a hunt brings back. Default 500. */
  readonly maxDevices?: number;
  /** The rules of `HUNT_RULES_DIR`. Default none. */
  readonly rules?: RuleBook;
  /** `HUNT_INCIDENT_CHANNEL`, if set. */
  readonly incidentChannel?: string;
  /** Wakes the outbox worker; the CLI, which posts nothing, leaves it out. */
  readonly notifyOutbox?: () => void;
  /** Microsoft Sentinel, when configured: escalations become incidents there, exclusions a watchlist. */
  readonly sentinel?: SentinelServices;
  /** Default: the catalog shipped with HuntOps. */
  readonly catalog?: Catalog;
  readonly now?: () => Date;
  /** How watches run (`HUNT_WATCH_MIN_INTERVAL`, `HUNT_WATCH_OVERLAP`); the scheduler's defaults otherwise. */
  readonly watch?: WatchOptions;
}

/** How watches run. */
export interface WatchOptions {
  /** The shortest interval a watch may have. Default 15 minutes. */
  readonly minIntervalMs?: number;
  /** How far each run reaches back into the previous one. Default 30 minutes. */
  readonly overlapMs?: number;
  /** How often the scheduler looks for due watches. Default: from the shortest interval. */
  readonly pollMs?: number;
}

/** What a transport adds to the configuration. */
export type RuntimeOptions = Pick<HuntOpsOptions, 'store' | 'log' | 'instanceId' | 'notifyOutbox'>;

/** The options a configuration describes. */
export async function huntOpsOptions(config: Config, runtime: RuntimeOptions): Promise<HuntOpsOptions> {
  const rules = config.rulesDir ? await loadRuleBook(config.rulesDir) : NO_RULES;
  if (config.rulesDir) {
    runtime.log.info({ rulesDir: config.rulesDir, rules: rules.rules.length, problems: rules.problems.length }, 'rules loaded');
    for (const problem of rules.problemLines()) runtime.log.warn({ problem }, 'a rule could not be read');
  }
  return {
    ...runtime,
    targets: createTargets(config.backend, { log: runtime.log }),
    access: config.access,
    maxDevices: config.maxDevices,
    rules,
    watch: config.watch,
    ...(config.incidentChannel ? { incidentChannel: config.incidentChannel } : {}),
    ...(config.sentinel ? { sentinel: sentinelServices(config.sentinel, runtime.store) } : {}),
  };
}
