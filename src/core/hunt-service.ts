/**
 * Runs hunts: records the hunt, runs its query on the backend outside the turn (saying so on the
 * card when it has to queue), hides excluded devices, keeps the result in the store, and turns it
 * into views (pages grouped by tool, nothing found, failed, interrupted). Card actions find their
 * finding here, by hunt id and row key.
 */
import { performance } from 'node:perf_hooks';
import { BackendError, type Backend } from '../backends/backend';
import type { Catalog } from '../hunt/catalog';
import { rekey, sortFindings } from '../hunt/finding';
import { runBatch } from '../hunt/query-batch';
import { describeWindow, windowToKql } from '../hunt/window';
import { findExclusion, isActive } from '../store/exclusion-match';
import type { Hunt, Store, StoredFinding } from '../store/store';
import { actorOf } from './access';
import type { Auditor } from './audit';
import type { RequestContext } from './context';
import { ALL_TOOLS, planHunt, type HuntPlan } from './hunt-plan';
import { type HuntTargets } from './hunt-targets';
import type { Log } from './log';
import { checkWindow, type HuntArgs } from './parse-hunt';
import type { DeferredReply, ProgressSink } from './reply';
import { UserError } from './user-error';
import type { FindingRow, HuntHeader, HuntResultView, Note, PortalLinkView, ResultGroup, RowState, View } from './views';

/** Devices per result card page: keeps each card well under Teams' size limit. */
export const HUNT_PAGE_SIZE = 10;

/** A running hunt older than this, of any instance, is taken to be dead at start-up. */
export const STALE_HUNT_MS = 30 * 60_000;

/** What the hunt service needs. */
export interface HuntServiceDeps {
  readonly targets: HuntTargets;
  readonly catalog: Catalog;
  readonly store: Store;
  readonly auditor: Auditor;
  readonly log: Log;
  /** This bot instance, as recorded on its hunts. */
  readonly instanceId: string;
  /** Most devices a hunt brings back. */
  readonly maxDevices: number;
  readonly now?: () => Date;
}

/** What a finished hunt keeps about its result besides the devices (the store's `meta`). */
interface ResultMeta {
  readonly subject: string;
  readonly byTool: boolean;
  readonly queryMs: number;
  readonly notes: readonly Note[];
  readonly portal?: PortalLinkView;
}

/** A message to update because its hunt was interrupted. */
export interface InterruptedHunt {
  readonly huntId: string;
  /** The conversation reference the hunt was asked in (opaque). */
  readonly reference: unknown;
  readonly messageId: string;
  readonly view: View;
}

/** ISO 8601 UTC without the fraction, as cards show times. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Runs hunts and pages their results. */
export class HuntService {
  private readonly now: () => Date;

  constructor(private readonly deps: HuntServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Records the hunt and answers with its progress card; the query runs once that is posted. */
  async start(args: HuntArgs, context: RequestContext): Promise<DeferredReply> {
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
    const header: HuntHeader = this.header(hunt, plan.subject);
    const portal = plan.batch.queries.length === 1 ? target.portal?.(plan.kql, args.window) : undefined;
    return {
      kind: 'deferred',
      progress: { name: 'huntProgress', header, state: 'running' },
      complete: async (posted, progress) => {
        await store.setHuntMessage(hunt.id, posted.messageId);
        return this.run({ hunt, plan, header, context, progress, target: target.backend, ...(portal ? { portal } : {}) });
      },
    };
  }

  /** Page `page` (1-based, clamped) of a finished hunt; `note` first (the outcome of a click). */
  async page(huntId: string, page: number, note?: Note): Promise<View> {
    const hunt = await this.finished(huntId);
    const meta = this.meta(hunt);
    const findings = await this.deps.store.listFindings(huntId);
    const header = this.header(hunt, meta.subject);
    const notes = [...(note ? [note] : []), ...this.resultNotes(hunt, meta)];
    const portal = meta.portal ? { portal: meta.portal } : {};
    if (findings.length === 0) return { name: 'huntEmpty', header, queryMs: meta.queryMs, notes, ...portal };
    return this.resultView(hunt, meta, header, findings, page, notes);
  }

  /** The finding a card button names, and the page it is on; refuses ids and keys it does not know. */
  async finding(huntId: string, key: string): Promise<{ hunt: Hunt; finding: StoredFinding; page: number }> {
    const hunt = await this.finished(huntId);
    const finding = await this.deps.store.getFinding(huntId, key);
    if (!finding) throw new UserError('That device is not part of this hunt', 'Run the hunt again and use the buttons of the new card.');
    const index = Number(key);
    return { hunt, finding, page: Number.isInteger(index) ? Math.floor(index / HUNT_PAGE_SIZE) + 1 : 1 };
  }

  /** The display name of a finding's tool (a catalog tool, or the rule it came from). */
  toolName(toolId: string): string {
    return this.deps.catalog.get(toolId)?.name ?? (toolId.startsWith('rule:') ? `rule ${toolId.slice(5)}` : toolId);
  }

  /** What a stored hunt was about. */
  subjectOf(hunt: Hunt): string {
    const subject = (hunt.meta as Partial<ResultMeta> | undefined)?.subject;
    return subject ?? (hunt.request.toolId === ALL_TOOLS ? 'All RMM tools' : this.toolName(hunt.request.toolId));
  }

  /**
   * Marks as interrupted the hunts this instance left running (and anyone's older than
   * {@link STALE_HUNT_MS}), returning the messages that still say "Hunting…".
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
      const { toolId, windowMs, device, kind } = hunt.request;
      const what = toolId.startsWith('rule:') ? `"${this.subjectOf(hunt)}"` : `${toolId}${kind === 'process' ? ' proc' : kind === 'network' ? ' net' : ''}`;
      const again = `hunt ${what} ${windowToKql({ ms: windowMs })}${device ? ` device ${device}` : ''}`;
      interrupted.push({
        huntId: hunt.id,
        reference: hunt.conversation,
        messageId: hunt.messageId,
        view: {
          name: 'huntFailed',
          header: this.header(hunt, this.subjectOf(hunt)),
          failure: 'interrupted',
          message: `This hunt was interrupted: HuntOps restarted before it finished. Run it again: ${again}`,
        },
      });
    }
    return interrupted;
  }

  private header(hunt: Hunt, subject: string): HuntHeader {
    return {
      subject,
      windowText: describeWindow({ ms: hunt.request.windowMs }),
      source: hunt.source,
      ...(hunt.request.device !== undefined ? { device: hunt.request.device } : {}),
    };
  }

  private meta(hunt: Hunt): ResultMeta {
    const meta = (hunt.meta ?? {}) as Partial<ResultMeta>;
    return {
      subject: meta.subject ?? this.subjectOf(hunt),
      byTool: meta.byTool ?? hunt.request.toolId === ALL_TOOLS,
      queryMs: meta.queryMs ?? 0,
      notes: meta.notes ?? [],
      ...(meta.portal ? { portal: meta.portal } : {}),
    };
  }

  private async finished(huntId: string): Promise<Hunt> {
    const hunt = await this.deps.store.getHunt(huntId);
    if (!hunt || hunt.status !== 'done') {
      throw new UserError('That hunt is no longer available', 'Run the hunt again to see its devices.');
    }
    return hunt;
  }

  private async run(job: {
    readonly hunt: Hunt;
    readonly plan: HuntPlan;
    readonly header: HuntHeader;
    readonly context: RequestContext;
    readonly progress: ProgressSink;
    readonly target: Backend;
    readonly portal?: PortalLinkView;
  }): Promise<View> {
    const { hunt, plan, header, context, progress, portal } = job;
    const { log, store, auditor } = this.deps;
    const started = performance.now();
    const window = { ms: hunt.request.windowMs };
    log.info({ huntId: hunt.id, tool: hunt.request.toolId, kind: hunt.request.kind, windowMs: window.ms, device: hunt.request.device }, 'hunt started');
    const audit = { huntId: hunt.id, toolId: hunt.request.toolId, kind: hunt.request.kind, windowMs: window.ms, device: hunt.request.device, source: hunt.source };
    try {
      const result = await runBatch(plan.batch, (kql) =>
        job.target.run({ kql, window, onQueued: () => void progress({ name: 'huntProgress', header, state: 'queued' }).catch(() => undefined) }),
      );
      const queryMs = Math.round(performance.now() - started);
      const now = this.now();
      const exclusions = await store.listExclusions({ activeAt: now });
      const { findings: found, total } = plan.findings(result);
      const kept = found.filter((f) => !findExclusion(exclusions, { deviceName: f.deviceName, toolId: f.toolId, now }));
      const visible = rekey(sortFindings(kept, plan.byTool ? (id) => this.toolName(id) : undefined));
      const hiddenCount = found.length - kept.length;
      const notes: Note[] = [
        ...plan.notes,
        ...(result.partial ? [{ text: `Partial result: ${result.partial.message}`, tone: 'warning' as const }] : []),
        ...(total !== undefined && total > found.length
          ? [{ text: `Showing the ${plural(found.length, 'device', 'devices')} seen most recently of ${plural(total, 'device', 'devices')} found; narrow the window or name a device for the rest.`, tone: 'warning' as const }]
          : []),
      ];
      const meta: ResultMeta = { subject: plan.subject, byTool: plan.byTool, queryMs, notes, ...(portal ? { portal } : {}) };
      await store.finishHunt(hunt.id, { status: 'done', findings: visible, hiddenCount, meta });
      log.info({ huntId: hunt.id, devices: visible.length, hidden: hiddenCount, total, partial: Boolean(result.partial), queryMs }, 'hunt finished');
      await auditor.record(context, 'hunt', { ...audit, devices: visible.length, hidden: hiddenCount });
      return this.page(hunt.id, 1);
    } catch (error) {
      const message =
        error instanceof BackendError || error instanceof UserError
          ? error.message
          : `Something went wrong on our side (reference ${hunt.id}). The team has the details in the log.`;
      if (error instanceof BackendError) log.warn({ huntId: hunt.id, failure: error.failure, err: error }, 'hunt failed');
      else log.error({ huntId: hunt.id, err: error }, 'hunt failed unexpectedly');
      await store.finishHunt(hunt.id, { status: 'failed', error: message }).catch((e: unknown) => log.error({ err: e, huntId: hunt.id }, 'could not record the failed hunt'));
      await auditor.record(context, 'hunt', { ...audit, error: message }, 'failed');
      return { name: 'huntFailed', header, failure: error instanceof BackendError ? error.failure : 'internal', message, ...(portal ? { portal } : {}) };
    }
  }

  private resultNotes(hunt: Hunt, meta: ResultMeta): Note[] {
    const hidden = hunt.hiddenCount;
    return [
      ...meta.notes,
      ...(hidden > 0
        ? [{ text: `${plural(hidden, 'device is', 'devices are')} hidden by exclusions (type exclusions to see them).`, tone: 'default' as const }]
        : []),
    ];
  }

  /** What has been decided about each row of a hunt: exclusions made from it, escalations of it. */
  private async rowStates(huntId: string): Promise<Map<string, RowState>> {
    const now = this.now();
    const states = new Map<string, RowState>();
    for (const escalation of await this.deps.store.listEscalations({ huntId })) {
      states.set(escalation.rowKey, { kind: 'escalated', text: `Escalated by ${escalation.by.name} → incident ${escalation.incidentNumber}` });
    }
    for (const exclusion of await this.deps.store.listExclusions({ activeAt: now })) {
      if (exclusion.source?.huntId === huntId && isActive(exclusion, now)) {
        states.set(exclusion.source.rowKey, { kind: 'excluded', text: `Excluded by ${exclusion.createdBy.name}: ${exclusion.reason}` });
      }
    }
    return states;
  }

  private async resultView(
    hunt: Hunt,
    meta: ResultMeta,
    header: HuntHeader,
    findings: readonly StoredFinding[],
    page: number,
    notes: readonly Note[],
  ): Promise<HuntResultView> {
    const pageCount = Math.max(1, Math.ceil(findings.length / HUNT_PAGE_SIZE));
    const current = Math.min(Math.max(1, Math.trunc(page)), pageCount);
    const states = await this.rowStates(hunt.id);
    const groups: Array<{ title?: string; rows: FindingRow[]; toolId: string }> = [];
    for (const f of findings.slice((current - 1) * HUNT_PAGE_SIZE, current * HUNT_PAGE_SIZE)) {
      const state = states.get(f.rowKey);
      const row: FindingRow = {
        row: f.rowKey,
        deviceId: f.deviceId,
        deviceName: f.deviceName,
        firstSeen: isoSeconds(f.firstSeen),
        lastSeen: isoSeconds(f.lastSeen),
        count: f.count,
        ...(state ? { state } : {}),
      };
      const last = groups[groups.length - 1];
      if (last && last.toolId === f.toolId) last.rows.push(row);
      else groups.push({ toolId: f.toolId, rows: [row], ...(meta.byTool ? { title: this.toolName(f.toolId) } : {}) });
    }
    return {
      name: 'huntResult',
      huntId: hunt.id,
      header,
      deviceCount: findings.length,
      queryMs: meta.queryMs,
      groups: groups.map(({ title, rows }): ResultGroup => (title ? { title, rows } : { rows })),
      page: current,
      pageCount,
      notes,
      ...(meta.portal ? { portal: meta.portal } : {}),
    };
  }
}
