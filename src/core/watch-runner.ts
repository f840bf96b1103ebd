/**
 * The watch scheduler's two ports to the hunt machinery: the runner of a watch's hunt and the
 * classifier of a sanctioned tool's devices. Both read the watch's stored hunt, find the place it
 * runs (its workspace) and query there at background priority (`HuntTarget.background`), so that
 * watches go through the same planning, builders, batching and concurrency cap as analysts' hunts
 * without ever making one of them wait.
 */
import type { Backend } from '../backends/backend';
import { runBatch } from '../hunt/query-batch';
import type { WatchSpec } from '../store/store';
import type { WatchHuntOptions, WatchHuntResult, WatchHuntRunner } from '../watch/hunt-runner';
import type { SanctionClassifier } from '../watch/sanction-classifier';
import type { WatchWindow } from '../watch/watch-window';
import { planHunt } from './hunt-plan';
import type { HuntTarget, HuntTargets } from './hunt-targets';
import type { HuntArgs, HuntVocabulary } from './parse-hunt';
import { requireWatchHunt, watchHuntArgs } from './payloads/watch-spec';
import { instanceStatuses } from './sanction-marks';

/** What running watches needs. */
export interface WatchRunnerDeps extends HuntVocabulary {
  readonly targets: HuntTargets;
  /** Most devices a hunt brings back (as interactive hunts). */
  readonly maxDevices: number;
}

/** A watch's hunt, where it runs and the backend its queries go to. */
interface WatchPlace {
  readonly args: HuntArgs;
  readonly target: HuntTarget;
  readonly backend: Backend;
}

function placeOf(spec: WatchSpec, deps: WatchRunnerDeps): WatchPlace {
  const args = watchHuntArgs(requireWatchHunt(spec), deps);
  const target = deps.targets.resolve(args.workspace);
  return { args, target, backend: target.background ?? target.backend };
}

/** The run's window as a hunt window, at most what the backend answers. */
function runWindow(window: WatchWindow, backend: Backend): { readonly ms: number } {
  return { ms: Math.min(window.ms, backend.maxWindow.ms) };
}

/** Runs watches' hunts as hunts run, at background priority. */
export class WatchRunner implements WatchHuntRunner {
  constructor(private readonly deps: WatchRunnerDeps) {}

  async runHunt(spec: WatchSpec, window: WatchWindow, options: WatchHuntOptions): Promise<WatchHuntResult> {
    const { args, target, backend } = placeOf(spec, this.deps);
    const hunt = runWindow(window, backend);
    const plan = planHunt({ ...args, window: hunt }, target, { catalog: this.deps.catalog, maxDevices: this.deps.maxDevices });
    const result = await runBatch(plan.batch, (kql) => backend.run({ kql, window: hunt, ...(options.signal ? { signal: options.signal } : {}) }));
    const { findings, total } = plan.findings(result);
    const capped = total !== undefined && total > findings.length ? `the hunt found ${total} devices and kept the ${findings.length} seen most recently` : undefined;
    const partial = [result.partial?.message, capped].filter((m): m is string => m !== undefined).join('; ');
    return {
      findings: findings.map(({ deviceId, deviceName, toolId, firstSeen, lastSeen, count }) => ({ deviceId, deviceName, toolId, firstSeen, lastSeen, count })),
      ...(partial ? { partial: { message: partial } } : {}),
    };
  }
}

/** The classifier of watches: the instances query where the watch runs, at background priority. */
export function watchClassifier(deps: WatchRunnerDeps): SanctionClassifier {
  return async (request) => {
    const { backend } = placeOf(request.spec, deps);
    const tool = deps.catalog.get(request.toolId);
    if (!tool) return new Map(request.devices.map((d) => [d.deviceId, { status: 'not-sanctioned' }]));
    return instanceStatuses({
      tool,
      sanction: request.sanction,
      deviceIds: request.devices.map((d) => d.deviceId),
      window: runWindow(request.window, backend),
      backend,
      ...(request.signal ? { signal: request.signal } : {}),
    });
  };
}
