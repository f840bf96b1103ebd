/**
 * The command table: one entry per command (name, usage, summary, example, handler). Help is
 * generated from it, so a command exists exactly when it is listed here.
 */
import type { Catalog } from '../hunt/catalog';
import type { RuleBook } from '../hunt/rule-book';
import type { Store } from '../store/store';
import type { AccessPolicy } from './access';
import type { RequestContext } from './context';
import type { EscalationService } from './escalations';
import { DEFAULT_COMMAND_EXPIRY_DAYS, EXCLUDE_USAGE, type ExclusionService } from './exclusions';
import { isoSeconds, type HuntService } from './hunt-service';
import type { DeviceCheckService } from './device-check';
import { CHECK_USAGE, HUNT_USAGE, parseCheckArgs, parseHuntArgs } from './parse-hunt';
import { pageArgument } from './page-argument';
import { reply, type Reply } from './reply';
import { UserError } from './user-error';
import type { AuditView, RulesView, ToolEntry, ToolsView } from './views';

/** One command. */
export interface Command {
  readonly name: string;
  readonly usage: readonly string[];
  readonly summary: string;
  readonly example: string;
  readonly run: (args: readonly string[], context: RequestContext) => Reply | Promise<Reply>;
}

/** What commands need. */
export interface CommandDeps {
  readonly catalog: Catalog;
  readonly rules: RuleBook;
  readonly hunts: HuntService;
  readonly checks: DeviceCheckService;
  readonly exclusions: ExclusionService;
  readonly escalations: EscalationService;
  readonly store: Store;
  readonly access: AccessPolicy;
}

/** Audit entries `audit` shows by default, and at most. */
export const AUDIT_DEFAULT = 10;
export const AUDIT_MAX = 25;

/** Tools per page of the `tools` card. */
export const TOOLS_PAGE_SIZE = 15;

/** Windows, as help explains them. */
export const WINDOW_HELP = 'Windows: 30m, 12h, 5d, 2w or ISO 8601 (P5D, PT12H); the default is 5d.';

/** A page of the catalog (1-based, clamped). */
export function toolsView(catalog: Catalog, page: number): ToolsView {
  const pageCount = Math.max(1, Math.ceil(catalog.tools.length / TOOLS_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.trunc(page)), pageCount);
  const tools: ToolEntry[] = [...catalog.tools]
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice((current - 1) * TOOLS_PAGE_SIZE, current * TOOLS_PAGE_SIZE)
    .map((tool) => ({
      id: tool.id,
      name: tool.name,
      aliases: tool.aliases,
      hunts: [
        ...(tool.fileSignature ? ['file signature'] : []),
        ...(tool.process ? ['process'] : []),
        ...(tool.network ? ['network'] : []),
      ],
    }));
  return { name: 'tools', tools, page: current, pageCount, total: catalog.tools.length };
}

/** Rules per page of the `rules` card. */
export const RULES_PAGE_SIZE = 10;

/** A page of the rules (1-based, clamped). */
export function rulesView(rules: RuleBook, page: number): RulesView {
  const pageCount = Math.max(1, Math.ceil(rules.rules.length / RULES_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.trunc(page)), pageCount);
  return {
    name: 'rules',
    rules: rules.rules.slice((current - 1) * RULES_PAGE_SIZE, current * RULES_PAGE_SIZE).map((r) => ({ id: r.id, name: r.name, tables: r.tables.join(', ') })),
    problems: current === 1 ? rules.problemLines().slice(0, 10) : [],
    page: current,
    pageCount,
    total: rules.rules.length,
    configured: rules.configured,
  };
}

/** The latest audit entries as a view. */
async function auditView(store: Store, limit: number): Promise<AuditView> {
  const entries = await store.listAudit({ limit });
  return {
    name: 'audit',
    entries: entries.map((e) => ({
      at: isoSeconds(e.at),
      who: e.actor.name,
      action: e.action,
      outcome: e.outcome,
      what: summarise(e.details),
      where: e.conversationId,
    })),
  };
}

function summarise(details: unknown): string {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ')
    .slice(0, 200);
}

/** The command table. */
export function createCommands(deps: CommandDeps): readonly Command[] {
  const commands: Command[] = [
    {
      name: 'hunt',
      usage: HUNT_USAGE,
      summary:
        'Hunt for an RMM tool: devices where binaries signed by its vendor were seen (proc: its processes, net: connections to its domains), every tool at once, or one of your rules.',
      example: 'hunt kaseya 5d',
      run: (args, context) => deps.hunts.start(parseHuntArgs(args, { catalog: deps.catalog, rules: deps.rules }), context),
    },
    {
      name: 'check',
      usage: CHECK_USAGE,
      summary: 'Which RMM tools were seen on one device: file signatures, processes and network connections.',
      example: 'check WS-FIN-014 24h',
      run: (args, context) => deps.checks.start(parseCheckArgs(args), context),
    },
    {
      name: 'tools',
      usage: ['tools [page]'],
      summary: 'The RMM tools HuntOps can hunt for, with their aliases.',
      example: 'tools',
      run: (args) => reply(toolsView(deps.catalog, pageArgument('tools', args))),
    },
    {
      name: 'rules',
      usage: ['rules [page]'],
      summary: 'Your hunting rules (HUNT_RULES_DIR) and what in them could not be read.',
      example: 'rules',
      run: (args) => reply(rulesView(deps.rules, pageArgument('rules', args))),
    },
    {
      name: 'exclude',
      usage: EXCLUDE_USAGE,
      summary: `Hide a device (or a name pattern) from later hunts, for a reason; expires after ${DEFAULT_COMMAND_EXPIRY_DAYS} days unless told otherwise. Responders only.`,
      example: 'exclude device IT-ADM-* reason "IT admin workstations" for 90d',
      run: (args, context) => deps.exclusions.command(args, context),
    },
    {
      name: 'exclusions',
      usage: ['exclusions [page]'],
      summary: 'The active exclusions, each with Remove.',
      example: 'exclusions',
      run: (args) => deps.exclusions.list(args),
    },
    {
      name: 'unexclude',
      usage: ['unexclude <device or pattern>'],
      summary: 'Remove the exclusion of a device or pattern. Responders only.',
      example: 'unexclude IT-ADM-*',
      run: (args, context) => deps.exclusions.unexclude(args, context),
    },
    {
      name: 'incident',
      usage: ['incident channel here'],
      summary: 'Typed in a channel: escalations are posted there, one thread per incident. Responders only.',
      example: 'incident channel here',
      run: (args, context) => deps.escalations.setChannel(args, context),
    },
    {
      name: 'audit',
      usage: [`audit [n]`],
      summary: `The latest n (default ${AUDIT_DEFAULT}, at most ${AUDIT_MAX}) audited actions: hunts, exclusions, escalations, refusals. Responders only.`,
      example: 'audit 20',
      run: async (args, context) => {
        if (args.length > 1 || (args.length === 1 && !/^\d{1,3}$/.test(args[0]!))) {
          throw new UserError('audit takes a number', `For example: audit 20 (at most ${AUDIT_MAX})`, ['audit [n]']);
        }
        deps.access.checkResponder(context, 'read the audit trail');
        const n = Math.min(Math.max(Number(args[0] ?? AUDIT_DEFAULT), 1), AUDIT_MAX);
        return reply(await auditView(deps.store, n));
      },
    },
    {
      name: 'help',
      usage: ['help'],
      summary: 'This list.',
      example: 'help',
      run: () => reply(helpView()),
    },
  ];
  const helpView = () => ({
    name: 'help' as const,
    commands: commands.map((c) => ({ usage: c.usage.join('\n'), summary: c.summary, example: c.example })),
    windows: WINDOW_HELP,
  });
  return commands;
}
