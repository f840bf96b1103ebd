/**
 * Card actions by verb. Action data is untrusted: it is parsed strictly and every id in it is
 * looked up server-side before anything is shown or done.
 */
import { z } from 'zod';
import type { Catalog } from '../hunt/catalog';
import type { RuleBook } from '../hunt/rule-book';
import { rulesView, toolsView } from './commands';
import type { EscalationService } from './escalations';
import type { ExclusionService } from './exclusions';
import type { HuntService } from './hunt-service';
import { reply, type Reply } from './reply';
import type { RequestContext } from './context';
import { HUNT_ID, PAGE, parseActionData } from './action-data';
import { VERBS, type Verb } from './verbs';

/** What action handlers need. */
export interface ActionDeps {
  readonly catalog: Catalog;
  readonly rules: RuleBook;
  readonly hunts: HuntService;
  readonly exclusions: ExclusionService;
  readonly escalations: EscalationService;
}


/** One handler per verb. */
export type ActionHandler = (data: unknown, context: RequestContext) => Promise<Reply>;

/** The handlers, by verb. */
export function createActions(deps: ActionDeps): Readonly<Record<Verb, ActionHandler>> {
  const { exclusions, escalations } = deps;
  return {
    [VERBS.huntPage]: async (data) => {
      const parsed = parseActionData(z.object({ huntId: HUNT_ID, page: PAGE }).strict(), data);
      return reply(await deps.hunts.page(parsed.huntId, parsed.page));
    },
    [VERBS.toolsPage]: async (data) => reply(toolsView(deps.catalog, parseActionData(z.object({ page: PAGE }).strict(), data).page)),
    [VERBS.rulesPage]: async (data) => reply(rulesView(deps.rules, parseActionData(z.object({ page: PAGE }).strict(), data).page)),
    [VERBS.exclusionsPage]: async (data) => exclusions.list([String(parseActionData(z.object({ page: PAGE }).strict(), data).page)]),
    [VERBS.exclude]: (data, context) => exclusions.form(data, context),
    [VERBS.excludeSubmit]: (data, context) => exclusions.submit(data, context),
    [VERBS.unexclude]: (data, context) => exclusions.remove(data, context),
    [VERBS.escalate]: (data, context) => escalations.form(data, context),
    [VERBS.escalateSubmit]: (data, context) => escalations.submit(data, context),
  };
}
