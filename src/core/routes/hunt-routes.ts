/**
 * Hunting: `hunt`, `check`, and the result card's page buttons.
 */
import { z } from 'zod';
import { HUNT_ID, PAGE } from '../action-data';
import type { AuditRecord } from '../route';
import type { FinishedCheck } from '../device-check';
import type { FinishedHunt } from '../hunt-service';
import { ALL_TOOLS } from '../hunt-plan';
import { CHECK_USAGE, HUNT_USAGE, parseCheckArgs, parseHuntArgs, type HuntArgs } from '../parse-hunt';
import { button, command, type ButtonEntry, type CommandEntry } from '../pipeline';
import { checkProgressView, checkView } from '../presenters/check-views';
import { finishedHuntView, huntPageView, huntProgressView } from '../presenters/hunt-views';
import { tenantOf } from '../tenant';
import { storedToolId } from '../tool-ref';
import { VERBS } from '../verbs';
import type { RouteDeps } from './route-deps';

function huntTool(args: HuntArgs): string {
  const { subject } = args;
  if (subject.kind === 'all') return ALL_TOOLS;
  return subject.kind === 'tool' ? subject.tool.id : storedToolId({ kind: 'rule', ruleId: subject.rule.id });
}

function huntAudit(finished: FinishedHunt): AuditRecord {
  const hunt = finished.kind === 'done' ? finished.page.hunt : finished.hunt;
  const { toolId, kind, windowMs, device } = hunt.request;
  const details = { huntId: hunt.id, toolId, kind, windowMs, device, source: hunt.source };
  return finished.kind === 'done'
    ? { outcome: 'ok', details: { ...details, devices: finished.page.rows.total, hidden: finished.page.hunt.hiddenCount } }
    : { outcome: 'failed', details: { ...details, error: finished.failure.message } };
}

function checkAudit(finished: FinishedCheck): AuditRecord {
  const details = { device: finished.started.args.device, windowMs: finished.started.args.window.ms, source: finished.started.source };
  return finished.kind === 'done'
    ? { outcome: 'ok', details: { ...details, tools: finished.tools.length } }
    : { outcome: 'failed', details: { ...details, error: finished.failure.message } };
}

/** The hunting commands. */
export function huntCommands(deps: RouteDeps): CommandEntry[] {
  return [
    command({
      command: 'hunt',
      usage: HUNT_USAGE,
      summary:
        'Hunt for an RMM tool: devices where binaries signed by its vendor were seen (proc: its processes, net: connections to its domains; a tool without a signature hunt runs its first kind), every tool at once, or one of your rules.',
      example: 'hunt kaseya 5d',
      parse: (words) => parseHuntArgs(words, deps),
      access: 'anyone',
      start: (args, context) => deps.hunts.start(args, context),
      progress: huntProgressView,
      present: (finished) => finishedHuntView(finished, deps.catalog),
      audit: { action: 'hunt', request: (args) => ({ toolId: huntTool(args), windowMs: args.window.ms, device: args.device }), result: (_args, finished) => huntAudit(finished) },
    }),
    command({
      command: 'check',
      usage: CHECK_USAGE,
      summary: 'Which RMM tools were seen on one device: file signatures, processes and network connections.',
      example: 'check WS-FIN-014 24h',
      parse: (words) => parseCheckArgs(words),
      access: 'anyone',
      start: async (args, context) => deps.checks.start(args, tenantOf(context)),
      progress: checkProgressView,
      present: checkView,
      audit: { action: 'check', request: (args) => ({ device: args.device, windowMs: args.window.ms }), result: (_args, finished) => checkAudit(finished) },
    }),
  ];
}

/** The result card's buttons. */
export function huntButtons(deps: RouteDeps): ButtonEntry[] {
  return [
    button({
      verb: VERBS.huntPage,
      data: z.object({ huntId: HUNT_ID, page: PAGE }).strict(),
      access: 'anyone',
      handle: ({ huntId, page }) => deps.hunts.page(huntId, page),
      present: (page) => huntPageView(page, deps.catalog),
    }),
  ];
}
