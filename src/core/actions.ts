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
import { UserError } from './user-error';
import { VERBS, type Verb } from './verbs';

/** What action handlers need. */
export interface ActionDeps {
  readonly catalog: Catalog;
  readonly rules: RuleBook;
  readonly hunts: HuntService;
  readonly exclusions: ExclusionService;
  readonly escalations: EscalationService;
}

const huntId = z.string().regex(/^[A-Za-z0-9_-]{8,32}$/);
const page = z.number().int().min(1).max(10_000);

/** One handler per verb. */
export type ActionHandler = (data: unknown, context: RequestContext) => Promise<Reply>;

function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new UserError('That button did not work', 'Its data was not what HuntOps sent. Run the command again.');
  return parsed.data;
}

/** The handlers, by verb. */
export function createActions(deps: ActionDeps): Readonly<Record<Verb, ActionHandler>> {
  const { exclusions, escalations } = deps;
  return {
    [VERBS.huntPage]: async (data) => {
      const parsed = parse(z.object({ huntId, page }).strict(), data);
      return reply(await deps.hunts.page(parsed.huntId, parsed.page));
    },
    [VERBS.toolsPage]: async (data) => reply(toolsView(deps.catalog, parse(z.object({ page }).strict(), data).page)),
    [VERBS.rulesPage]: async (data) => reply(rulesView(deps.rules, parse(z.object({ page }).strict(), data).page)),
    [VERBS.exclusionsPage]: async (data, context) => exclusions.list([String(parse(z.object({ page }).strict(), data).page)], context),
    [VERBS.exclude]: (data, context) => exclusions.form(data, context),
    [VERBS.excludeSubmit]: (data, context) => exclusions.submit(data, context),
    [VERBS.unexclude]: (data, context) => exclusions.remove(data, context),
    [VERBS.escalate]: (data, context) => escalations.form(data, context),
    [VERBS.escalateSubmit]: (data, context) => escalations.submit(data, context),
  };
}
