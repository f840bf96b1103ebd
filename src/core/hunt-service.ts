/**
 * Runs hunts: records the hunt, runs its query on the backend outside the turn, hides excluded
 * devices, keeps the result in the store, and turns it into views (pages, nothing found, failed,
 * interrupted). Card actions find their finding here, by hunt id and row key.
 */
import { performance } from 'node:perf_hooks';
import { BackendError, type Backend } from '../backends/backend';
import type { Catalog } from '../hunt/catalog';
import { findingsFromResult, rekey } from '../hunt/finding';
import { buildHuntQuery } from '../hunt/kql-builder';
import { describeWindow, windowToKql } from '../hunt/window';
import { findExclusion, isActive } from '../store/exclusion-match';
import type { Hunt, Store, StoredFinding } from '../store/store';
import { actorOf } from './access';
import type { Auditor } from './audit';
import type { RequestContext } from './context';
import type { Log } from './log';
import type { HuntArgs } from './parse-hunt';
import type { DeferredReply } from './reply';
import { UserError } from './user-error';
import type { FindingRow, HuntHeader, HuntResultView, RowState, Tone, View } from './views';

/** Devices per result card page: keeps each card well under Teams' size limit. */
export const HUNT_PAGE_SIZE = 10;

/** A running hunt older than this, of any instance, is taken to be dead at start-up. */
export const STALE_HUNT_MS = 30 * 60_000;

/** What the hunt service needs. */
export interface HuntServiceDeps {
  readonly backend: Backend;
  readonly catalog: Catalog;
  readonly store: Store;
  readonly auditor: Auditor;
  readonly log: Log;
  /** This bot instance, as recorded on its hunts. */
  readonly instanceId: string;
  readonly now?: () => Date;
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

/** Runs hunts and pages their results. */
export class HuntService {
  private readonly now: () => Date;

  constructor(private readonly deps: HuntServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Records the hunt and answers with its progress card; the query runs once that is posted. */
  async start(args: HuntArgs, context: RequestContext): Promise<DeferredReply> {
    const { backend, store } = this.deps;
    const kql = buildHuntQuery(args, { dialect: backend.dialect });
    const hunt = await store.createHunt({
      request: { toolId: args.tool.id, windowMs: args.window.ms, kind: 'file-signature', ...(args.device !== undefined ? { device: args.device } : {}) },
      kql,
      source: backend.source,
      conversation: context.reference ?? null,
      requestedBy: actorOf(context),
      instanceId: this.deps.instanceId,
    });
    const header = this.header(hunt);
    return {
      kind: 'deferred',
      progress: { name: 'huntProgress', header, state: 'running' },
      complete: async (posted) => {
        await store.setHuntMessage(hunt.id, posted.messageId);
        return this.run(hunt, args, header, context);
      },
    };
  }

  /** Page `page` (1-based, clamped) of a finished hunt, optionally with a banner. */
  async page(huntId: string, page: number, banner?: HuntResultView['banner']): Promise<View> {
    const hunt = await this.finished(huntId);
    const findings = await this.deps.store.listFindings(huntId);
    const header = this.header(hunt);
    if (findings.length === 0) return { name: 'huntEmpty', header, queryMs: this.queryMs(hunt), hiddenCount: hunt.hiddenCount };
    const view = await this.resultView(hunt, header, findings, page);
    return banner ? { ...view, banner } : view;
  }

  /** The finding a card button names, and the page it is on; refuses ids and keys it does not know. */
  async finding(huntId: string, key: string): Promise<{ hunt: Hunt; finding: StoredFinding; page: number }> {
    const hunt = await this.finished(huntId);
    const finding = await this.deps.store.getFinding(huntId, key);
    if (!finding) throw new UserError('That device is not part of this hunt', 'Run the hunt again and use the buttons of the new card.');
    const index = Number(key);
    return { hunt, finding, page: Number.isInteger(index) ? Math.floor(index / HUNT_PAGE_SIZE) + 1 : 1 };
  }

  /** The display name of a hunt's tool. */
  toolName(hunt: Hunt): string {
    return this.deps.catalog.get(hunt.request.toolId)?.name ?? hunt.request.toolId;
  }

  /** The header every card of this hunt shows. */
  header(hunt: Hunt): HuntHeader {
    return {
      toolName: this.toolName(hunt),
      windowText: describeWindow({ ms: hunt.request.windowMs }),
      source: hunt.source,
      ...(hunt.request.device !== undefined ? { device: hunt.request.device } : {}),
    };
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
      const { toolId, windowMs, device } = hunt.request;
      const again = `hunt ${toolId} ${windowToKql({ ms: windowMs })}${device ? ` device ${device}` : ''}`;
      interrupted.push({
        huntId: hunt.id,
        reference: hunt.conversation,
        messageId: hunt.messageId,
        view: {
          name: 'huntFailed',
          header: this.header(hunt),
          failure: 'interrupted',
          message: `This hunt was interrupted: HuntOps restarted before it finished. Run it again: ${again}`,
        },
      });
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

  private queryMs(hunt: Hunt): number {
    return hunt.finishedAt ? hunt.finishedAt.getTime() - hunt.createdAt.getTime() : 0;
  }

  private async run(hunt: Hunt, args: HuntArgs, header: HuntHeader, context: RequestContext): Promise<View> {
    const { backend, log, store, auditor } = this.deps;
    const started = performance.now();
    log.info({ huntId: hunt.id, tool: args.tool.id, windowMs: args.window.ms, device: args.device }, 'hunt started');
    const audit = { huntId: hunt.id, toolId: args.tool.id, windowMs: args.window.ms, device: args.device };
    try {
      const result = await backend.run({ kql: hunt.kql, window: args.window });
      const queryMs = Math.round(performance.now() - started);
      const now = this.now();
      const exclusions = await store.listExclusions({ activeAt: now });
      const found = findingsFromResult(result, args.tool.id);
      const visible = rekey(found.filter((f) => !findExclusion(exclusions, { deviceName: f.deviceName, toolId: args.tool.id, now })));
      const hiddenCount = found.length - visible.length;
      await store.finishHunt(hunt.id, { status: 'done', findings: visible, hiddenCount });
      log.info({ huntId: hunt.id, devices: visible.length, hidden: hiddenCount, queryMs }, 'hunt finished');
      await auditor.record(context, 'hunt', { ...audit, devices: visible.length, hidden: hiddenCount });
      if (visible.length === 0) return { name: 'huntEmpty', header, queryMs, hiddenCount };
      const done = (await store.getHunt(hunt.id)) ?? hunt;
      return { ...(await this.resultView(done, header, visible, 1)), queryMs };
    } catch (error) {
      const message =
        error instanceof BackendError ? error.message : `Something went wrong on our side (reference ${hunt.id}). The team has the details in the log.`;
      if (error instanceof BackendError) log.warn({ huntId: hunt.id, failure: error.failure, err: error }, 'hunt failed');
      else log.error({ huntId: hunt.id, err: error }, 'hunt failed unexpectedly');
      await store.finishHunt(hunt.id, { status: 'failed', error: message }).catch((e: unknown) => log.error({ err: e, huntId: hunt.id }, 'could not record the failed hunt'));
      await auditor.record(context, 'hunt', { ...audit, error: message }, 'failed');
      return { name: 'huntFailed', header, failure: error instanceof BackendError ? error.failure : 'internal', message };
    }
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

  private async resultView(hunt: Hunt, header: HuntHeader, findings: readonly StoredFinding[], page: number): Promise<HuntResultView> {
    const pageCount = Math.max(1, Math.ceil(findings.length / HUNT_PAGE_SIZE));
    const current = Math.min(Math.max(1, Math.trunc(page)), pageCount);
    const states = await this.rowStates(hunt.id);
    const rows: FindingRow[] = findings.slice((current - 1) * HUNT_PAGE_SIZE, current * HUNT_PAGE_SIZE).map((f) => {
      const state = states.get(f.rowKey);
      return {
        key: f.rowKey,
        deviceId: f.deviceId,
        deviceName: f.deviceName,
        firstSeen: isoSeconds(f.firstSeen),
        lastSeen: isoSeconds(f.lastSeen),
        count: f.count,
        ...(state ? { state } : {}),
      };
    });
    const hidden = hunt.hiddenCount;
    const banner: { text: string; tone: Tone } | undefined =
      hidden > 0 ? { text: `${hidden} ${hidden === 1 ? 'device is' : 'devices are'} hidden by exclusions (type exclusions to see them).`, tone: 'default' } : undefined;
    return {
      name: 'huntResult',
      huntId: hunt.id,
      header,
      deviceCount: findings.length,
      hiddenCount: hidden,
      queryMs: this.queryMs(hunt),
      rows,
      page: current,
      pageCount,
      ...(banner ? { banner } : {}),
    };
  }
}
