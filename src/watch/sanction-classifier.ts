/**
 * The classifier a watch asks about devices of a tool sanctioned with instances: which of them talk
 * only to the organisation's instances, and which to another one. It needs network evidence (a query
 * per tool and run, for all its devices at once); {@link classifierFromRemoteHosts} builds it from
 * a fetcher of each device's remote hosts and the pure rules of `sanction-instances.ts`.
 */
import type { Sanction } from '../store/store';
import type { WatchFinding } from './hunt-runner';
import { classifyRemoteHosts, type SanctionStatus } from './sanction-instances';
import type { WatchWindow } from './watch-window';

/** The devices to classify: all found for one sanctioned tool in one run. */
export interface ClassifyRequest {
  readonly tenant: string;
  readonly toolId: string;
  readonly sanction: Sanction;
  readonly devices: readonly WatchFinding[];
  readonly window: WatchWindow;
  readonly signal?: AbortSignal;
}

/**
 * Classifies devices by DeviceId. A device missing from the answer counts as `sanctioned` (no
 * evidence of another instance); a rejection fails the run, which is retried later.
 */
export type SanctionClassifier = (request: ClassifyRequest) => Promise<ReadonlyMap<string, SanctionStatus>>;

/** The remote hosts each device's agent of the tool talked to in the window, by DeviceId (bounded sets). */
export type RemoteHostsFetcher = (request: ClassifyRequest) => Promise<ReadonlyMap<string, readonly string[]>>;

/** A classifier from network evidence and the instance rules. */
export function classifierFromRemoteHosts(
  fetchRemoteHosts: RemoteHostsFetcher,
  options: { readonly infrastructure?: (toolId: string) => readonly string[] } = {},
): SanctionClassifier {
  return async (request) => {
    const hosts = await fetchRemoteHosts(request);
    const infrastructure = options.infrastructure?.(request.toolId) ?? [];
    const statuses = new Map<string, SanctionStatus>();
    for (const device of request.devices) {
      statuses.set(device.deviceId, classifyRemoteHosts(hosts.get(device.deviceId) ?? [], { instances: request.sanction.instances, infrastructure }));
    }
    return statuses;
  };
}
