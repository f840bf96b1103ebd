/**
 * The core's front door: a message's text (or the words a shell split) or a card action in, a
 * {@link Reply} out. It checks the caller's tenant, finds the route (the command's first word, the
 * button's verb) in the registry and runs it through the pipeline. Knows nothing of Teams; the
 * transports (`src/teams/`, the CLI) call it.
 */
import { distance } from 'fastest-levenshtein';
import type { AccessPolicy } from './access';
import type { AuditDetails, Auditor } from './audit';
import type { RequestContext } from './context';
import type { Log } from './log';
import { trouble, type ButtonEntry, type CommandEntry, type PipelineDeps } from './pipeline';
import { troubleReply, type Reply } from './reply';
import { tokenize } from './tokenize';
import { UserError } from './user-error';
import { isVerb, type Verb } from './verbs';
import { notice } from './views';

/** The registry: every command and every button. */
export interface RouteTable {
  readonly commands: readonly CommandEntry[];
  readonly buttons: readonly ButtonEntry[];
}

/** What the app is made of. */
export interface AppDeps {
  readonly routes: RouteTable;
  readonly access: AccessPolicy;
  readonly auditor: Auditor;
  readonly log: Log;
}

/** The command an empty message runs. */
const DEFAULT_COMMAND = 'help';

/** Routes messages to commands and card actions to their verb's button. */
export class HuntOpsApp {
  private readonly commands: ReadonlyMap<string, CommandEntry>;
  private readonly buttons: ReadonlyMap<Verb, ButtonEntry>;
  private readonly pipeline: PipelineDeps;

  constructor(private readonly deps: AppDeps) {
    this.commands = uniqueBy(deps.routes.commands, (c) => c.command, 'command');
    this.buttons = uniqueBy(deps.routes.buttons, (b) => b.verb, 'verb');
    if (!this.commands.has(DEFAULT_COMMAND)) throw new Error(`the route table has no ${DEFAULT_COMMAND} command`);
    this.pipeline = { access: deps.access, auditor: deps.auditor, log: deps.log };
  }

  /** Answers a chat message (mention already removed). Never throws. */
  async handleMessage(text: string, context: RequestContext): Promise<Reply> {
    const refused = await this.refuseTenant(context, { command: 'message' });
    if (refused) return refused;
    let words: string[];
    try {
      words = tokenize(text);
    } catch (error) {
      return trouble(error, 'invalid', context, this.pipeline);
    }
    return this.runWords(words, context);
  }

  /** Answers a command already split into words (a shell's argv). Never throws. */
  async handleWords(words: readonly string[], context: RequestContext): Promise<Reply> {
    return (await this.refuseTenant(context, { command: 'message' })) ?? this.runWords(words, context);
  }

  /** Answers an `Action.Execute` click. The verb and data are untrusted. Never throws. */
  async handleAction(verb: unknown, data: unknown, context: RequestContext): Promise<Reply> {
    const refused = await this.refuseTenant(context, { verb: isVerb(verb) ? verb : 'unknown' });
    if (refused) return refused;
    const button = isVerb(verb) ? this.buttons.get(verb) : undefined;
    if (!button) {
      return troubleReply(notice('That button did not work', 'HuntOps does not know it. Run the command again.', { tone: 'warning' }), 'invalid');
    }
    return button.run(data, context, this.pipeline);
  }

  private async runWords(words: readonly string[], context: RequestContext): Promise<Reply> {
    const [first, ...args] = words;
    const [second, ...rest] = args;
    // A two-word command (`exclusions sync`) goes before the one-word command it starts with.
    const pair = first !== undefined && second !== undefined ? this.commands.get(`${first} ${second}`.toLowerCase()) : undefined;
    if (pair) return pair.run(rest, context, this.pipeline);
    const entry = this.commands.get((first ?? DEFAULT_COMMAND).toLowerCase());
    if (!entry) return trouble(this.unknownCommand(first!), 'invalid', context, this.pipeline);
    return entry.run(first === undefined ? [] : args, context, this.pipeline);
  }

  /** The refusal of a caller whose tenant may not use the bot (audited as `use`), if it may not. */
  private async refuseTenant(context: RequestContext, details: AuditDetails): Promise<Reply | undefined> {
    const refusal = this.deps.access.tenantRefusal(context);
    if (!refusal) return undefined;
    await this.deps.auditor.record(context, 'use', details, 'refused');
    return troubleReply(notice(refusal.title, refusal.hint, { tone: 'warning' }), 'refused');
  }

  private unknownCommand(word: string): UserError {
    const names = [...this.commands.keys()];
    const lower = word.toLowerCase();
    const close = names.filter((n) => distance(n, lower) <= 2);
    const hint = close.length ? `Did you mean ${close.join(' or ')}? ` : '';
    return new UserError(
      `I don't know the command '${word.length > 40 ? `${word.slice(0, 40)}…` : word}'`,
      `${hint}Commands: ${names.join(', ')}. Type help for details.`,
      this.deps.routes.commands.flatMap((c) => c.usage),
    );
  }
}

function uniqueBy<K, T>(entries: readonly T[], key: (entry: T) => K, what: string): ReadonlyMap<K, T> {
  const map = new Map<K, T>();
  for (const entry of entries) {
    if (map.has(key(entry))) throw new Error(`two routes for the ${what} ${String(key(entry))}`);
    map.set(key(entry), entry);
  }
  return map;
}
