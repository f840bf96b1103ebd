/**
 * Sentinel from configuration: the clients and the domain objects the composition root wires into
 * escalations, the outbox and the exclusion commands.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { TlsSettings } from '@azure/core-rest-pipeline';
import { DefaultAzureCredential } from '@azure/identity';
import type { SentinelConfig } from '../config';
import { ArmClient } from './arm-client';
import { exclusionsWatchlist } from './exclusion-item';
import { ExclusionMirror, type MirrorLedger } from './exclusion-mirror';
import { IncidentEscalator } from './incident-escalator';
import { portalUrlFor } from './portal-link';
import { SentinelIncidents } from './sentinel-incidents';
import { SentinelWatchlist } from './sentinel-watchlist';
import { parseWorkspaceResourceId, type SentinelWorkspace } from './workspace';

/** What may be given instead of the defaults. */
export interface SentinelOptions {
  /** Default: `new DefaultAzureCredential()`. */
  readonly credential?: TokenCredential;
  /** Extra TLS trust (a TLS-inspecting proxy's CA; tests: the fake's). */
  readonly tlsOptions?: TlsSettings;
  /** Longest one Sentinel operation may take, retries included. Default 30 s. */
  readonly deadlineMs?: number;
}

/** Microsoft Sentinel, ready to wire. */
export interface Sentinel {
  readonly workspace: SentinelWorkspace;
  readonly incidents: SentinelIncidents;
  readonly watchlist: SentinelWatchlist;
  readonly escalator: IncidentEscalator;
  /** The exclusions mirror over the ledger the caller keeps; `clock` decides which exclusions have expired (default: the system clock). */
  exclusionMirror(ledger: MirrorLedger, clock?: () => Date): ExclusionMirror;
}

/** Builds the Sentinel clients for a configuration. */
export function createSentinel(config: SentinelConfig, options: SentinelOptions = {}): Sentinel {
  const workspace = parseWorkspaceResourceId(config.workspaceResourceId);
  const client = new ArmClient({
    credential: options.credential ?? new DefaultAzureCredential(),
    resourceManagerUrl: config.resourceManagerUrl,
    ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
    ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
  });
  const incidents = new SentinelIncidents({ client, workspace });
  const watchlist = new SentinelWatchlist({ client, workspace, definition: exclusionsWatchlist(config.watchlist) });
  return {
    workspace,
    incidents,
    watchlist,
    escalator: new IncidentEscalator({ incidents, portalUrl: portalUrlFor(config.resourceManagerUrl) }),
    exclusionMirror: (ledger, clock) => new ExclusionMirror({ watchlist, ledger, ...(clock ? { clock } : {}) }),
  };
}
