/**
 * The classifier a watch asks about devices of a tool sanctioned with instances: which of them talk
 * only to the organisation's instances, and which to another one. It needs network evidence (a query
 * per tool and run, for all its devices at once); the composition root builds it from the instances
 * query (`core/sanction-marks.ts`, which judges hosts by the rules of `sanction-instances.ts`).
 */
import type { Sanction, WatchSpec } from '../store/store';
import type { WatchFinding } from './hunt-runner';
import type { SanctionStatus } from './sanction-instances';
import type { WatchWindow } from './watch-window';

/** The devices to classify: all found for one sanctioned tool in one run. */
export interface ClassifyRequest {
  readonly tenant: string;
  /** The watch's hunt (where it runs is the classifier's business, as the runner's). */
  readonly spec: WatchSpec;
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
