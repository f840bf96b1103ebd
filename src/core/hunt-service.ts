/**
 * Hunts, as domain operations: start one (record it with where it was asked, then run its query
 * outside the turn, hide the devices the tenant's exclusions cover, keep the result), read a page of
 * a finished one with what was decided about each row, find the finding a button names, and mark
 * hunts a restart interrupted. A hunt's pages and findings are read only in the conversation (and
 * tenant) it was asked in: card action data is untrusted, and names hunts. Views are made by
 * `presenters/hunt-views.ts`.
 */
import { performance } from 'node:perf_hooks';
import type { Backend } from '../backends/backend';
import type { Catalog } from '../hunt/catalog';
import { rekey, sortFindings } from '../hunt/finding';
import { runBatch } from '../hunt/query-batch';
import type { HuntWindow } from '../hunt/window';
import { exclusionKind, findExclusion, isActive, namesakeExclusions } from '../store/exclusion-match';
import type { Exclusion, Hunt, Store, StoredFinding } from '../store/store';
import { actorOf } from './access';
import type { RequestContext } from './context';
import { ALL_TOOLS, planHunt } from './hunt-plan';
import type { HuntTargets } from './hunt-targets';
import type { Log } from './log';
import { pageBounds, pageOfIndex, type Page } from './paging';
import { checkWindow, type HuntArgs } from './parse-hunt';
import { readEvidenceMeta } from './payloads/evidence-meta';
import { readHuntMeta, storedHuntMeta, type HuntMeta } from './payloads/hunt-meta';
import { Deferred } from './route';
import { runFailureOf, type RunFailure } from './run-failure';
import { markKey, sanctionMarks, type SanctionMark } from './sanction-marks';
import { callerTenant } from './tenant-scope';
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

/** A device shown although its name is the recorded name of a device the tenant excluded. */
export interface Namesake {
  readonly finding: StoredFinding;
  /** The exclusion of the other device. */
  readonly exclusion: Exclusion;
}

/** A page of a finished hunt. */
export interface HuntPage {
  readonly hunt: Hunt;
  readonly meta: HuntMeta;
  readonly rows: Page<HuntRow>;
  /** Devices of the page that bear the name of another device excluded for this tool. */
  readonly namesakes: readonly Namesake[];
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
  /**
   * The stored Details run whose row the button named, when it stood for this finding: forms opened
   * from the evidence card carry it, so that they go back to that card.
   */
  readonly via?: { readonly huntId: string; readonly row: string };
  /** The stored message of the card whose button named it (the hunt's card, or the Details run's): the one a decision updates for everyone. */
  readonly messageId?: string;
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
    const tenant = callerTenant(context);
    const hunt = await store.createHunt({
      request: plan.request,
      kql: plan.kql,
      source: target.backend.source,
      conversation: context.reference ?? null,
      requestedBy: actorOf(context),
      instanceId: this.deps.instanceId,
      origin: { tenant, conversationId: context.conversation.id },
    });
    const portal = plan.batch.queries.length === 1 ? target.portal?.(plan.kql, args.window) : undefined;
    return new Deferred({ hunt, subject: plan.subject }, async (posted, queued, pace) => {
      const { log } = this.deps;
      const started = performance.now();
      const request = hunt.request;
      log.info({ huntId: hunt.id, tool: request.toolId, kind: request.kind, windowMs: request.windowMs, device: request.device }, 'hunt started');
      try {
        await store.setHuntMessage(hunt.id, posted.messageId);
        const result = await runBatch(plan.batch, (kql) => target.backend.run({ kql, window: { ms: request.windowMs }, onQueued: queued }));
        await pace();
        const queryMs = Math.round(performance.now() - started);
        const now = this.now();
        const exclusions = await store.listExclusions({ activeAt: now, tenant });
        const { findings: found, total } = plan.findings(result);
        const kept: typeof found = [];
        let hiddenByPattern = 0;
        for (const finding of found) {
          const exclusion = findExclusion(exclusions, { ...finding, now });
          if (!exclusion) kept.push(finding);
          else if (exclusionKind(exclusion) === 'pattern') hiddenByPattern += 1;
        }
        const visible = rekey(sortFindings(kept, plan.byTool ? (id) => toolRefName(id, this.deps.catalog) : undefined));
        const hiddenCount = found.length - kept.length;
        const sanctions = await this.marksOf(visible, { tenant, window: args.window, backend: target.backend, huntId: hunt.id });
        const notes: Note[] = [
          ...plan.notes,
          ...sanctions.notes,
          ...(result.partial ? [{ text: `Partial result: ${result.partial.message}`, tone: 'warning' as const }] : []),
          ...(total !== undefined && total > found.length
            ? [{ text: `Showing the ${plural(found.length, 'device', 'devices')} seen most recently of ${plural(total, 'device', 'devices')} found; narrow the window or name a device for the rest.`, tone: 'warning' as const }]
            : []),
        ];
        const meta = storedHuntMeta({ subject: plan.subject, byTool: plan.byTool, queryMs, notes, hiddenByPattern, marks: sanctions.marks, ...(portal ? { portal } : {}) });
        // A large result is recorded, then read back for its card, each in a stretch of its own.
        await pace();
        await store.finishHunt(hunt.id, { status: 'done', findings: visible, hiddenCount, meta });
        await pace();
        log.info({ huntId: hunt.id, devices: visible.length, hidden: hiddenCount, total, partial: Boolean(result.partial), queryMs }, 'hunt finished');
        return { kind: 'done', page: await this.pageOf(await this.finished(hunt.id), 1) };
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

  /**
   * Page `page` (1-based, clamped) of a finished hunt, device check or Details run asked in the
   * caller's conversation and tenant (any other is answered as one that is no longer available). A
   * check's rows also say when an exclusion covers the device for the tool; a Details run's one row
   * says what was decided about the finding it is about.
   */
  async page(huntId: string, page: number, context: RequestContext): Promise<HuntPage> {
    return this.pageOf(await this.finished(huntId, context), page);
  }

  /** The first page of a hunt or check this service's caller has just finished (by the id it was stored under, never one a request names). */
  async finishedPage(huntId: string): Promise<HuntPage> {
    return this.pageOf(await this.finished(huntId), 1);
  }

  private async pageOf(hunt: Hunt, page: number): Promise<HuntPage> {
    const meta = readHuntMeta(hunt.meta, { subject: this.subjectOf(hunt), byTool: hunt.request.toolId === ALL_TOOLS });
    const bounds = pageBounds(hunt.findingCount, page, HUNT_PAGE_SIZE);
    const shown = { ...bounds, items: await this.deps.store.listFindings(hunt.id, { offset: bounds.offset, limit: HUNT_PAGE_SIZE }) };
    const now = this.now();
    const exclusions = shown.items.length ? await this.deps.store.listExclusions({ activeAt: now, ...(hunt.origin ? { tenant: hunt.origin.tenant } : {}) }) : [];
    const decisions = shown.items.length ? await this.decisionsOf(hunt, shown.items, exclusions, now) : new Map<string, RowDecision>();
    const items = shown.items.map((finding): HuntRow => {
      const decision = decisions.get(finding.rowKey);
      return decision ? { finding, decision } : { finding };
    });
    const namesakes = shown.items.flatMap((finding) => namesakeExclusions(exclusions, { ...finding, now }).slice(0, 1).map((exclusion) => ({ finding, exclusion })));
    return { hunt, meta, rows: { ...shown, items }, namesakes };
  }

  /**
   * The finding a card button names, and the page it is on; refuses ids and keys it does not know,
   * and hunts asked in another conversation or tenant (as if unknown). A Details run's row stands
   * for the finding it is about: Exclude and Escalate on the evidence card decide about that
   * finding, once, as its own card's buttons do.
   */
  async finding(huntId: string, key: string, context: RequestContext): Promise<FindingRef> {
    return this.findingIn(await this.finished(huntId, context), key);
  }

  private async findingIn(hunt: Hunt, key: string): Promise<FindingRef> {
    const huntId = hunt.id;
    const finding = await this.deps.store.getFinding(huntId, key);
    if (!finding) throw new UserError('That device is not part of this hunt', 'Run the hunt again and use the buttons of the new card.');
    if (hunt.request.kind === 'evidence') {
      const origin = readEvidenceMeta(hunt.meta)?.origin;
      const about = origin && (await this.deps.store.getHunt(origin.huntId));
      if (!origin || !about || about.request.kind === 'evidence') throw new UserError('That finding is no longer available', 'Run the hunt again and use the buttons of the new card.');
      const named = await this.findingIn(await this.finished(origin.huntId), origin.row);
      return { hunt: named.hunt, finding: named.finding, page: named.page, via: { huntId, row: key }, ...(hunt.messageId !== undefined ? { messageId: hunt.messageId } : {}) };
    }
    const index = Number(key);
    return { hunt, finding, page: Number.isInteger(index) ? pageOfIndex(index, HUNT_PAGE_SIZE) : 1, ...(hunt.messageId !== undefined ? { messageId: hunt.messageId } : {}) };
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

  /**
   * The finished hunt `huntId`; with a context, only one asked in its conversation and tenant (a
   * hunt recorded before hunts kept where they were asked is refused too).
   */
  private async finished(huntId: string, context?: RequestContext): Promise<Hunt> {
    const hunt = await this.deps.store.getHunt(huntId);
    const foreign = context !== undefined && (hunt?.origin?.tenant !== callerTenant(context) || hunt.origin.conversationId !== context.conversation.id);
    if (!hunt || hunt.status !== 'done' || foreign) {
      throw new UserError('That hunt is no longer available', 'Run the hunt again to see its devices.');
    }
    return hunt;
  }

  /** What has been decided about the rows of a page (see {@link page}). */
  private async decisionsOf(hunt: Hunt, rows: readonly StoredFinding[], exclusions: readonly Exclusion[], now: Date): Promise<Map<string, RowDecision>> {
    if (hunt.request.kind === 'evidence') {
      const origin = readEvidenceMeta(hunt.meta)?.origin;
      const decision = origin && (await this.decisions(origin.huntId, exclusions, now)).get(origin.row);
      return new Map(decision ? rows.map((row) => [row.rowKey, decision]) : []);
    }
    const decisions = await this.decisions(hunt.id, exclusions, now);
    if (hunt.request.kind !== 'device-check') return decisions;
    for (const row of rows) {
      if (decisions.has(row.rowKey)) continue;
      const covering = findExclusion(exclusions, { deviceId: row.deviceId, deviceName: row.deviceName, toolId: row.toolId, now });
      if (!covering) continue;
      const by = exclusionKind(covering) === 'pattern' ? `${covering.createdBy.name}'s pattern ${covering.pattern}` : covering.createdBy.name;
      decisions.set(row.rowKey, { kind: 'excluded', by, reason: covering.reason });
    }
    return decisions;
  }

  /** What has been decided about each row of a hunt: escalations of it, exclusions made from it. */
  private async decisions(huntId: string, exclusions: readonly Exclusion[], now: Date): Promise<Map<string, RowDecision>> {
    const decisions = new Map<string, RowDecision>();
    for (const escalation of await this.deps.store.listEscalations({ huntId })) {
      decisions.set(escalation.rowKey, { kind: 'escalated', by: escalation.by.name, incident: escalation.incidentNumber });
    }
    for (const exclusion of exclusions) {
      if (exclusion.source?.huntId === huntId && isActive(exclusion, now)) {
        decisions.set(exclusion.source.rowKey, { kind: 'excluded', by: exclusion.createdBy.name, reason: exclusion.reason });
      }
    }
    return decisions;
  }
}
