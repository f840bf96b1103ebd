/**
 * `check <device> [window]` as a domain operation: which RMM tools were seen on one device, by
 * file signature, process or network evidence, in as few queries as the catalog allows
 * (`hunt/query-batch.ts`), and the device's context (`DeviceInfo`) beside them.
 *
 * A check is stored as a hunt of kind `device-check` whose findings are the tools seen (one per
 * tool and device id: a name can name more than one device), so that each of its rows has what a
 * hunt's row has — Details, Exclude and Escalate on stored ids that are looked up server-side and
 * belong to the conversation — and the card can be drawn again after a decision. What the tenant's
 * sanctions make of each row (sanctioned, or an unsanctioned instance) is kept with it as the marks
 * of a hunt are (`payloads/hunt-meta.ts`). The caller's tenant's exclusions apply as in hunts (by
 * DeviceId for exclusions made from a card, by name for typed patterns): a covered row is shown
 * excluded, not hidden, on the on-call answer. The card is made by `presenters/check-views.ts`.
 */
import { performance } from 'node:perf_hooks';
import type { Catalog, RmmTool } from '../hunt/catalog';
import type { QueryResult } from '../backends/backend';
import { devicesFromResult, type DeviceContext } from '../hunt/evidence';
import { buildDeviceContextByNameQuery } from '../hunt/evidence-queries';
import { rekey, type UnkeyedFinding } from '../hunt/finding';
import { buildDeviceCheckQueries } from '../hunt/hunt-queries-device-check';
import { runBatch } from '../hunt/query-batch';
import type { Hunt, Store } from '../store/store';
import { actorOf } from './access';
import type { RequestContext } from './context';
import type { HuntPage } from './hunt-service';
import type { HuntTargets } from './hunt-targets';
import type { Log } from './log';
import { CHECK_USAGE, checkWindow, type CheckArgs } from './parse-hunt';
import { CARD_FACTS, deviceFacts } from './payloads/evidence-facts';
import { storedCheckMeta } from './payloads/check-meta';
import { Deferred } from './route';
import { runFailureOf, type RunFailure } from './run-failure';
import { markKey, sanctionMarks, type SanctionMark } from './sanction-marks';
import { callerTenant } from './tenant-scope';
import type { Note, PortalLinkView } from './views';

/** What a device check needs. */
export interface DeviceCheckDeps {
  readonly targets: HuntTargets;
  readonly catalog: Catalog;
  readonly store: Store;
  readonly log: Log;
  /** Reads a page of a stored hunt (the check's card is drawn from it). */
  readonly pages: { finishedPage(huntId: string): Promise<HuntPage> };
  /** This bot instance, as recorded on its checks. */
  readonly instanceId: string;
}

/** Store tool id of a device check. */
export const CHECK_TOOLS = 'check';

/** Tools listed on one check card; a device with more is a finding in itself, and the card says so. */
export const MAX_CHECK_TOOLS = 20;

/** A check on its way. */
export interface StartedCheck {
  readonly args: CheckArgs;
  /** Where it runs ("sample data"). */
  readonly source: string;
  readonly hunt: Hunt;
}

/** How a check ended. */
export type FinishedCheck =
  | { readonly kind: 'done'; readonly page: HuntPage }
  | { readonly kind: 'failed'; readonly started: StartedCheck; readonly failure: RunFailure; readonly portal?: PortalLinkView };

/** One tool seen on one device id, over every kind of evidence. */
interface Seen {
  readonly tool: RmmTool;
  readonly deviceId: string;
  deviceName: string;
  readonly evidence: Set<string>;
  first: number;
  last: number;
  count: number;
  readonly reports: Set<string>;
}

/** Report ids kept per row: enough to find the events again, bounded whatever the data says. */
const MAX_REPORTS = 20;

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Runs device checks. */
export class DeviceCheckService {
  constructor(private readonly deps: DeviceCheckDeps) {}

  /**
   * Checks the window against the target and records the check; its queries run once the
   * acknowledgement is posted. Rows get the marks of the sanctions of the caller's tenant.
   */
  async start(args: CheckArgs, context: RequestContext): Promise<Deferred<StartedCheck, FinishedCheck>> {
    const { store, targets, catalog } = this.deps;
    const target = targets.resolve(args.workspace);
    const tenant = callerTenant(context);
    checkWindow(args.window, target.backend.maxWindow, target.backend.source, CHECK_USAGE);
    const batch = buildDeviceCheckQueries({ tools: catalog.tools, device: args.device, window: args.window }, { dialect: target.backend.dialect });
    const deviceQuery = buildDeviceContextByNameQuery({ device: args.device, window: args.window }, { dialect: target.backend.dialect });
    const portal = batch.queries.length === 1 ? target.portal?.(batch.queries[0]!, args.window) : undefined;
    const hunt = await store.createHunt({
      request: { toolId: CHECK_TOOLS, windowMs: args.window.ms, device: args.device, kind: 'device-check' },
      kql: batch.queries.join('\n\n'),
      source: target.backend.source,
      conversation: context.reference ?? null,
      requestedBy: actorOf(context),
      instanceId: this.deps.instanceId,
      origin: { tenant, conversationId: context.conversation.id },
    });
    const started: StartedCheck = { args, source: target.backend.source, hunt };
    const link = portal ? { portal } : {};
    return new Deferred(started, async (posted, queued, pace): Promise<FinishedCheck> => {
      const began = performance.now();
      try {
        await store.setHuntMessage(hunt.id, posted.messageId);
        const run = (kql: string) => target.backend.run({ kql, window: args.window, onQueued: queued });
        const [result, context] = await Promise.all([runBatch(batch, run), this.deviceContext(run, deviceQuery, args.device)]);
        await pace();
        const queryMs = Math.round(performance.now() - began);
        const seen = this.seenTools(result.rows);
        const kept = seen.slice(0, MAX_CHECK_TOOLS);
        const findings = rekey(kept.map((s): UnkeyedFinding => this.findingOf(s)));
        const marked = await sanctionMarks({ devices: findings, sanctions: await store.listSanctions(tenant), catalog, window: args.window, backend: target.backend });
        const marks: Record<string, SanctionMark> = {};
        for (const finding of findings) {
          const mark = marked.marks.get(markKey(finding.toolId, finding.deviceId));
          if (mark) marks[finding.rowKey] = mark;
        }
        const devices = 'devices' in context ? context.devices : [];
        const deviceIds = new Set([...seen.map((s) => s.deviceId), ...devices.map((d) => d.deviceId)]);
        const notes: Note[] = [
          ...(result.partial ? [{ text: `Partial result: ${result.partial.message}`, tone: 'warning' as const }] : []),
          ...marked.failures.map(({ tool, error }): Note => ({
            text: `Could not tell which ${tool.name} instances it talks to: ${runFailureOf(error, this.deps.log, { device: args.device, tool: tool.id }).message}`,
            tone: 'warning',
          })),
          ...('problem' in context ? [{ text: `The device's context could not be read: ${context.problem}`, tone: 'warning' as const }] : []),
          ...(seen.length > MAX_CHECK_TOOLS
            ? [{ text: `${seen.length} tools were seen; these are the ${MAX_CHECK_TOOLS} seen most recently. Hunt each of the rest by name.`, tone: 'warning' as const }]
            : []),
          ...(deviceIds.size > 1
            ? [{ text: `${plural(deviceIds.size, 'device is', 'devices are')} named ${args.device}: the device shown is the one reported most recently, and each row names its device id.`, tone: 'warning' as const }]
            : []),
        ];
        const evidence = Object.fromEntries(findings.map((f, i) => [f.rowKey, [...kept[i]!.evidence]]));
        const device = devices[0];
        const meta = storedCheckMeta({
          subject: `RMM tools on ${args.device}`,
          byTool: true,
          queryMs,
          notes,
          ...link,
          marks,
          evidence,
          ...(device ? { device: deviceFacts(device, CARD_FACTS) } : {}),
        });
        await store.finishHunt(hunt.id, { status: 'done', findings, meta });
        return { kind: 'done', page: await this.deps.pages.finishedPage(hunt.id) };
      } catch (error) {
        const failure = runFailureOf(error, this.deps.log, { device: args.device });
        await store.finishHunt(hunt.id, { status: 'failed', error: failure.message }).catch((e: unknown) => this.deps.log.error({ err: e, huntId: hunt.id }, 'could not record the failed check'));
        return { kind: 'failed', started, failure, ...link };
      }
    });
  }

  /**
   * The context of the devices the name names; a data source without `DeviceInfo` (or a failing
   * query) does not fail the check, which says why the device's context is missing.
   */
  private async deviceContext(run: (kql: string) => Promise<QueryResult>, query: string, device: string): Promise<{ devices: DeviceContext[] } | { problem: string }> {
    try {
      return { devices: devicesFromResult(await run(query)) };
    } catch (error) {
      return { problem: runFailureOf(error, this.deps.log, { device }).message };
    }
  }

  /** The check's rows grouped by tool and device id, most recently seen first. */
  private seenTools(rows: ReadonlyArray<Readonly<Record<string, unknown>>>): Seen[] {
    const byKey = new Map<string, Seen>();
    for (const row of rows) {
      const tool = this.deps.catalog.get(typeof row.Tool === 'string' ? row.Tool : '');
      const first = Date.parse(String(row.FirstSeen));
      const last = Date.parse(String(row.LastSeen));
      const deviceId = typeof row.DeviceId === 'string' ? row.DeviceId : '';
      if (!tool || deviceId === '' || Number.isNaN(first) || Number.isNaN(last)) continue;
      const key = `${tool.id}\u0000${deviceId}`;
      const seen = byKey.get(key) ?? { tool, deviceId, deviceName: '', evidence: new Set<string>(), first, last, count: 0, reports: new Set<string>() };
      seen.evidence.add(String(row.Evidence));
      if (last >= seen.last || seen.deviceName === '') seen.deviceName = typeof row.DeviceName === 'string' ? row.DeviceName : seen.deviceName;
      seen.first = Math.min(seen.first, first);
      seen.last = Math.max(seen.last, last);
      seen.count += typeof row.Count === 'number' ? row.Count : 0;
      for (const report of Array.isArray(row.Report) ? row.Report : []) {
        if (seen.reports.size < MAX_REPORTS && (typeof report === 'string' || typeof report === 'number')) seen.reports.add(String(report));
      }
      byKey.set(key, seen);
    }
    return [...byKey.values()].sort((a, b) => b.last - a.last || a.tool.name.localeCompare(b.tool.name));
  }

  private findingOf(seen: Seen): UnkeyedFinding {
    return {
      deviceId: seen.deviceId,
      deviceName: seen.deviceName,
      firstSeen: new Date(seen.first),
      lastSeen: new Date(seen.last),
      count: seen.count,
      reportIds: [...seen.reports],
      toolId: seen.tool.id,
    };
  }
}
