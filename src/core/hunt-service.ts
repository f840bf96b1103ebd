/**
 * Runs hunts: builds the query, runs it on the backend outside the turn, remembers the result, and
 * turns it into views (first page, other pages, nothing found, failed).
 */
import { performance } from 'node:perf_hooks';
import { BackendError, type Backend } from '../backends/backend';
import type { Catalog } from '../hunt/catalog';
import { findingsFromResult, type Finding } from '../hunt/finding';
import { newHuntId, type HuntRecord, type HuntRepository } from '../hunt/hunt-record';
import { buildHuntQuery } from '../hunt/kql-builder';
import { describeWindow } from '../hunt/window';
import type { HuntArgs } from './parse-hunt';
import type { DeferredReply } from './reply';
import type { Log } from './log';
import { UserError } from './user-error';
import type { HuntHeader, HuntResultView, View } from './views';

/** Devices per result card page: keeps each card well under Teams' size limit. */
export const HUNT_PAGE_SIZE = 10;

/** What the hunt service needs. */
export interface HuntServiceDeps {
  readonly backend: Backend;
  readonly catalog: Catalog;
  readonly hunts: HuntRepository;
  readonly log: Log;
  readonly now?: () => Date;
}

/** Runs hunts and pages their results. */
export class HuntService {
  private readonly now: () => Date;

  constructor(private readonly deps: HuntServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** The hunt as a deferred reply: a progress card now, the result when the backend answers. */
  start(args: HuntArgs): DeferredReply {
    const header = this.header(args.tool.name, args.window.ms, args.device);
    return {
      kind: 'deferred',
      progress: { name: 'huntProgress', header, state: 'running' },
      complete: () => this.run(args, header),
    };
  }

  /** Page `page` (1-based, clamped) of a finished hunt, optionally with a banner. */
  async page(huntId: string, page: number, banner?: HuntResultView['banner']): Promise<HuntResultView> {
    const record = await this.finished(huntId);
    const tool = this.deps.catalog.get(record.toolId);
    const view = this.resultView(record, this.header(tool?.name ?? record.toolId, record.windowMs, record.device), page);
    return banner ? { ...view, banner } : view;
  }

  /** The finding a card button names, and the page it is on; refuses ids and keys it does not know. */
  async finding(huntId: string, key: string): Promise<{ record: HuntRecord; finding: Finding; page: number }> {
    const record = await this.finished(huntId);
    const index = record.findings.findIndex((f) => f.key === key);
    if (index < 0) throw new UserError('That device is not part of this hunt', 'Run the hunt again and use the buttons of the new card.');
    return { record, finding: record.findings[index]!, page: Math.floor(index / HUNT_PAGE_SIZE) + 1 };
  }

  private async finished(huntId: string): Promise<HuntRecord> {
    const record = await this.deps.hunts.get(huntId);
    if (!record || record.status !== 'done') {
      throw new UserError('That hunt is no longer available', 'Run the hunt again to see its devices.');
    }
    return record;
  }

  private header(toolName: string, windowMs: number, device: string | undefined): HuntHeader {
    return {
      toolName,
      windowText: describeWindow({ ms: windowMs }),
      source: this.deps.backend.source,
      ...(device !== undefined ? { device } : {}),
    };
  }

  private async run(args: HuntArgs, header: HuntHeader): Promise<View> {
    const { backend, log } = this.deps;
    const id = newHuntId();
    const started = performance.now();
    log.info({ huntId: id, tool: args.tool.id, windowMs: args.window.ms, device: args.device }, 'hunt started');
    try {
      const kql = buildHuntQuery(args, { dialect: backend.dialect });
      const result = await backend.run({ kql, window: args.window });
      const queryMs = Math.round(performance.now() - started);
      const record: HuntRecord = {
        id,
        toolId: args.tool.id,
        windowMs: args.window.ms,
        ...(args.device !== undefined ? { device: args.device } : {}),
        kql,
        source: backend.source,
        createdAt: this.now(),
        status: 'done',
        findings: findingsFromResult(result),
        queryMs,
      };
      await this.deps.hunts.save(record);
      log.info({ huntId: id, devices: record.findings.length, queryMs }, 'hunt finished');
      if (record.findings.length === 0) return { name: 'huntEmpty', header, queryMs };
      return this.resultView(record, header, 1);
    } catch (error) {
      if (error instanceof BackendError) {
        log.warn({ huntId: id, failure: error.failure, err: error }, 'hunt failed');
        return { name: 'huntFailed', header, failure: error.failure, message: error.message };
      }
      log.error({ huntId: id, err: error }, 'hunt failed unexpectedly');
      return {
        name: 'huntFailed',
        header,
        failure: 'internal',
        message: `Something went wrong on our side (reference ${id}). The team has the details in the log.`,
      };
    }
  }

  private resultView(record: HuntRecord, header: HuntHeader, page: number): HuntResultView {
    const pageCount = Math.max(1, Math.ceil(record.findings.length / HUNT_PAGE_SIZE));
    const current = Math.min(Math.max(1, Math.trunc(page)), pageCount);
    const rows = record.findings.slice((current - 1) * HUNT_PAGE_SIZE, current * HUNT_PAGE_SIZE).map((f) => ({
      key: f.key,
      deviceId: f.deviceId,
      deviceName: f.deviceName,
      firstSeen: f.firstSeen.replace(/\.\d+Z$/, 'Z'),
      lastSeen: f.lastSeen.replace(/\.\d+Z$/, 'Z'),
      count: f.count,
    }));
    return {
      name: 'huntResult',
      huntId: record.id,
      header,
      deviceCount: record.findings.length,
      queryMs: record.queryMs ?? 0,
      rows,
      page: current,
      pageCount,
    };
  }
}
