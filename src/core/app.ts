/**
 * The core's front door: a message's text or a card action in, a {@link Reply} out. Knows nothing of
 * Teams; the transports (`src/teams/`, the CLI) call it.
 */
import { randomUUID } from 'node:crypto';
import { distance } from 'fastest-levenshtein';
import { AccessRefused, type AccessPolicy } from './access';
import type { ActionHandler } from './actions';
import type { Auditor } from './audit';
import type { Command } from './commands';
import type { RequestContext } from './context';
import type { Log } from './log';
import { reply, type Reply } from './reply';
import { tokenize } from './tokenize';
import { UserError } from './user-error';
import { isVerb, type Verb } from './verbs';
import { notice } from './views';

/** What the app is made of. */
export interface AppDeps {
  readonly commands: readonly Command[];
  readonly actions: Readonly<Record<Verb, ActionHandler>>;
  readonly access: AccessPolicy;
  readonly auditor: Auditor;
  readonly log: Log;
}

/** Routes messages to commands and card actions to their verb's handler. */
export class HuntOpsApp {
  private readonly byName: ReadonlyMap<string, Command>;

  constructor(private readonly deps: AppDeps) {
    this.byName = new Map(deps.commands.map((c) => [c.name, c]));
  }

  /** Answers a chat message (mention already removed). Never throws. */
  async handleMessage(text: string, context: RequestContext): Promise<Reply> {
    let name = 'message';
    return this.guard(context, () => ({ command: name }), async () => {
      this.deps.access.checkTenant(context);
      const words = tokenize(text);
      const [first, ...args] = words;
      if (first === undefined) return this.byName.get('help')!.run([], context);
      const command = this.byName.get(first.toLowerCase());
      if (!command) throw this.unknownCommand(first);
      name = command.name;
      return command.run(args, context);
    });
  }

  /** Answers an `Action.Execute` click. The verb and data are untrusted. Never throws. */
  async handleAction(verb: unknown, data: unknown, context: RequestContext): Promise<Reply> {
    return this.guard(context, () => ({ verb: String(verb).slice(0, 40), ...subjectOf(data) }), async () => {
      this.deps.access.checkTenant(context);
      if (!isVerb(verb)) throw new UserError('That button did not work', 'HuntOps does not know it. Run the command again.');
      return this.deps.actions[verb](data, context);
    });
  }

  private unknownCommand(word: string): UserError {
    const names = [...this.byName.keys()];
    const lower = word.toLowerCase();
    const close = names.filter((n) => distance(n, lower) <= 2);
    const hint = close.length ? `Did you mean ${close.join(' or ')}? ` : '';
    return new UserError(
      `I don't know the command '${word.length > 40 ? `${word.slice(0, 40)}…` : word}'`,
      `${hint}Commands: ${names.join(', ')}. Type help for details.`,
      this.deps.commands.flatMap((c) => c.usage),
    );
  }

  private async guard(context: RequestContext, what: () => Record<string, unknown>, handle: () => Promise<Reply>): Promise<Reply> {
    try {
      return await handle();
    } catch (error) {
      if (error instanceof AccessRefused) {
        await this.deps.auditor.record(context, error.action, what(), 'refused');
      }
      if (error instanceof UserError) {
        return reply(notice(error.title, error.hint, { tone: 'warning', ...(error.usage ? { usage: error.usage } : {}) }));
      }
      const reference = randomUUID().slice(0, 8);
      this.deps.log.error({ err: error, reference, conversation: context.conversation.id }, 'handler failed');
      return reply(
        notice('Something went wrong on our side', `The team has the details in the log (reference ${reference}). Please try again.`, {
          tone: 'attention',
        }),
      );
    }
  }
}

/** The ids a card action names, for the audit trail (strings only, bounded). */
function subjectOf(data: unknown): Record<string, string> {
  if (!data || typeof data !== 'object') return {};
  const out: Record<string, string> = {};
  for (const key of ['huntId', 'row', 'exclusionId']) {
    const value = (data as Record<string, unknown>)[key];
    if (typeof value === 'string') out[key] = value.slice(0, 64);
  }
  return out;
}
