/**
 * What a watch posts (the scheduler's presenter): the facts of the post, stored in the outbox and
 * made into a card when it is sent (`presenters/watch-views.ts`).
 *
 * The baseline posts a summary. New devices are kept as a finished hunt of their own — the watch's
 * hunt over the run's window, its devices those the run reported — so that the post's rows carry
 * the same buttons as any hunt's (Exclude, Escalate, and whatever rows gain later), which look the
 * finding up by hunt id and row key; its later pages are that hunt's pages. The presenter may run
 * more than once for one batch (instances racing for a run that died): only one post is enqueued,
 * and a hunt made by a call that lost is never shown (retention removes it).
 */
import type { Catalog } from '../hunt/catalog';
import { rekey, sortFindings } from '../hunt/finding';
import type { Store, Watch, WatchBatch } from '../store/store';
import type { WatchPresenter } from '../watch/watch-scheduler';
import { postCounts } from '../watch/watch-summary';
import { watchWindow } from '../watch/watch-window';
import { planHunt } from './hunt-plan';
import { HUNT_PAGE_SIZE } from './hunt-service';
import type { HuntTargets } from './hunt-targets';
import type { HuntVocabulary } from './parse-hunt';
import { storedHuntMeta } from './payloads/hunt-meta';
import { watchPostPayload, type WatchPostPayload } from './payloads/outbox-payload';
import { requireWatchHunt, watchHuntArgs, watchSubject } from './payloads/watch-spec';
import { watchPostHeadline, watchPostNote } from './presenters/watch-views';
import { isoSeconds } from './presenters/format';
import { markKey, type SanctionMark } from './sanction-marks';
import { toolRefName } from './tool-ref';

/** What making posts needs. */
export interface WatchPostDeps extends HuntVocabulary {
  readonly catalog: Catalog;
  readonly store: Store;
  readonly targets: HuntTargets;
  readonly maxDevices: number;
  /** This bot instance, as recorded on the hunts it keeps. */
  readonly instanceId: string;
  /** The ingestion-delay overlap of the runs (`HUNT_WATCH_OVERLAP`), to name a run's window. */
  readonly overlapMs?: number;
}

/** The scheduler's presenter. */
export function watchPostPresenter(deps: WatchPostDeps): WatchPresenter {
  return async (watch: Watch, batch: WatchBatch): Promise<WatchPostPayload> => {
    const hunt = requireWatchHunt(watch.spec);
    const counts = postCounts(batch);
    const common = {
      watch: { id: watch.id, intervalMs: watch.intervalMs, createdBy: watch.createdBy.name },
      subject: watchSubject(hunt, deps),
      batch: batch.kind,
      devices: counts.devices,
      unsanctioned: counts.unsanctioned,
    };
    if (batch.kind === 'baseline') return watchPostPayload(common);

    const args = watchHuntArgs(hunt, deps);
    const target = deps.targets.resolve(args.workspace);
    const window = { ms: Math.min(watchWindow(watch, batch.createdAt, deps.overlapMs !== undefined ? { overlapMs: deps.overlapMs } : {}).ms, target.backend.maxWindow.ms) };
    const plan = planHunt({ ...args, window }, target, { catalog: deps.catalog, maxDevices: deps.maxDevices });
    const kept = await deps.store.createHunt({
      request: plan.request,
      kql: plan.kql,
      source: target.backend.source,
      conversation: watch.conversation,
      requestedBy: watch.createdBy,
      instanceId: deps.instanceId,
    });
    const byTool = plan.byTool ? (id: string) => toolRefName(id, deps.catalog) : undefined;
    const findings = rekey(sortFindings(batch.sightings.map(({ deviceId, deviceName, toolId, firstSeen, lastSeen, count }) => ({ deviceId, deviceName, toolId, firstSeen, lastSeen, count, reportIds: [] })), byTool));
    const instances = new Map(batch.sightings.filter((s) => s.unsanctionedInstances?.length).map((s) => [markKey(s.toolId, s.deviceId), s.unsanctionedInstances!]));
    const marks: Record<string, SanctionMark> = {};
    for (const finding of findings) {
      const flagged = instances.get(markKey(finding.toolId, finding.deviceId));
      if (flagged) marks[finding.rowKey] = { kind: 'unsanctioned-instance', instances: flagged };
    }
    await deps.store.finishHunt(kept.id, {
      status: 'done',
      findings,
      meta: storedHuntMeta({ subject: common.subject, byTool: plan.byTool, notes: [watchPostNote(common.watch)], title: watchPostHeadline(common), marks }),
    });
    return watchPostPayload({
      ...common,
      found: {
        huntId: kept.id,
        windowMs: window.ms,
        source: target.backend.source,
        byTool: plan.byTool,
        pageCount: Math.max(1, Math.ceil(findings.length / HUNT_PAGE_SIZE)),
        rows: findings.slice(0, HUNT_PAGE_SIZE).map((f) => ({
          row: f.rowKey,
          deviceId: f.deviceId,
          deviceName: f.deviceName,
          toolName: toolRefName(f.toolId, deps.catalog),
          firstSeen: isoSeconds(f.firstSeen),
          lastSeen: isoSeconds(f.lastSeen),
          count: f.count,
          ...(marks[f.rowKey]?.kind === 'unsanctioned-instance' ? { unsanctionedInstances: [...instances.get(markKey(f.toolId, f.deviceId))!] } : {}),
        })),
      },
    });
  };
}
