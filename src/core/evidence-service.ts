/**
 * Details as domain operations: the evidence of one finding's tool on its device over its hunt's
 * window, gathered through the backend of the hunt's target (so its concurrency cap and the sharing
 * of identical queries apply), stored as a hunt of kind `evidence` whose one finding is the finding
 * it is about; and the evidence summary an escalation carries.
 *
 * Which tool: the finding's own (hunts of one tool, `hunt all`, device checks). A rule hunt's
 * finding has a rule, not a tool: when the rule is the catalog's source of exactly one tool's hunt
 * (the public rules, loaded as `HUNT_RULES_DIR`) that tool's evidence is shown; otherwise the device's
 * context alone, and the card says why there is no tool evidence and that `check <device>` finds
 * the tools seen on the device.
 */
import { performance } from 'node:perf_hooks';
import type { Catalog, RmmTool } from '../hunt/catalog';
import { deviceFromResult, gatherEvidence, type Evidence } from '../hunt/evidence';
import { buildDeviceContextQuery, buildEvidenceQueries } from '../hunt/evidence-queries';
import type { HuntWindow } from '../hunt/window';
import type { Hunt, Store } from '../store/store';
import { actorOf } from './access';
import type { RequestContext } from './context';
import type { FindingRef, HuntPage } from './hunt-service';
import type { HuntTarget, HuntTargets } from './hunt-targets';
import type { Log } from './log';
import { CARD_FACTS, evidenceFacts, SUMMARY_FACTS, type EvidenceFacts, type FactLimits } from './payloads/evidence-facts';
import { readEvidenceMeta, storedEvidenceMeta } from './payloads/evidence-meta';
import { Deferred } from './route';
import { runFailureOf, type RunFailure } from './run-failure';
import { callerTenant } from './tenant-scope';
import { toolRefOf } from './tool-ref';
import { UserError } from './user-error';
import type { Note } from './views';

/** What Details needs. */
export interface EvidenceServiceDeps {
  readonly targets: HuntTargets;
  readonly catalog: Catalog;
  readonly store: Store;
  readonly log: Log;
  /** Finds the finding a button names (checking it) and reads pages of stored hunts. */
  readonly hunts: {
    finding(huntId: string, row: string, context: RequestContext): Promise<FindingRef>;
    finishedPage(huntId: string): Promise<HuntPage>;
    subjectOf(hunt: Hunt): string;
  };
  /** This bot instance, as recorded on its Details runs. */
  readonly instanceId: string;
}

/** The row key of a Details run's one finding. */
export const EVIDENCE_ROW = '0';

/** How long an escalation waits for evidence it has to gather before it goes without. */
export const SUMMARY_DEADLINE_MS = 5_000;

/** Details on their way. */
export interface StartedEvidence {
  /** The stored Details run. */
  readonly record: Hunt;
  /** Whose evidence: the tool's name, or the rule's that names no tool. */
  readonly subject: string;
}

/** How Details ended. */
export type FinishedEvidence = { readonly kind: 'done'; readonly page: HuntPage } | { readonly kind: 'failed'; readonly started: StartedEvidence; readonly failure: RunFailure };

/** An escalation's evidence: the summary, or why there is none. */
export type EvidenceSummary = { readonly facts: EvidenceFacts } | { readonly missing: string };

/** The catalog tool whose hunt a rule is the source of, when exactly one tool's is. */
export function toolOfRule(catalog: Catalog, ruleId: string): RmmTool | undefined {
  const tools = catalog.tools.filter((t) => [t.fileSignature?.ruleId, t.process?.ruleId, t.network?.ruleId].includes(ruleId));
  return tools.length === 1 ? tools[0] : undefined;
}

/** Stored facts cut down to `limits` (what an escalation keeps of an evidence card's facts). */
export function capFacts(facts: EvidenceFacts, limits: FactLimits): EvidenceFacts {
  const set = (s: { values: string[]; more: number }) => ({ values: s.values.slice(0, limits.values), more: s.more + Math.max(0, s.values.length - limits.values) });
  const list = <T>(l: { items: T[]; more: number }, map: (item: T) => T) => ({ items: l.items.slice(0, limits.items).map(map), more: l.more + Math.max(0, l.items.length - limits.items) });
  return {
    ...(facts.device ? { device: { ...facts.device, loggedOnUsers: set(facts.device.loggedOnUsers) } } : {}),
    instances: list(facts.instances, (i) => i),
    ...(facts.files ? { files: list(facts.files, (b) => ({ ...b, fileNames: set(b.fileNames), folderPaths: set(b.folderPaths), originUrls: set(b.originUrls) })) } : {}),
    ...(facts.processes ? { processes: list(facts.processes, (p) => ({ ...p, commandLines: set(p.commandLines) })) } : {}),
    network: list(facts.network, (c) => ({ ...c, remoteIPs: set(c.remoteIPs) })),
  };
}

/** Gathers and keeps evidence. */
export class EvidenceService {
  constructor(private readonly deps: EvidenceServiceDeps) {}

  /** The catalog tool whose evidence a finding has, if any. */
  toolOf(toolId: string): RmmTool | undefined {
    const ref = toolRefOf(toolId);
    return ref.kind === 'tool' ? this.deps.catalog.get(ref.toolId) : toolOfRule(this.deps.catalog, ref.ruleId);
  }

  /**
   * Starts Details for the finding a button names (a hunt's, a check's, or the finding a Details
   * run is about): records the run now; its queries run once the acknowledgement is posted.
   */
  async start(huntId: string, row: string, context: RequestContext): Promise<Deferred<StartedEvidence, FinishedEvidence>> {
    const { store, log } = this.deps;
    const ref = await this.deps.hunts.finding(huntId, row, context);
    const { hunt, finding } = ref;
    const target = this.targetOf(hunt);
    const window: HuntWindow = { ms: hunt.request.windowMs };
    const tool = this.toolOf(finding.toolId);
    const spec = { deviceId: finding.deviceId, window };
    const dialect = target.backend.dialect;
    const queries = tool ? buildEvidenceQueries({ ...spec, tool }, { dialect }) : { device: buildDeviceContextQuery(spec, { dialect }) };
    const subject = tool?.name ?? this.deps.hunts.subjectOf(hunt);
    const record = await store.createHunt({
      request: { toolId: finding.toolId, windowMs: window.ms, device: finding.deviceName, kind: 'evidence' },
      kql: Object.values(queries).join('\n\n'),
      source: target.backend.source,
      conversation: context.reference ?? null,
      requestedBy: actorOf(context),
      instanceId: this.deps.instanceId,
      origin: { tenant: callerTenant(context), conversationId: context.conversation.id },
    });
    const started: StartedEvidence = { record, subject };
    return new Deferred(started, async (posted, queued, pace): Promise<FinishedEvidence> => {
      const began = performance.now();
      try {
        await store.setHuntMessage(record.id, posted.messageId);
        const run = (kql: string) => target.backend.run({ kql, window, onQueued: queued });
        const evidence: Evidence = tool
          ? await gatherEvidence({ ...spec, tool }, { dialect }, run)
          : { network: { rows: [], total: 0, more: 0 }, instances: [], ...this.withDevice(deviceFromResult(await run(queries.device))) };
        await pace();
        const queryMs = Math.round(performance.now() - began);
        const notes: Note[] = tool ? [] : [{ text: `${this.deps.hunts.subjectOf(hunt)} is a rule, not a tool of the catalog, so there is no tool evidence to show: here is the device. Type check ${finding.deviceName} for the RMM tools seen on it, each with its own Details.`, tone: 'default' }];
        const portal = 'network' in queries ? target.portal?.(queries.network, window) : undefined;
        const meta = storedEvidenceMeta({
          subject,
          byTool: false,
          queryMs,
          notes,
          ...(portal ? { portal } : {}),
          origin: { huntId: hunt.id, row: finding.rowKey },
          ...(tool ? { toolId: tool.id } : {}),
          facts: evidenceFacts(evidence, CARD_FACTS),
        });
        await store.finishHunt(record.id, { status: 'done', findings: [{ ...finding, rowKey: EVIDENCE_ROW }], meta });
        log.info({ huntId: record.id, about: hunt.id, tool: tool?.id, queryMs }, 'details gathered');
        return { kind: 'done', page: await this.deps.hunts.finishedPage(record.id) };
      } catch (error) {
        const failure = runFailureOf(error, log, { huntId: record.id });
        await store.finishHunt(record.id, { status: 'failed', error: failure.message }).catch((e: unknown) => log.error({ err: e, huntId: record.id }, 'could not record the failed details'));
        return { kind: 'failed', started, failure };
      }
    });
  }

  /**
   * The evidence summary an escalation of `ref` carries: from the Details run the button named
   * (`huntId`), if it is one; else gathered now, within {@link SUMMARY_DEADLINE_MS} (an escalation
   * does not wait longer: it goes without, and says why).
   */
  async summaryFor(huntId: string, ref: FindingRef, options: { readonly deadlineMs?: number } = {}): Promise<EvidenceSummary> {
    const named = huntId === ref.hunt.id ? undefined : readEvidenceMeta((await this.deps.store.getHunt(huntId))?.meta);
    if (named) return { facts: capFacts(named.facts, SUMMARY_FACTS) };
    const tool = this.toolOf(ref.finding.toolId);
    if (!tool) return { missing: 'The finding comes from a rule that names no tool of the catalog: there is no tool evidence.' };
    let target: HuntTarget;
    try {
      target = this.targetOf(ref.hunt);
    } catch (error) {
      return { missing: error instanceof UserError ? error.title : 'The evidence could not be gathered.' };
    }
    const window: HuntWindow = { ms: ref.hunt.request.windowMs };
    const signal = AbortSignal.timeout(options.deadlineMs ?? SUMMARY_DEADLINE_MS);
    try {
      const evidence = await gatherEvidence({ tool, deviceId: ref.finding.deviceId, window }, { dialect: target.backend.dialect }, (kql) => target.backend.run({ kql, window, signal }));
      return { facts: evidenceFacts(evidence, SUMMARY_FACTS) };
    } catch (error) {
      if (signal.aborted) return { missing: 'The evidence was not ready in time: open Details on the finding for it.' };
      return { missing: `The evidence could not be gathered: ${runFailureOf(error, this.deps.log, { huntId: ref.hunt.id }).message}` };
    }
  }

  private withDevice(device: Evidence['device']): Pick<Evidence, 'device'> {
    return device ? { device } : {};
  }

  /** Where a stored hunt ran, if that place is still configured. */
  private targetOf(hunt: Hunt): HuntTarget {
    const target = this.deps.targets.bySource(hunt.source);
    if (!target) throw new UserError(`${hunt.source} is no longer configured`, 'Run the hunt again where it can run now, and use the buttons of the new card.');
    return target;
  }
}
