/**
 * What the organisation's sanctions make of the devices a hunt, a check or a watch found.
 *
 * A tool sanctioned without instances: each of its devices is `sanctioned`. A tool sanctioned with
 * instances (`vsa.contoso.com`): each device's agent is judged by the remote ends it talked to in
 * the window — network evidence, one query per tool for all its devices
 * (`buildInstancesQuery`, through the one escaping builder, in the backend's dialect):
 *
 * - only sanctioned instances (or names under them), or no connection at all → `sanctioned`;
 * - any other public host → `unsanctioned-instance`, with those hosts (`classifyInstances`, then
 *   `classifyRemoteHosts`, so that private and loopback addresses are not evidence and hosts are
 *   compared in canonical form);
 * - the set of remote ends was cut before a foreign one showed → `not-sanctioned` (nothing proves
 *   it talks only to the organisation's instances: an attacker can inflate the set, never shrink it).
 *
 * Hunt and check cards show the result as marks; watches skip sanctioned devices and always report
 * unsanctioned instances (`watch/sort-findings.ts`).
 */
import type { Backend } from '../backends/backend';
import type { Catalog, RmmTool } from '../hunt/catalog';
import { buildInstancesQuery, classifyInstances, instancesFromResult, MAX_INSTANCE_DEVICE_IDS, type DeviceInstances } from '../hunt/evidence-instances';
import type { HuntWindow } from '../hunt/window';
import type { Sanction } from '../store/store';
import { classifyRemoteHosts, normalizeHost, type SanctionStatus } from '../watch/sanction-instances';

/** What a card says about a device of a sanctioned tool. */
export type SanctionMark = { readonly kind: 'sanctioned' } | { readonly kind: 'unsanctioned-instance'; readonly instances: readonly string[] };

/** The devices of one sanctioned tool to judge by instance. */
export interface InstanceCheck {
  readonly tool: RmmTool;
  readonly sanction: Sanction;
  readonly deviceIds: readonly string[];
  readonly window: HuntWindow;
  /** Where the devices were found (the same target, at the caller's priority). */
  readonly backend: Backend;
  readonly signal?: AbortSignal;
}

function statusOf(device: DeviceInstances | undefined, sanctioned: readonly string[]): SanctionStatus {
  const verdict = classifyInstances(device, sanctioned);
  switch (verdict.kind) {
    case 'sanctioned':
    case 'silent':
      return { status: 'sanctioned' };
    case 'incomplete':
      return { status: 'not-sanctioned' };
    case 'foreign': {
      const judged = classifyRemoteHosts(verdict.instances, { instances: sanctioned.map((i) => normalizeHost(i) ?? i) });
      if (judged.status !== 'sanctioned') return judged;
      return (device?.remotes.more ?? 0) > 0 ? { status: 'not-sanctioned' } : { status: 'sanctioned' };
    }
  }
}

/**
 * How each device's agent of a tool sanctioned with instances stands, by DeviceId. A tool without a
 * network hunt cannot be judged: its devices are `not-sanctioned`.
 */
export async function instanceStatuses(check: InstanceCheck): Promise<Map<string, SanctionStatus>> {
  const ids = [...new Set(check.deviceIds)];
  const statuses = new Map<string, SanctionStatus>();
  if (!check.tool.network?.filter.length) {
    for (const id of ids) statuses.set(id, { status: 'not-sanctioned' });
    return statuses;
  }
  for (let at = 0; at < ids.length; at += MAX_INSTANCE_DEVICE_IDS) {
    const chunk = ids.slice(at, at + MAX_INSTANCE_DEVICE_IDS);
    const kql = buildInstancesQuery({ tool: check.tool, window: check.window, deviceIds: chunk }, { dialect: check.backend.dialect, maxDevices: chunk.length });
    const result = await check.backend.run({ kql, window: check.window, ...(check.signal ? { signal: check.signal } : {}) });
    const byDevice = new Map(instancesFromResult(result).rows.map((row) => [row.deviceId, row]));
    for (const id of chunk) statuses.set(id, statusOf(byDevice.get(id), check.sanction.instances));
  }
  return statuses;
}

/** The key of a device of a tool in {@link SanctionMarks.marks}. */
export function markKey(toolId: string, deviceId: string): string {
  return `${toolId}\u0000${deviceId}`;
}

/** The marks of a result, and the tools whose instances could not be checked (with why). */
export interface SanctionMarks {
  /** By {@link markKey}; devices of tools not sanctioned, or not proven sanctioned, have none. */
  readonly marks: ReadonlyMap<string, SanctionMark>;
  readonly failures: ReadonlyArray<{ readonly tool: RmmTool; readonly error: unknown }>;
}

/** What marking a result needs. */
export interface MarkInput {
  readonly devices: ReadonlyArray<{ readonly toolId: string; readonly deviceId: string }>;
  /** The tenant's sanctions. */
  readonly sanctions: readonly Sanction[];
  readonly catalog: Catalog;
  readonly window: HuntWindow;
  readonly backend: Backend;
}

/** Marks the devices of sanctioned tools; a failed instances query leaves that tool's devices unmarked. */
export async function sanctionMarks(input: MarkInput): Promise<SanctionMarks> {
  const marks = new Map<string, SanctionMark>();
  const failures: Array<{ tool: RmmTool; error: unknown }> = [];
  const sanctions = new Map(input.sanctions.map((s) => [s.toolId, s]));
  const byTool = new Map<string, string[]>();
  for (const { toolId, deviceId } of input.devices) {
    const sanction = sanctions.get(toolId);
    if (!sanction) continue;
    if (sanction.instances.length === 0) marks.set(markKey(toolId, deviceId), { kind: 'sanctioned' });
    else byTool.set(toolId, [...(byTool.get(toolId) ?? []), deviceId]);
  }
  for (const [toolId, deviceIds] of byTool) {
    const tool = input.catalog.get(toolId);
    if (!tool) continue;
    try {
      const statuses = await instanceStatuses({ tool, sanction: sanctions.get(toolId)!, deviceIds, window: input.window, backend: input.backend });
      for (const [deviceId, status] of statuses) {
        if (status.status === 'sanctioned') marks.set(markKey(toolId, deviceId), { kind: 'sanctioned' });
        else if (status.status === 'unsanctioned-instance') marks.set(markKey(toolId, deviceId), { kind: 'unsanctioned-instance', instances: status.instances });
      }
    } catch (error) {
      failures.push({ tool, error });
    }
  }
  return { marks, failures };
}
