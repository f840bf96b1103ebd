/**
 * What a watch remembers about its last run (the store's `lastResult`, for the `watches` list), and
 * the sentence each post leads with.
 */
import type { Watch, WatchBatch } from '../store/store';

/** How a run ended. */
export type WatchRunKind = 'baseline' | 'new-devices' | 'nothing-new' | 'failed';

/** A run's result as the watch keeps it. */
export interface WatchRunSummary {
  readonly kind: WatchRunKind;
  /** The run's window, ISO 8601. */
  readonly window: { readonly start: string; readonly end: string };
  /** Distinct devices (per tool) the hunt found; excluded and sanctioned ones included. */
  readonly found: number;
  /** Devices this run reported for the first time (for the baseline: the devices it now knows). */
  readonly reported: number;
  readonly excluded: number;
  readonly sanctioned: number;
  /** Posts this run enqueued (its own, and any a run before it left pending). */
  readonly posts: number;
  /** The gap since the previous run was longer than the longest window. */
  readonly truncated?: boolean;
  /** The backend answered with only part of the result. */
  readonly partial?: string;
  /** Why the run failed (`failed` only). */
  readonly error?: string;
}

/** The last run's summary of a watch, if it has one of this shape. */
export function lastRunSummary(watch: Pick<Watch, 'lastResult'>): WatchRunSummary | undefined {
  const result = watch.lastResult as Partial<WatchRunSummary> | null | undefined;
  if (!result || typeof result !== 'object' || typeof result.kind !== 'string' || typeof result.found !== 'number') return undefined;
  return result as WatchRunSummary;
}

function devices(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'device' : 'devices'}`;
}

/** What a post's headline counts. */
export interface PostCounts {
  readonly kind: WatchBatch['kind'];
  /** Devices in the post (the baseline: every device the watch now knows). */
  readonly devices: number;
  /** Of them, those whose agent talks to an unsanctioned instance. */
  readonly unsanctioned: number;
}

/**
 * The sentence a post leads with: "Kaseya: 4 devices now — you will hear about new ones." for the
 * baseline, "Kaseya: 2 new devices (1 talks to an unsanctioned instance)." later.
 */
export function headlineOf(subject: string, counts: PostCounts): string {
  const { devices: count, unsanctioned: flagged } = counts;
  if (counts.kind === 'baseline') return `${subject}: ${count === 0 ? 'no devices' : devices(count)} now — you will hear about new ones.`;
  const note = flagged === 0 ? '' : ` (${flagged.toLocaleString('en-US')} ${flagged === 1 ? 'talks' : 'talk'} to an unsanctioned instance)`;
  return `${subject}: ${count.toLocaleString('en-US')} new ${count === 1 ? 'device' : 'devices'}${note}.`;
}

/** The counts of a batch. */
export function postCounts(batch: Pick<WatchBatch, 'kind' | 'sightings'>): PostCounts {
  return {
    kind: batch.kind,
    devices: batch.sightings.length,
    unsanctioned: batch.sightings.filter((sighting) => (sighting.unsanctionedInstances?.length ?? 0) > 0).length,
  };
}

/** {@link headlineOf} a batch. */
export function postHeadline(subject: string, batch: Pick<WatchBatch, 'kind' | 'sightings'>): string {
  return headlineOf(subject, postCounts(batch));
}
