/**
 * The configured places to hunt: backends wrapped so identical hunts share one query and each
 * identity runs at most a few queries at once (Log Analytics allows 5 per identity), with their
 * portal links. Each place is wrapped twice: for analysts' hunts (interactive priority) and for
 * watches (background priority, under the same limiter, so that a watch never makes a hunt wait;
 * sharing stays within each priority, so that a hunt never joins a watch's query queued behind it,
 * and watches share only queries in flight).
 */
import { readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { Backend } from '../backends/backend';
import { ConcurrencyLimiter } from '../backends/concurrency-limit-decorator';
import { createDefenderBackend } from '../backends/defender';
import { createLocalBackend } from '../backends/local';
import { LocalEngine } from '../backends/local-engine';
import type { LocalLog } from '../backends/local-tables';
import { createLogAnalyticsBackend } from '../backends/log-analytics';
import { shareIdenticalHunts } from '../backends/shared-hunts-decorator';
import { SAMPLE_DATA_DIR, type BackendConfig } from '../config';
import { HuntTargets, type HuntTarget, type Readiness } from '../core/hunt-targets';
import { defenderHuntingLink, logsBladeLink } from '../hunt/portal-links';

/** What building the targets may be given instead of the defaults. */
export interface TargetOptions {
  /** Where the local backend logs its loading. */
  readonly log?: LocalLog;
  /** Default: `new DefaultAzureCredential()` (managed identity in Azure). */
  readonly credential?: TokenCredential;
  /** Queries one identity runs at once. Default 5, the Log Analytics limit. */
  readonly maxConcurrent?: number;
}

/** The client's deadline: the service's own limit, plus as long again (at most 30 s) for the answer to arrive. */
function deadlineMs(queryTimeoutSeconds: number): number {
  return queryTimeoutSeconds * 1000 + Math.min(30_000, queryTimeoutSeconds * 1000);
}

/** The local backend is ready when its folder has at least one table file. */
async function localReady(dataDir: string): Promise<Readiness> {
  try {
    const tables = (await readdir(dataDir)).filter((f) => /\.(jsonl|csv)$/.test(f));
    return tables.length > 0 ? { ok: true, detail: `${tables.length} table files in ${dataDir}` } : { ok: false, detail: `no table files in ${dataDir}` };
  } catch (error) {
    return { ok: false, detail: `cannot read ${dataDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
}

/** An Azure backend is ready when its identity gets a token for the service (cached by the credential). */
function tokenReady(credential: TokenCredential, scope: string): () => Promise<Readiness> {
  return async () => {
    try {
      await credential.getToken(scope);
      return { ok: true, detail: `the identity has a token for ${scope}` };
    } catch (error) {
      return { ok: false, detail: `no token for ${scope}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
    }
  };
}

const defenderPortal: HuntTarget['portal'] = (kql, window) => ({ title: 'Open in Defender', url: defenderHuntingLink(kql, { window }) });

/** Builds the targets a configuration names. */
export function createTargets(config: BackendConfig, options: TargetOptions = {}): HuntTargets {
  const share = (backend: Backend) => shareIdenticalHunts(backend);
  /**
   * Watches share queries in flight only: a run must see the data as it is now, not an answer kept
   * from a run a moment ago (a watch's query text repeats from run to run).
   */
  const shareInFlight = (backend: Backend) => shareIdenticalHunts(backend, { shareWindowMs: 0 });
  /** The interactive and background backends of `backend` under `limiter`. */
  const prioritised = (limiter: ConcurrencyLimiter, backend: Backend) => ({
    backend: share(limiter.wrap(backend)),
    background: shareInFlight(limiter.wrap(backend, { priority: 'background' })),
  });
  switch (config.kind) {
    case 'local': {
      // As the Azure backends: identical hunts share a query, and at most `threads` run at once
      // (one per engine thread), the rest queued with a "queued" card. The limiter is inside the
      // backend (only running a query takes a slot, not waiting for a table to load); a watch's
      // query carries the background priority to it.
      const { engine } = config;
      const local = createLocalBackend({
        dataDir: config.dataDir,
        maxWindow: config.maxWindow,
        label: config.dataDir === SAMPLE_DATA_DIR ? 'sample data' : `local files in ${config.dataDir}`,
        // Loading leaves a core to the event loop, which answers Teams.
        engine: new LocalEngine({
          threads: engine.threads,
          loadThreads: Math.max(1, availableParallelism() - 1),
          queryTimeoutMs: engine.timeoutSeconds * 1000,
          workerMemoryMb: engine.workerMemoryMb,
        }),
        limiter: new ConcurrencyLimiter({ maxConcurrent: engine.threads }),
        loadWaitMs: engine.loadWaitSeconds * 1000,
        // A changed file: the previous version answers at once while the new one loads.
        reloadWaitMs: 0,
        preload: true,
        ...(engine.snapshotDir ? { snapshotDir: engine.snapshotDir } : {}),
        ...(options.log ? { log: options.log } : {}),
      });
      return new HuntTargets({
        backend: share(local),
        background: shareInFlight({ ...local, run: (request) => local.run({ ...request, priority: 'background' }) }),
        portal: defenderPortal,
        appliesWindow: false,
        ready: () => localReady(config.dataDir),
      });
    }
    case 'defender': {
      const limiter = new ConcurrencyLimiter({ maxConcurrent: options.maxConcurrent ?? 5 });
      const credential = options.credential ?? new DefaultAzureCredential();
      return new HuntTargets({
        ...prioritised(limiter, createDefenderBackend({ credential, baseUrl: config.graphUrl, deadlineMs: deadlineMs(config.queryTimeoutSeconds) })),
        portal: defenderPortal,
        appliesWindow: true,
        ready: tokenReady(credential, 'https://graph.microsoft.com/.default'),
      });
    }
    case 'loganalytics': {
      const limiter = new ConcurrencyLimiter({ maxConcurrent: options.maxConcurrent ?? 5 });
      const credential = options.credential ?? new DefaultAzureCredential();
      const [first, ...rest] = config.workspaces.map(
        (workspace): HuntTarget => ({
          ...prioritised(
            limiter,
            createLogAnalyticsBackend({
              workspaceId: workspace.workspaceId,
              endpoint: config.endpoint,
              credential,
              serverTimeoutSeconds: config.queryTimeoutSeconds,
              deadlineMs: deadlineMs(config.queryTimeoutSeconds),
              ...(workspace.alias ? { alias: workspace.alias } : {}),
            }),
          ),
          ...(workspace.alias ? { alias: workspace.alias } : {}),
          appliesWindow: true,
          ready: tokenReady(credential, 'https://api.loganalytics.io/.default'),
          ...(workspace.resourceId
            ? { portal: (kql, window) => ({ title: 'Open in Sentinel', url: logsBladeLink(kql, { workspaceResourceId: workspace.resourceId!, window }) }) }
            : {}),
        }),
      );
      return new HuntTargets(first!, rest);
    }
  }
}
