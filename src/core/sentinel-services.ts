/**
 * What the core uses of Microsoft Sentinel when it is configured: the escalator (incidents, their
 * comments and closes), the exclusion mirror (the watchlist), and names for cards. Built by the
 * composition root from `createSentinel`; absent without Sentinel.
 */
import type { ExclusionMirror } from '../sentinel/exclusion-mirror';
import type { IncidentEscalator } from '../sentinel/incident-escalator';

/** Sentinel, as the core uses it. */
export interface SentinelServices {
  readonly escalator: Pick<IncidentEscalator, 'incidentUrl' | 'escalate' | 'close'>;
  readonly mirror: Pick<ExclusionMirror, 'apply' | 'remove' | 'sync'>;
  /** The watchlist's alias (`SENTINEL_WATCHLIST`). */
  readonly watchlist: string;
  /** The workspace's name, for cards. */
  readonly workspaceName: string;
}
