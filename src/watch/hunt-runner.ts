/**
 * The narrow interface through which the watch scheduler runs a watch's hunt. The composition root
 * adapts the hunt service to it: the spec is the watch's stored hunt (versioned, opaque here), the
 * window is the run's, and the query goes through the same backend stack as interactive hunts with
 * background priority (see `ConcurrencyLimiter`).
 */
import type { WatchSpec } from '../store/store';
import type { WatchWindow } from './watch-window';

/** One device (with one tool) a watch's hunt found. */
export interface WatchFinding {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly toolId: string;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly count: number;
}

/** What a watch's hunt found. */
export interface WatchHuntResult {
  readonly findings: readonly WatchFinding[];
  /** Set when the backend answered with only part of the result. */
  readonly partial?: { readonly message: string };
}

/** How the scheduler asks for a run. */
export interface WatchHuntOptions {
  /** Always `background`: a watch never makes an analyst's hunt wait. */
  readonly priority: 'background';
  /** The watch's tenant (which workspace or sanctions apply is the runner's business). */
  readonly tenant: string;
  /** Aborted when the scheduler stops. */
  readonly signal?: AbortSignal;
}

/** Runs a watch's hunt. Rejects (any error) when the hunt cannot run; the run is retried later. */
export interface WatchHuntRunner {
  runHunt(spec: WatchSpec, window: WatchWindow, options: WatchHuntOptions): Promise<WatchHuntResult>;
}
