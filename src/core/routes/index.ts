/**
 * The registry: every chat command and every card button HuntOps answers, in help's order. A
 * command or a button exists exactly when it is listed here; help is generated from the commands.
 */
import type { RouteTable } from '../app';
import { command, type CommandEntry } from '../pipeline';
import { helpView, type CommandHelp } from '../presenters/listing-views';
import { escalationRoutes } from './escalation-routes';
import { exclusionRoutes } from './exclusion-routes';
import { exclusionSyncRoutes } from './exclusion-sync-routes';
import { huntButtons, huntCommands } from './hunt-routes';
import { incidentRoutes } from './incident-routes';
import { listingRoutes } from './listing-routes';
import type { RouteDeps } from './route-deps';
import { sanctionRoutes } from './sanction-routes';
import { watchRoutes } from './watch-routes';

export type { RouteDeps } from './route-deps';

/** Every route. */
export function createRoutes(deps: RouteDeps): RouteTable {
  const listings = listingRoutes(deps);
  const exclusions = exclusionRoutes(deps);
  const sync = exclusionSyncRoutes(deps);
  const escalations = escalationRoutes(deps);
  const watches = watchRoutes(deps);
  const sanctions = sanctionRoutes(deps);
  const incidents = incidentRoutes(deps);
  const [tools, rules, audit] = listings.commands;
  const commands: CommandEntry[] = [
    ...huntCommands(deps),
    tools!,
    rules!,
    ...exclusions.commands,
    ...sync.commands,
    ...escalations.commands,
    ...incidents.commands,
    ...watches.commands,
    ...sanctions.commands,
    audit!,
  ];
  const listed: CommandHelp[] = [...commands, { usage: ['help'], summary: 'This list.', example: 'help' }];
  const help = command({
    command: 'help',
    ...listed[listed.length - 1]!,
    parse: () => ({}),
    access: 'anyone',
    handle: async () => listed,
    present: helpView,
  });
  return {
    commands: [...commands, help],
    buttons: [
      ...huntButtons(deps),
      ...listings.buttons,
      ...exclusions.buttons,
      ...sync.buttons,
      ...escalations.buttons,
      ...incidents.buttons,
      ...watches.buttons,
      ...sanctions.buttons,
    ],
  };
}
