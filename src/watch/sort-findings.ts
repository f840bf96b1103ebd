/**
 * What a watch reports of what its hunt found: one entry per device and tool (a device renamed
 * within the window comes back as two rows; they are merged), minus excluded devices and sanctioned
 * ones. A tool sanctioned without instances is never reported; with instances, its devices are
 * classified and those whose agent talks to another instance are reported with those instances.
 */
import { findExclusion } from '../store/exclusion-match';
import type { Exclusion, NewWatchSighting, Sanction, WatchSpec } from '../store/store';
import { isHost, MAX_INSTANCES } from '../store/watch-validate';
import type { WatchFinding } from './hunt-runner';
import type { SanctionClassifier } from './sanction-classifier';
import { normalizeHost } from './sanction-instances';
import type { WatchWindow } from './watch-window';

/** The findings of one run, sorted out. */
export interface SortedFindings {
  /** Devices the watch may report (it reports those it does not know yet). */
  readonly report: readonly NewWatchSighting[];
  /** Distinct devices (per tool) the hunt found. */
  readonly found: number;
  readonly excluded: number;
  readonly sanctioned: number;
}

/** What sorting needs. */
export interface SortFindingsInput {
  readonly tenant: string;
  /** The watch's hunt, passed on to the classifier. */
  readonly spec: WatchSpec;
  readonly findings: readonly WatchFinding[];
  readonly window: WatchWindow;
  readonly now: Date;
  /** Active exclusions. */
  readonly exclusions: readonly Exclusion[];
  /** The tenant's sanctions. */
  readonly sanctions: readonly Sanction[];
  readonly classify: SanctionClassifier;
  readonly signal?: AbortSignal;
}

/** Merges rows of one device and tool: widest time range, summed count, the name seen last. */
export function mergeFindings(findings: readonly WatchFinding[]): WatchFinding[] {
  const merged = new Map<string, WatchFinding>();
  for (const finding of findings) {
    const key = `${finding.toolId}\0${finding.deviceId}`;
    const known = merged.get(key);
    if (!known) {
      merged.set(key, finding);
      continue;
    }
    const later = finding.lastSeen.getTime() > known.lastSeen.getTime() ? finding : known;
    merged.set(key, {
      ...later,
      firstSeen: new Date(Math.min(known.firstSeen.getTime(), finding.firstSeen.getTime())),
      lastSeen: new Date(Math.max(known.lastSeen.getTime(), finding.lastSeen.getTime())),
      count: known.count + finding.count,
    });
  }
  return [...merged.values()];
}

/** Canonical, distinct, bounded instances from a classifier's answer. */
function canonicalInstances(instances: readonly string[]): string[] {
  const canonical = new Set(instances.map((instance) => (isHost(instance) ? instance : normalizeHost(instance))).filter((host): host is string => host !== undefined));
  return [...canonical].sort().slice(0, MAX_INSTANCES);
}

/** Sorts out one run's findings. */
export async function sortWatchFindings(input: SortFindingsInput): Promise<SortedFindings> {
  const devices = mergeFindings(input.findings);
  const sanctions = new Map(input.sanctions.map((sanction) => [sanction.toolId, sanction]));
  const report: NewWatchSighting[] = [];
  const toClassify = new Map<string, WatchFinding[]>();
  let excluded = 0;
  let sanctioned = 0;
  for (const device of devices) {
    if (findExclusion(input.exclusions, { deviceName: device.deviceName, toolId: device.toolId, now: input.now })) {
      excluded += 1;
      continue;
    }
    const sanction = sanctions.get(device.toolId);
    if (!sanction) report.push(device);
    else if (sanction.instances.length === 0) sanctioned += 1;
    else toClassify.set(device.toolId, [...(toClassify.get(device.toolId) ?? []), device]);
  }
  for (const [toolId, of] of toClassify) {
    const statuses = await input.classify({
      tenant: input.tenant,
      spec: input.spec,
      toolId,
      sanction: sanctions.get(toolId)!,
      devices: of,
      window: input.window,
      ...(input.signal ? { signal: input.signal } : {}),
    });
    for (const device of of) {
      const status = statuses.get(device.deviceId) ?? { status: 'sanctioned' };
      if (status.status === 'sanctioned') {
        sanctioned += 1;
        continue;
      }
      const instances = status.status === 'unsanctioned-instance' ? canonicalInstances(status.instances) : [];
      report.push(instances.length > 0 ? { ...device, unsanctionedInstances: instances } : device);
    }
  }
  return { report, found: devices.length, excluded, sanctioned };
}
