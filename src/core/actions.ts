/**
 * Card actions by verb. Action data is untrusted: it is parsed strictly and every id in it is
 * looked up server-side before anything is shown or done.
 */
import { z } from 'zod';
import type { Catalog } from '../hunt/catalog';
import { toolsView } from './commands';
import type { HuntService } from './hunt-service';
import { reply, type Reply } from './reply';
import type { RequestContext } from './context';
import { UserError } from './user-error';
import { VERBS, type Verb } from './verbs';

/** What action handlers need. */
export interface ActionDeps {
  readonly catalog: Catalog;
  readonly hunts: HuntService;
}

const huntId = z.string().regex(/^[A-Za-z0-9_-]{8,32}$/);
const page = z.number().int().min(1).max(10_000);
const findingData = z.object({ huntId, key: z.string().regex(/^\d{1,6}$/) }).strict();

/** One handler per verb. */
export type ActionHandler = (data: unknown, context: RequestContext) => Promise<Reply>;

function parse<T>(schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new UserError('That button did not work', 'Its data was not what HuntOps sent. Run the command again.');
  return parsed.data;
}

/** The handlers, by verb. */
export function createActions(deps: ActionDeps): Readonly<Record<Verb, ActionHandler>> {
  const notYet = (what: string) => async (data: unknown) => {
    const { huntId: id, key } = parse(findingData, data);
    const { finding, page: onPage } = await deps.hunts.finding(id, key);
    return reply(
      await deps.hunts.page(id, onPage, {
        text: `${what} ${finding.deviceName}: this arrives with the triage workflow; nothing was changed.`,
        tone: 'warning',
      }),
    );
  };
  return {
    [VERBS.huntPage]: async (data) => {
      const parsed = parse(z.object({ huntId, page }).strict(), data);
      return reply(await deps.hunts.page(parsed.huntId, parsed.page));
    },
    [VERBS.toolsPage]: async (data) => reply(toolsView(deps.catalog, parse(z.object({ page }).strict(), data).page)),
    [VERBS.exclude]: notYet('Exclude'),
    [VERBS.escalate]: notYet('Escalate'),
  };
}
