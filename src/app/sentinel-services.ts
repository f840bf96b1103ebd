/**
 * Microsoft Sentinel for the core, from its configuration: the clients (`createSentinel`) and the
 * exclusion mirror over the ledger the store keeps.
 */
import type { SentinelConfig } from '../config';
import { storeLedger } from '../core/exclusion-sync';
import type { SentinelServices } from '../core/sentinel-services';
import { createSentinel, type SentinelOptions } from '../sentinel/create-sentinel';
import type { Store } from '../store/store';

/** The Sentinel services of a configuration, on `store`; `now` is the clock exclusions expire by (default: the system clock). */
export function sentinelServices(config: SentinelConfig, store: Store, options: SentinelOptions & { readonly now?: () => Date } = {}): SentinelServices {
  const { now, ...clients } = options;
  const sentinel = createSentinel(config, clients);
  return {
    escalator: sentinel.escalator,
    mirror: sentinel.exclusionMirror(storeLedger(store), now),
    watchlist: config.watchlist,
    workspaceName: sentinel.workspace.name,
  };
}
