/**
 * `check <device> [window]`: the on-call answer — which RMM tools were seen on one device, by file
 * signature, process or network evidence, in as few queries as the catalog allows (`query-batch.ts`). Read-only: nothing is stored but the audit.
 */
import { performance } from 'node:perf_hooks';
import { BackendError } from '../backends/backend';
import type { Catalog } from '../hunt/catalog';
import { buildDeviceCheckQueries } from '../hunt/hunt-queries-device-check';
import { runBatch } from '../hunt/query-batch';
import { describeWindow } from '../hunt/window';
import { findExclusion } from '../store/exclusion-match';
import type { Store } from '../store/store';
import type { Auditor } from './audit';
import type { RequestContext } from './context';
import type { HuntTargets } from './hunt-targets';
import { isoSeconds } from './hunt-service';
import type { Log } from './log';
import { CHECK_USAGE, checkWindow, type CheckArgs } from './parse-hunt';
import type { DeferredReply } from './reply';
import type { CheckRow, HuntHeader, View } from './views';

/** What a device check needs. */
export interface DeviceCheckDeps {
  readonly targets: HuntTargets;
  readonly catalog: Catalog;
  readonly store: Store;
  readonly auditor: Auditor;
  readonly log: Log;
  readonly now?: () => Date;
}

/** Tools listed on one check card; a device with more is a finding in itself, and the card says so. */
export const MAX_CHECK_TOOLS = 20;

const EVIDENCE_NAMES: Readonly<Record<string, string>> = { 'file-signature': 'file signature', process: 'process', network: 'network' };

/** Runs device checks. */
export class DeviceCheckService {
  private readonly now: () => Date;

  constructor(private readonly deps: DeviceCheckDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** A progress card now, the tools seen on the device when the backend answers. */
  start(args: CheckArgs, context: RequestContext): DeferredReply {
    const target = this.deps.targets.resolve(args.workspace);
    checkWindow(args.window, target.backend.maxWindow, target.backend.source, CHECK_USAGE);
    const batch = buildDeviceCheckQueries({ tools: this.deps.catalog.tools, device: args.device, window: args.window }, { dialect: target.backend.dialect });
    const header: HuntHeader = { subject: `RMM tools on ${args.device}`, windowText: describeWindow(args.window), source: target.backend.source, device: args.device };
    const portal = batch.queries.length === 1 ? target.portal?.(batch.queries[0]!, args.window) : undefined;
    return {
      kind: 'deferred',
      progress: { name: 'huntProgress', header, state: 'running' },
      complete: async () => {
        const started = performance.now();
        const audit = { device: args.device, windowMs: args.window.ms, source: target.backend.source };
        try {
          const result = await runBatch(batch, (kql) => target.backend.run({ kql, window: args.window }));
          const queryMs = Math.round(performance.now() - started);
          const now = this.now();
          const exclusions = await this.deps.store.listExclusions({ activeAt: now });
          const byTool = new Map<string, { evidence: Set<string>; first: number; last: number; count: number }>();
          for (const row of result.rows) {
            const tool = typeof row.Tool === 'string' ? row.Tool : '';
            const first = Date.parse(String(row.FirstSeen));
            const last = Date.parse(String(row.LastSeen));
            if (!this.deps.catalog.get(tool) || Number.isNaN(first) || Number.isNaN(last)) continue;
            const seen = byTool.get(tool) ?? { evidence: new Set<string>(), first, last, count: 0 };
            seen.evidence.add(EVIDENCE_NAMES[String(row.Evidence)] ?? String(row.Evidence));
            seen.first = Math.min(seen.first, first);
            seen.last = Math.max(seen.last, last);
            seen.count += typeof row.Count === 'number' ? row.Count : 0;
            byTool.set(tool, seen);
          }
          const seen = [...byTool.entries()].sort((a, b) => b[1].last - a[1].last);
          const tools: CheckRow[] = seen
            .slice(0, MAX_CHECK_TOOLS)
            .map(([toolId, seen]) => {
              const exclusion = findExclusion(exclusions, { deviceName: args.device, toolId, now });
              return {
                toolName: this.deps.catalog.get(toolId)!.name,
                evidence: [...seen.evidence].join(', '),
                firstSeen: isoSeconds(new Date(seen.first)),
                lastSeen: isoSeconds(new Date(seen.last)),
                count: seen.count,
                ...(exclusion ? { excluded: `Excluded by ${exclusion.createdBy.name}: ${exclusion.reason}` } : {}),
              };
            });
          await this.deps.auditor.record(context, 'check', { ...audit, tools: tools.length });
          const notes = [
            ...(result.partial ? [{ text: `Partial result: ${result.partial.message}`, tone: 'warning' as const }] : []),
            ...(seen.length > MAX_CHECK_TOOLS
              ? [{ text: `${seen.length} tools were seen; these are the ${MAX_CHECK_TOOLS} seen most recently. Hunt each of the rest by name.`, tone: 'warning' as const }]
              : []),
          ];
          return { name: 'deviceCheck', header, queryMs, tools, notes, ...(portal ? { portal } : {}) } satisfies View;
        } catch (error) {
          if (!(error instanceof BackendError)) this.deps.log.error({ err: error, device: args.device }, 'device check failed unexpectedly');
          const message = error instanceof BackendError ? error.message : 'Something went wrong on our side. The team has the details in the log.';
          await this.deps.auditor.record(context, 'check', { ...audit, error: message }, 'failed');
          return { name: 'huntFailed', header, failure: error instanceof BackendError ? error.failure : 'internal', message, ...(portal ? { portal } : {}) } satisfies View;
        }
      },
    };
  }
}
