/**
 * Microsoft Sentinel for the core, from its configuration: the clients (`createSentinel`) and the
 * exclusion mirror over the ledger the store keeps.
 */
import type { SentinelConfig } from '../config';
import { storeLedger } from '../core/exclusion-sync';
import type { SentinelServices } from '../core/sentinel-services';
import { createSentinel, type SentinelOptions } from '../sentinel/create-sentinel';
import type { Store } from '../store/store';

/** The Sentinel services of a configuration, on `store`. */
export function sentinelServices(config: SentinelConfig, store: Store, options: SentinelOptions = {}): SentinelServices {
  const sentinel = createSentinel(config, options);
  return {
    escalator: sentinel.escalator,
    mirror: sentinel.exclusionMirror(storeLedger(store)),
    watchlist: config.watchlist,
    workspaceName: sentinel.workspace.name,
  };
}
