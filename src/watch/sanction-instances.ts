/**
 * Which instance of a sanctioned RMM tool a device's agent talks to.
 *
 * An organisation sanctions its own RMM (`sanction kaseya instance vsa.contoso.com`); the abuse
 * pattern is the same product pointed at somebody else's instance (an attacker's ScreenConnect or
 * Kaseya tenant). Given the remote hosts the tool's agent on one device talked to (network evidence:
 * `DeviceNetworkEvents` `RemoteUrl`/`RemoteIP` of the agent's process), the device is:
 *
 * - `unsanctioned-instance` when any host is neither a sanctioned instance (or a name under one:
 *   `relay.vsa.contoso.com` is `vsa.contoso.com`'s) nor the vendor's own infrastructure, if known;
 * - `sanctioned` otherwise — including when there is no evidence at all (nothing says it talks to
 *   another instance).
 *
 * Hosts are compared in one canonical form: lower case, IDNs as `xn--` labels, no scheme, port,
 * path or trailing dot. Private, loopback, link-local and shared IPv4 addresses are not evidence
 * (an on-premises server reached by address cannot be told from any other); public addresses are,
 * unless sanctioned by address. Telemetry is written by the adversary: every host is parsed
 * defensively and the flagged set is bounded.
 */
import { isHost, MAX_INSTANCES } from '../store/watch-validate';

/** What a sanction makes of one device. */
export type SanctionStatus =
  | { readonly status: 'sanctioned' }
  | { readonly status: 'unsanctioned-instance'; readonly instances: readonly string[] }
  | { readonly status: 'not-sanctioned' };

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * A host in canonical form from what a person typed (`https://Contoso.ScreenConnect.com/`) or what
 * telemetry recorded (`vsa.contoso.com:443`); `undefined` for anything that is not a host name or
 * IPv4 address (IPv6, garbage, over-long text).
 */
export function normalizeHost(text: string): string | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(SCHEME.test(trimmed) ? trimmed : `http://${trimmed}`);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/\.$/, '');
  return isHost(host) ? host : undefined;
}

/** True for IPv4 addresses that say nothing about whose server it is. */
export function isNonPublicIpv4(host: string): boolean {
  if (!IPV4.test(host)) return false;
  const [a, b] = host.split('.').map(Number) as [number, number];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  );
}

/** True when canonical `host` is `domain` or a name under it (an address only matches itself). */
export function isUnder(host: string, domain: string): boolean {
  if (IPV4.test(domain) || IPV4.test(host)) return host === domain;
  return host === domain || host.endsWith(`.${domain}`);
}

/** What is known about a tool sanctioned with instances. */
export interface InstanceRules {
  /** The sanctioned instances, canonical. */
  readonly instances: readonly string[];
  /** The vendor's own service domains the agent also talks to (updates, licensing), canonical. */
  readonly infrastructure?: readonly string[];
}

/** Classifies one device from the remote hosts its agent talked to (see the module's rules). */
export function classifyRemoteHosts(remoteHosts: readonly string[], rules: InstanceRules): SanctionStatus {
  const foreign = new Set<string>();
  for (const raw of remoteHosts) {
    const host = normalizeHost(raw);
    if (host === undefined || isNonPublicIpv4(host)) continue;
    if (rules.instances.some((instance) => isUnder(host, instance))) continue;
    if (rules.infrastructure?.some((domain) => isUnder(host, domain))) continue;
    foreign.add(host);
  }
  if (foreign.size === 0) return { status: 'sanctioned' };
  return { status: 'unsanctioned-instance', instances: [...foreign].sort().slice(0, MAX_INSTANCES) };
}
