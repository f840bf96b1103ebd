/**
 * `check <device> [window]` as a domain operation: which RMM tools were seen on one device, by
 * file signature, process or network evidence, in as few queries as the catalog allows
 * (`hunt/query-batch.ts`). Read-only: nothing is stored but the
 * audit. The card is made by `presenters/check-views.ts`.
 */
import { performance } from 'node:perf_hooks';
import type { Catalog, RmmTool } from '../hunt/catalog';
import { buildDeviceCheckQueries } from '../hunt/hunt-queries-device-check';
import { runBatch } from '../hunt/query-batch';
import { findExclusion } from '../store/exclusion-match';
import type { Exclusion, Store } from '../store/store';
import type { HuntTargets } from './hunt-targets';
import type { Log } from './log';
import { CHECK_USAGE, checkWindow, type CheckArgs } from './parse-hunt';
import { Deferred } from './route';
import { runFailureOf, type RunFailure } from './run-failure';
import { markKey, sanctionMarks, type SanctionMark } from './sanction-marks';
import type { PortalLinkView } from './views';

/** What a device check needs. */
export interface DeviceCheckDeps {
  readonly targets: HuntTargets;
  readonly catalog: Catalog;
  readonly store: Store;
  readonly log: Log;
  readonly now?: () => Date;
}

/** Tools listed on one check card; a device with more is a finding in itself, and the card says so. */
export const MAX_CHECK_TOOLS = 20;

/** A check on its way. */
export interface StartedCheck {
  readonly args: CheckArgs;
  /** Where it runs ("sample data"). */
  readonly source: string;
}

/** One tool seen on the device. */
export interface SeenTool {
  readonly tool: RmmTool;
  /** Evidence kinds as the query names them (`file-signature`, `process`, `network`). */
  readonly evidence: readonly string[];
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly count: number;
  /** The exclusion covering the device for this tool, if any. */
  readonly exclusion?: Exclusion;
  /**
   * What the tenant's sanction of the tool makes of the device: `unsanctioned-instance` when its
   * agent talks to another instance (under any of the device ids the name matched), `sanctioned`
   * when every one is; absent otherwise.
   */
  readonly sanction?: SanctionMark;
}

/** One mark for a tool from the marks of each device id the name matched. */
function toolMark(marks: ReadonlyArray<SanctionMark | undefined>): SanctionMark | undefined {
  const foreign = [...new Set(marks.flatMap((m) => (m?.kind === 'unsanctioned-instance' ? m.instances : [])))].sort();
  if (foreign.length > 0) return { kind: 'unsanctioned-instance', instances: foreign };
  return marks.length > 0 && marks.every((m) => m?.kind === 'sanctioned') ? { kind: 'sanctioned' } : undefined;
}

/** How a check ended. */
export type FinishedCheck = { readonly started: StartedCheck; readonly portal?: PortalLinkView } & (
  | {
      readonly kind: 'done';
      /** The tools seen most recently, at most {@link MAX_CHECK_TOOLS}. */
      readonly tools: readonly SeenTool[];
      /** Tools seen in all. */
      readonly seenCount: number;
      readonly queryMs: number;
      readonly partial?: string;
    }
  | { readonly kind: 'failed'; readonly failure: RunFailure }
);

/** Runs device checks. */
export class DeviceCheckService {
  private readonly now: () => Date;

  constructor(private readonly deps: DeviceCheckDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Checks the window against the target; the query runs once the acknowledgement is posted. Sanctions are the tenant's. */
  start(args: CheckArgs, tenant: string): Deferred<StartedCheck, FinishedCheck> {
    const target = this.deps.targets.resolve(args.workspace);
    checkWindow(args.window, target.backend.maxWindow, target.backend.source, CHECK_USAGE);
    const batch = buildDeviceCheckQueries({ tools: this.deps.catalog.tools, device: args.device, window: args.window }, { dialect: target.backend.dialect });
    const portal = batch.queries.length === 1 ? target.portal?.(batch.queries[0]!, args.window) : undefined;
    const started: StartedCheck = { args, source: target.backend.source };
    const link = portal ? { portal } : {};
    return new Deferred(started, async (): Promise<FinishedCheck> => {
      const began = performance.now();
      try {
        const result = await runBatch(batch, (kql) => target.backend.run({ kql, window: args.window }));
        const queryMs = Math.round(performance.now() - began);
        const now = this.now();
        const exclusions = await this.deps.store.listExclusions({ activeAt: now });
        const byTool = new Map<string, { tool: RmmTool; evidence: Set<string>; deviceIds: Set<string>; first: number; last: number; count: number }>();
        for (const row of result.rows) {
          const tool = this.deps.catalog.get(typeof row.Tool === 'string' ? row.Tool : '');
          const first = Date.parse(String(row.FirstSeen));
          const last = Date.parse(String(row.LastSeen));
          if (!tool || Number.isNaN(first) || Number.isNaN(last)) continue;
          const seen = byTool.get(tool.id) ?? { tool, evidence: new Set<string>(), deviceIds: new Set<string>(), first, last, count: 0 };
          seen.evidence.add(String(row.Evidence));
          if (typeof row.DeviceId === 'string' && row.DeviceId !== '') seen.deviceIds.add(row.DeviceId);
          seen.first = Math.min(seen.first, first);
          seen.last = Math.max(seen.last, last);
          seen.count += typeof row.Count === 'number' ? row.Count : 0;
          byTool.set(tool.id, seen);
        }
        const seen = [...byTool.values()].sort((a, b) => b.last - a.last);
        const listed = seen.slice(0, MAX_CHECK_TOOLS);
        const sanctions = await this.deps.store.listSanctions(tenant);
        const marked = await sanctionMarks({
          devices: listed.flatMap((s) => [...s.deviceIds].map((deviceId) => ({ toolId: s.tool.id, deviceId }))),
          sanctions,
          catalog: this.deps.catalog,
          window: args.window,
          backend: target.backend,
        });
        const tools = listed.map((s): SeenTool => {
          const exclusion = findExclusion(exclusions, { deviceName: args.device, toolId: s.tool.id, now });
          const sanction = toolMark([...s.deviceIds].map((id) => marked.marks.get(markKey(s.tool.id, id))));
          return {
            tool: s.tool,
            evidence: [...s.evidence],
            firstSeen: new Date(s.first),
            lastSeen: new Date(s.last),
            count: s.count,
            ...(exclusion ? { exclusion } : {}),
            ...(sanction ? { sanction } : {}),
          };
        });
        const unchecked = marked.failures.map(
          ({ tool, error }) => `could not tell which ${tool.name} instances it talks to: ${runFailureOf(error, this.deps.log, { device: args.device, tool: tool.id }).message}`,
        );
        const partial = [result.partial?.message, ...unchecked].filter((m): m is string => m !== undefined).join('; ');
        return { kind: 'done', started, tools, seenCount: seen.length, queryMs, ...(partial ? { partial } : {}), ...link };
      } catch (error) {
        return { kind: 'failed', started, failure: runFailureOf(error, this.deps.log, { device: args.device }), ...link };
      }
    });
  }
}
