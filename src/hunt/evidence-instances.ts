/**
 * Which instance of a tool each device talks to: the remote hosts its agent connects to (the
 * connections made by the tool's binaries, or matched by its network hunt; see
 * `evidence-queries.ts`), per device, so that a device can be classed as talking only to the
 * organisation's sanctioned instances (`vsa.contoso.com`) or to somebody else's.
 *
 * Hosts are telemetry: they are compared as text with the sanctioned domains, never used as
 * patterns. A device whose set of remote hosts was cut cannot be proven to talk only to sanctioned
 * instances: it is `incomplete`, which callers treat as not sanctioned (an attacker can inflate
 * the set, never shrink it).
 */
import type { Dialect, QueryResult } from '../backends/backend';
import type { RmmTool } from './catalog';
import { boundOf, toolConnections, toolIdentity } from './evidence-queries';
import { section, type Bounded, type Section } from './evidence-values';
import { capped, kqlString, KqlLiteralError, timeColumn, timeRangeFilter, timeRangeLets } from './kql-builder';
import type { HuntWindow } from './window';

/** A tool's instances over a window, for every device or for some. */
export interface InstancesSpec {
  readonly tool: RmmTool;
  readonly window: HuntWindow;
  /** Only these devices (Defender `DeviceId`s, at most {@link MAX_INSTANCE_DEVICE_IDS}); every device when absent. */
  readonly deviceIds?: readonly string[];
}

/** How the instances query is built and bounded. */
export interface InstancesQueryOptions {
  readonly dialect: Dialect;
  /** Devices kept, the most recently seen; default {@link DEFAULT_INSTANCE_DEVICES}. */
  readonly maxDevices?: number;
  /** Remote hosts kept per device; default {@link DEFAULT_INSTANCE_REMOTES}. */
  readonly remotes?: number;
}

/** Devices the instances query keeps unless asked otherwise. */
export const DEFAULT_INSTANCE_DEVICES = 1000;
/** Remote hosts kept per device unless asked otherwise. */
export const DEFAULT_INSTANCE_REMOTES = 20;
/** The most device ids one instances query may name. */
export const MAX_INSTANCE_DEVICE_IDS = 1000;

/**
 * The tool's remote ends per device: `DeviceId, FirstSeen, LastSeen, Count`, `Remotes` (lower-case
 * `RemoteUrl`, or `RemoteIP` for a connection without a URL; bounded) and `RemoteCount` (distinct
 * remote ends in all), `Total` (devices in all).
 */
export function buildInstancesQuery(spec: InstancesSpec, options: InstancesQueryOptions): string {
  const identity = toolIdentity(spec.tool, options.dialect);
  const time = timeColumn(options.dialect);
  const remotes = boundOf(options.remotes, DEFAULT_INSTANCE_REMOTES, 1000, 'the remote hosts per device');
  const lines = ['DeviceNetworkEvents', timeRangeFilter(options.dialect)];
  if (spec.deviceIds !== undefined) {
    if (spec.deviceIds.length === 0 || spec.deviceIds.length > MAX_INSTANCE_DEVICE_IDS) {
      throw new KqlLiteralError(`an instances query names 1 to ${MAX_INSTANCE_DEVICE_IDS} devices`);
    }
    lines.push(`| where DeviceId in (${spec.deviceIds.map(kqlString).join(', ')})`);
  }
  lines.push(
    `| where ${toolConnections(identity)}`,
    '| extend Remote = tolower(iff(isempty(RemoteUrl), RemoteIP, RemoteUrl))',
    '| where isnotempty(Remote)',
    `| summarize FirstSeen = min(${time}), LastSeen = max(${time}), Count = count(), Remotes = make_set(Remote, ${remotes}), RemoteCount = dcount(Remote) by DeviceId`,
  );
  return capped([...timeRangeLets(spec.window), ...identity.lets], lines, boundOf(options.maxDevices, DEFAULT_INSTANCE_DEVICES, 100_000, 'the devices'));
}

/** The remote ends one device's agent of the tool talks to. */
export interface DeviceInstances {
  readonly deviceId: string;
  /** The remote ends as recorded (lower case), bounded. */
  readonly remotes: Bounded<string>;
  /** The host of each remote end kept ({@link instanceHost}), each once. */
  readonly hosts: readonly string[];
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly count: number;
}

/**
 * The host of a remote end, lower case: `https://User@VSA.contoso.com:5721/x?y` →
 * `vsa.contoso.com`; `[2001:db8::1]:443` → `2001:db8::1`; a bare address stays itself.
 */
export function instanceHost(remote: string): string {
  let text = remote.trim().toLowerCase();
  const scheme = text.indexOf('://');
  if (scheme > 0 && /^[a-z][a-z0-9+.-]*$/.test(text.slice(0, scheme))) text = text.slice(scheme + 3);
  for (const end of ['/', '?', '#']) {
    const at = text.indexOf(end);
    if (at >= 0) text = text.slice(0, at);
  }
  text = text.slice(text.lastIndexOf('@') + 1);
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    return close > 0 ? text.slice(1, close) : text;
  }
  const colon = text.indexOf(':');
  if (colon >= 0 && colon === text.lastIndexOf(':')) text = text.slice(0, colon);
  return text.endsWith('.') ? text.slice(0, -1) : text;
}

/** The rows of the instances query, one per device. */
export function instancesFromResult(result: QueryResult): Section<DeviceInstances> {
  return section(result.rows, (row) => {
    const remotes = row.set('Remotes', 'RemoteCount');
    return {
      deviceId: row.text('DeviceId'),
      remotes,
      hosts: [...new Set(remotes.values.map(instanceHost).filter((h) => h !== ''))],
      firstSeen: row.time('FirstSeen'),
      lastSeen: row.time('LastSeen'),
      count: row.number('Count'),
    };
  });
}

/** How a device's instances compare with the sanctioned ones. */
export type InstanceVerdict =
  /** Every remote end of the tool's agent is a sanctioned instance. */
  | { readonly kind: 'sanctioned' }
  /** Some remote ends are not (listed, at most as many as the query kept). */
  | { readonly kind: 'foreign'; readonly instances: readonly string[] }
  /** The ends shown are sanctioned, but more were cut: not provably sanctioned. */
  | { readonly kind: 'incomplete'; readonly unseen: number }
  /** The agent made no connection in the window. */
  | { readonly kind: 'silent' };

/** True when `host` is the instance `domain` or a name under it (`x.vsa.contoso.com` under `vsa.contoso.com`). */
export function isInstanceOf(host: string, domain: string): boolean {
  const instance = instanceHost(domain);
  return instance !== '' && (host === instance || host.endsWith(`.${instance}`));
}

/** Classes a device's instances against the sanctioned instance domains (`vsa.contoso.com`). */
export function classifyInstances(device: DeviceInstances | undefined, sanctioned: readonly string[]): InstanceVerdict {
  if (!device || device.hosts.length === 0) return device && device.remotes.more > 0 ? { kind: 'incomplete', unseen: device.remotes.more } : { kind: 'silent' };
  const foreign = device.hosts.filter((host) => !sanctioned.some((domain) => isInstanceOf(host, domain)));
  if (foreign.length > 0) return { kind: 'foreign', instances: foreign };
  if (device.remotes.more > 0) return { kind: 'incomplete', unseen: device.remotes.more };
  return { kind: 'sanctioned' };
}
