/**
 * The command table: one entry per command (name, usage, summary, example, handler). Help is
 * generated from it, so a command exists exactly when it is listed here.
 */
import type { Catalog } from '../hunt/catalog';
import type { Backend } from '../backends/backend';
import { HUNT_USAGE, parseHuntArgs } from './parse-hunt';
import type { HuntService } from './hunt-service';
import { reply, type Reply } from './reply';
import type { RequestContext } from './context';
import { UserError } from './user-error';
import type { ToolEntry, ToolsView } from './views';

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
  readonly backend: Backend;
  readonly hunts: HuntService;
}

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

/** The command table. */
export function createCommands(deps: CommandDeps): readonly Command[] {
  const commands: Command[] = [
    {
      name: 'hunt',
      usage: HUNT_USAGE,
      summary: 'Hunt for an RMM tool: devices where binaries signed by its vendor were seen.',
      example: 'hunt kaseya 5d',
      run: (args) =>
        deps.hunts.start(
          parseHuntArgs(args, { catalog: deps.catalog, maxWindow: deps.backend.maxWindow, backendName: deps.backend.source }),
        ),
    },
    {
      name: 'tools',
      usage: ['tools [page]'],
      summary: 'The RMM tools HuntOps can hunt for, with their aliases.',
      example: 'tools',
      run: (args) => {
        if (args.length > 1 || (args.length === 1 && !/^\d{1,4}$/.test(args[0]!))) {
          throw new UserError('tools takes a page number', 'For example: tools 2', ['tools [page]']);
        }
        return reply(toolsView(deps.catalog, Number(args[0] ?? 1)));
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
