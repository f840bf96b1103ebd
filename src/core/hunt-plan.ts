/**
 * A hunt's plan: what it is called, what the store records, the query, and how its result becomes
 * devices — for one tool's file-signature, process or network hunt, every tool at once, or a user's
 * rule. Queries come from the hunt builders only.
 */
import type { QueryResult } from '../backends/backend';
import type { Catalog } from '../hunt/catalog';
import { findingsFromResult, type ResultFindings } from '../hunt/finding';
import { buildAllToolsQueries } from '../hunt/hunt-queries-all-tools';
import { buildHuntQuery } from '../hunt/kql-builder';
import { singleQuery, type QueryBatch } from '../hunt/query-batch';
import { buildRuleHunt, describeRuleWindow } from '../hunt/rule-hunt';
import { deviceRowsOfRuleResult } from '../hunt/rule-result';
import type { HuntRequest } from '../store/store';
import { HUNT_KIND_SUFFIX } from './hunt-kinds';
import type { HuntTarget } from './hunt-targets';
import type { HuntArgs } from './parse-hunt';
import { storedToolId } from './tool-ref';
import type { Note } from './views';

/** Everything needed to run and show one hunt. */
export interface HuntPlan {
  /** "Kaseya", "AnyDesk network connections", "All RMM tools", a rule's name. */
  readonly subject: string;
  readonly request: HuntRequest;
  /** The query text, as recorded (a batch's queries separated by blank lines). */
  readonly kql: string;
  /** The queries that run: one, or several for a hunt over the whole catalog. */
  readonly batch: QueryBatch;
  /** Devices of the result. */
  readonly findings: (result: QueryResult) => ResultFindings;
  /** Whether the card groups devices by tool. */
  readonly byTool: boolean;
  /** Said on the card whatever the result (how a rule's window was applied). */
  readonly notes: readonly Note[];
}

/** Store tool id of the all-tools hunt. */
export const ALL_TOOLS = 'all';

/** What a hunt is called: "Kaseya", "AnyDesk network connections", "All RMM tools", a rule's name. */
export function huntSubjectOf(subject: HuntArgs['subject']): string {
  switch (subject.kind) {
    case 'tool':
      return `${subject.tool.name}${HUNT_KIND_SUFFIX[subject.huntKind]}`;
    case 'all':
      return 'All RMM tools';
    case 'rule':
      return subject.rule.name;
  }
}

/** The plan of a parsed hunt on a target. */
export function planHunt(args: HuntArgs, target: HuntTarget, options: { readonly catalog: Catalog; readonly maxDevices: number }): HuntPlan {
  const { backend } = target;
  const build = { dialect: backend.dialect, maxDevices: options.maxDevices };
  const device = args.device !== undefined ? { device: args.device } : {};
  const base = { windowMs: args.window.ms, ...device };
  const { subject } = args;
  switch (subject.kind) {
    case 'tool': {
      const { tool, huntKind } = subject;
      const kql = buildHuntQuery({ tool, window: args.window, kind: huntKind, ...device }, build);
      return {
        subject: huntSubjectOf(subject),
        request: { ...base, toolId: tool.id, kind: huntKind },
        kql,
        batch: singleQuery(kql),
        findings: (result) => findingsFromResult(result, { toolId: tool.id }),
        byTool: false,
        notes: [],
      };
    }
    case 'all': {
      const batch = buildAllToolsQueries({ tools: options.catalog.tools, window: args.window, ...device }, build);
      return {
        subject: huntSubjectOf(subject),
        request: { ...base, toolId: ALL_TOOLS, kind: 'all-tools' },
        kql: batch.queries.join('\n\n'),
        batch,
        findings: (result) => findingsFromResult(result, { isTool: (id) => options.catalog.get(id) !== undefined }),
        byTool: true,
        notes: [],
      };
    }
    case 'rule': {
      const { rule } = subject;
      const hunt = buildRuleHunt(rule, { window: args.window });
      const toolId = storedToolId({ kind: 'rule', ruleId: rule.id });
      return {
        subject: huntSubjectOf(subject),
        request: { ...base, toolId, kind: 'rule' },
        kql: hunt.kql,
        batch: singleQuery(hunt.kql),
        findings: (result) => findingsFromResult(deviceRowsOfRuleResult(rule, result), { toolId }),
        byTool: false,
        notes: [{ text: describeRuleWindow(hunt, { backendAppliesWindow: target.appliesWindow }), tone: hunt.windowApplied.by === 'query' ? 'default' : 'warning' }],
      };
    }
  }
}
