/**
 * Hunts, as domain operations: start one (record it, then run its query outside the turn, hide
 * excluded devices, keep the result), read a page of a finished one with what was decided about
 * each row, find the finding a button names, and mark hunts a restart interrupted. Views are made
 * by `presenters/hunt-views.ts`.
 */
import { performance } from 'node:perf_hooks';
import type { Backend } from '../backends/backend';
import type { Catalog } from '../hunt/catalog';
import { rekey, sortFindings } from '../hunt/finding';
import { runBatch } from '../hunt/query-batch';
import type { HuntWindow } from '../hunt/window';
import { findExclusion, isActive } from '../store/exclusion-match';
import type { Hunt, Store, StoredFinding } from '../store/store';
import { actorOf } from './access';
import type { RequestContext } from './context';
import { ALL_TOOLS, planHunt } from './hunt-plan';
import type { HuntTargets } from './hunt-targets';
import type { Log } from './log';
import { pageOf, pageOfIndex, type Page } from './paging';
import { checkWindow, type HuntArgs } from './parse-hunt';
import { readHuntMeta, storedHuntMeta, type HuntMeta } from './payloads/hunt-meta';
import { Deferred } from './route';
import { runFailureOf, type RunFailure } from './run-failure';
import { markKey, sanctionMarks, type SanctionMark } from './sanction-marks';
import { tenantOf } from './tenant';
import { toolRefName } from './tool-ref';
import { UserError } from './user-error';
import type { Note, PortalLinkView } from './views';

/** Devices per result card page: keeps each card well under Teams' size limit. */
export const HUNT_PAGE_SIZE = 10;

/** A running hunt older than this, of any instance, is taken to be dead at start-up. */
export const STALE_HUNT_MS = 30 * 60_000;

/** What the hunt service needs. */
export interface HuntServiceDeps {
  readonly targets: HuntTargets;
  readonly catalog: Catalog;
  readonly store: Store;
  readonly log: Log;
  /** This bot instance, as recorded on its hunts. */
  readonly instanceId: string;
  /** Most devices a hunt brings back. */
  readonly maxDevices: number;
  readonly now?: () => Date;
}

/** A hunt that has been recorded and is about to run. */
export interface StartedHunt {
  readonly hunt: Hunt;
  readonly subject: string;
}

/** What has been decided about one row of a hunt. */
export type RowDecision =
  | { readonly kind: 'excluded'; readonly by: string; readonly reason: string }
  | { readonly kind: 'escalated'; readonly by: string; readonly incident: number };

/** One device of a page, with what was decided about it. */
export interface HuntRow {
  readonly finding: StoredFinding;
  readonly decision?: RowDecision;
}

/** A page of a finished hunt. */
export interface HuntPage {
  readonly hunt: Hunt;
  readonly meta: HuntMeta;
  readonly rows: Page<HuntRow>;
}

/** How a hunt ended. */
export type FinishedHunt =
  | { readonly kind: 'done'; readonly page: HuntPage }
  | { readonly kind: 'failed'; readonly hunt: Hunt; readonly subject: string; readonly failure: RunFailure; readonly portal?: PortalLinkView };

/** The finding a button names, and the result page it is on. */
export interface FindingRef {
  readonly hunt: Hunt;
  readonly finding: StoredFinding;
  readonly page: number;
}

/** A hunt a restart interrupted whose message still says "Hunting…". */
export interface InterruptedHunt {
  readonly hunt: Hunt;
  readonly subject: string;
  /** The conversation reference the hunt was asked in (opaque). */
  readonly reference: unknown;
  readonly messageId: string;
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Runs hunts and reads their results. */
export class HuntService {
  private readonly now: () => Date;

  constructor(private readonly deps: HuntServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Records the hunt; its query runs once the acknowledgement is posted. */
  async start(args: HuntArgs, context: RequestContext): Promise<Deferred<StartedHunt, FinishedHunt>> {
    const { store, targets } = this.deps;
    const target = targets.resolve(args.workspace);
    checkWindow(args.window, target.backend.maxWindow, target.backend.source);
    const plan = planHunt(args, target, { catalog: this.deps.catalog, maxDevices: this.deps.maxDevices });
    const hunt = await store.createHunt({
      request: plan.request,
      kql: plan.kql,
      source: target.backend.source,
      conversation: context.reference ?? null,
      requestedBy: actorOf(context),
      instanceId: this.deps.instanceId,
    });
    const portal = plan.batch.queries.length === 1 ? target.portal?.(plan.kql, args.window) : undefined;
    return new Deferred({ hunt, subject: plan.subject }, async (posted, queued) => {
      const { log } = this.deps;
      const started = performance.now();
      const request = hunt.request;
      log.info({ huntId: hunt.id, tool: request.toolId, kind: request.kind, windowMs: request.windowMs, device: request.device }, 'hunt started');
      try {
        await store.setHuntMessage(hunt.id, posted.messageId);
        const result = await runBatch(plan.batch, (kql) => target.backend.run({ kql, window: { ms: request.windowMs }, onQueued: queued }));
        const queryMs = Math.round(performance.now() - started);
        const now = this.now();
        const exclusions = await store.listExclusions({ activeAt: now });
        const { findings: found, total } = plan.findings(result);
        const kept = found.filter((f) => !findExclusion(exclusions, { deviceName: f.deviceName, toolId: f.toolId, now }));
        const visible = rekey(sortFindings(kept, plan.byTool ? (id) => toolRefName(id, this.deps.catalog) : undefined));
        const hiddenCount = found.length - kept.length;
        const sanctions = await this.marksOf(visible, { tenant: tenantOf(context), window: args.window, backend: target.backend, huntId: hunt.id });
        const notes: Note[] = [
          ...plan.notes,
          ...sanctions.notes,
          ...(result.partial ? [{ text: `Partial result: ${result.partial.message}`, tone: 'warning' as const }] : []),
          ...(total !== undefined && total > found.length
            ? [{ text: `Showing the ${plural(found.length, 'device', 'devices')} seen most recently of ${plural(total, 'device', 'devices')} found; narrow the window or name a device for the rest.`, tone: 'warning' as const }]
            : []),
        ];
        const meta = storedHuntMeta({ subject: plan.subject, byTool: plan.byTool, queryMs, notes, marks: sanctions.marks, ...(portal ? { portal } : {}) });
        await store.finishHunt(hunt.id, { status: 'done', findings: visible, hiddenCount, meta });
        log.info({ huntId: hunt.id, devices: visible.length, hidden: hiddenCount, total, partial: Boolean(result.partial), queryMs }, 'hunt finished');
        return { kind: 'done', page: await this.page(hunt.id, 1) };
      } catch (error) {
        const failure = runFailureOf(error, log, { huntId: hunt.id });
        await store.finishHunt(hunt.id, { status: 'failed', error: failure.message }).catch((e: unknown) => log.error({ err: e, huntId: hunt.id }, 'could not record the failed hunt'));
        return { kind: 'failed', hunt, subject: plan.subject, failure, ...(portal ? { portal } : {}) };
      }
    });
  }

  /**
   * What the tenant's sanctions make of the devices, by row key; a tool whose instances could not
   * be checked is named in a note and its devices stay unmarked.
   */
  private async marksOf(
    findings: readonly StoredFinding[],
    where: { readonly tenant: string; readonly window: HuntWindow; readonly backend: Backend; readonly huntId: string },
  ): Promise<{ readonly marks: Record<string, SanctionMark>; readonly notes: Note[] }> {
    const sanctions = await this.deps.store.listSanctions(where.tenant);
    if (sanctions.length === 0 || findings.length === 0) return { marks: {}, notes: [] };
    const found = await sanctionMarks({ devices: findings, sanctions, catalog: this.deps.catalog, window: where.window, backend: where.backend });
    const marks: Record<string, SanctionMark> = {};
    for (const finding of findings) {
      const mark = found.marks.get(markKey(finding.toolId, finding.deviceId));
      if (mark) marks[finding.rowKey] = mark;
    }
    const notes = found.failures.map(({ tool, error }): Note => ({
      text: `Could not tell which ${tool.name} instances these devices talk to: ${runFailureOf(error, this.deps.log, { huntId: where.huntId, tool: tool.id }).message}`,
      tone: 'warning',
    }));
    return { marks, notes };
  }

  /** Page `page` (1-based, clamped) of a finished hunt. */
  async page(huntId: string, page: number): Promise<HuntPage> {
    const hunt = await this.finished(huntId);
    const meta = readHuntMeta(hunt.meta, { subject: this.subjectOf(hunt), byTool: hunt.request.toolId === ALL_TOOLS });
    const findings = await this.deps.store.listFindings(huntId);
    const shown = pageOf(findings, page, HUNT_PAGE_SIZE);
    const decisions = shown.items.length ? await this.decisions(huntId) : new Map<string, RowDecision>();
    const items = shown.items.map((finding): HuntRow => {
      const decision = decisions.get(finding.rowKey);
      return decision ? { finding, decision } : { finding };
    });
    return { hunt, meta, rows: { ...shown, items } };
  }

  /** The finding a card button names, and the page it is on; refuses ids and keys it does not know. */
  async finding(huntId: string, key: string): Promise<FindingRef> {
    const hunt = await this.finished(huntId);
    const finding = await this.deps.store.getFinding(huntId, key);
    if (!finding) throw new UserError('That device is not part of this hunt', 'Run the hunt again and use the buttons of the new card.');
    const index = Number(key);
    return { hunt, finding, page: Number.isInteger(index) ? pageOfIndex(index, HUNT_PAGE_SIZE) : 1 };
  }

  /** What a stored hunt was about. */
  subjectOf(hunt: Hunt): string {
    const { toolId } = hunt.request;
    return readHuntMeta(hunt.meta, { subject: toolId === ALL_TOOLS ? 'All RMM tools' : toolRefName(toolId, this.deps.catalog), byTool: false }).subject;
  }

  /**
   * Marks as interrupted the hunts this instance left running (and anyone's older than
   * {@link STALE_HUNT_MS}), returning those whose message still says "Hunting…".
   */
  async interruptUnfinished(): Promise<InterruptedHunt[]> {
    const { store, instanceId } = this.deps;
    const mine = await store.listRunningHunts({ instanceId });
    const stale = await store.listRunningHunts({ createdBefore: new Date(this.now().getTime() - STALE_HUNT_MS) });
    const hunts = new Map([...mine, ...stale].map((h) => [h.id, h]));
    const interrupted: InterruptedHunt[] = [];
    for (const hunt of hunts.values()) {
      if (!(await store.finishHunt(hunt.id, { status: 'interrupted' }))) continue;
      this.deps.log.warn({ huntId: hunt.id }, 'hunt interrupted by a restart');
      if (hunt.messageId === undefined || hunt.conversation === null) continue;
      interrupted.push({ hunt, subject: this.subjectOf(hunt), reference: hunt.conversation, messageId: hunt.messageId });
    }
    return interrupted;
  }

  private async finished(huntId: string): Promise<Hunt> {
    const hunt = await this.deps.store.getHunt(huntId);
    if (!hunt || hunt.status !== 'done') {
      throw new UserError('That hunt is no longer available', 'Run the hunt again to see its devices.');
    }
    return hunt;
  }

  /** What has been decided about each row of a hunt: exclusions made from it, escalations of it. */
  private async decisions(huntId: string): Promise<Map<string, RowDecision>> {
    const now = this.now();
    const decisions = new Map<string, RowDecision>();
    for (const escalation of await this.deps.store.listEscalations({ huntId })) {
      decisions.set(escalation.rowKey, { kind: 'escalated', by: escalation.by.name, incident: escalation.incidentNumber });
    }
    for (const exclusion of await this.deps.store.listExclusions({ activeAt: now })) {
      if (exclusion.source?.huntId === huntId && isActive(exclusion, now)) {
        decisions.set(exclusion.source.rowKey, { kind: 'excluded', by: exclusion.createdBy.name, reason: exclusion.reason });
      }
    }
    return decisions;
  }
}
