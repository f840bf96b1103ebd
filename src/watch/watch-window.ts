/**
 * The time window of a watch's run.
 *
 * - The first run (the baseline) looks back over the watch's baseline window (the hunt's own
 *   window, 5 days by default).
 * - Every later run covers the time since the previous run's window ended, plus an overlap for
 *   ingestion delay: Defender XDR and Microsoft Sentinel store an event minutes after it happened
 *   (Sentinel's guidance for scheduled rules is a look-back of the interval plus the delay), so an
 *   event that happened just before the previous run may only have become visible after it. The
 *   overlap is minutes (default {@link DEFAULT_WATCH_OVERLAP_MS}), not a fraction of the interval;
 *   devices seen again in the overlap are already known to the watch and are not reported twice.
 * - After a restart or an outage the watch is overdue: one run covers the whole gap (no replay of
 *   each missed run), capped at the backend's longest window.
 */
import type { Watch } from '../store/store';

/** Default overlap with the previous run: 30 minutes of ingestion delay. */
export const DEFAULT_WATCH_OVERLAP_MS = 30 * 60_000;

/** Default longest window a run asks for (Defender XDR keeps 30 days). */
export const DEFAULT_WATCH_MAX_WINDOW_MS = 30 * 86_400_000;

const MINUTE_MS = 60_000;

/** The time a run covers. */
export interface WatchWindow {
  readonly start: Date;
  /** When the run started: the next run's window starts here (minus the overlap). */
  readonly end: Date;
  /** `end − start` rounded up to whole minutes (hunt windows are whole minutes, ending now). */
  readonly ms: number;
  /** True when the gap since the previous run was longer than the longest window (older events are not covered). */
  readonly truncated: boolean;
}

/** How windows are cut. */
export interface WatchWindowOptions {
  readonly overlapMs?: number;
  readonly maxWindowMs?: number;
}

/** The window of the run of `watch` that starts at `now`. */
export function watchWindow(watch: Pick<Watch, 'windowEnd' | 'baselineWindowMs'>, now: Date, options: WatchWindowOptions = {}): WatchWindow {
  const overlapMs = options.overlapMs ?? DEFAULT_WATCH_OVERLAP_MS;
  const maxWindowMs = options.maxWindowMs ?? DEFAULT_WATCH_MAX_WINDOW_MS;
  const end = now.getTime();
  const wanted = watch.windowEnd === undefined ? end - watch.baselineWindowMs : Math.min(watch.windowEnd.getTime(), end) - overlapMs;
  const start = Math.max(wanted, end - maxWindowMs);
  const ms = Math.max(MINUTE_MS, Math.ceil((end - start) / MINUTE_MS) * MINUTE_MS);
  return { start: new Date(start), end: new Date(end), ms, truncated: wanted < start };
}
