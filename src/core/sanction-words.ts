/**
 * The word grammar of the sanction commands: `sanction <tool> [instance <domain>…] reason "<why>"`
 * and `unsanction <tool>`. The tool is named as `hunt` names it (id, name or alias, up to three
 * words); instances are host names (`vsa.contoso.com`, `https://contoso.screenconnect.com/` is read
 * as its host) kept in canonical form. Keywords are case-insensitive.
 */
import type { Catalog, RmmTool } from '../hunt/catalog';
import { MAX_INSTANCES } from '../store/watch-validate';
import { normalizeHost } from '../watch/sanction-instances';
import { MAX_REASON } from './exclusions';
import { UserError } from './user-error';

/** Usage of `sanction`. */
export const SANCTION_USAGE = ['sanction <tool> [instance <domain>…] reason "<why>"'] as const;

/** Usage of `unsanction`. */
export const UNSANCTION_USAGE = ['unsanction <tool>'] as const;

/** A parsed `sanction`. */
export interface SanctionRequest {
  readonly tool: RmmTool;
  /** Canonical hosts, each once; empty when any instance of the tool is sanctioned. */
  readonly instances: readonly string[];
  readonly reason: string;
}

const INSTANCE_WORDS = new Set(['instance', 'instances']);
const MAX_TOOL_WORDS = 3;

function clip(word: string): string {
  return word.length > 40 ? `${word.slice(0, 40)}…` : word;
}

/** The tool `words` name, or a user error with the closest names. */
function toolOf(words: readonly string[], catalog: Catalog, usage: readonly string[]): RmmTool {
  if (words.length === 0) throw new UserError('Which tool?', 'Name it as hunt does, e.g. kaseya or screenconnect. Type tools for the list.', usage);
  const tool = words.length <= MAX_TOOL_WORDS ? catalog.find(words.join(' ')) : undefined;
  if (tool) return tool;
  const suggestions = catalog.suggest(words.join(' ')).map((t) => t.name);
  const didYouMean = suggestions.length ? `Did you mean ${suggestions.join(', ')}? ` : '';
  throw new UserError(`I don't know the tool '${clip(words.join(' '))}'`, `${didYouMean}Type tools for the list.`, usage);
}

/** Parses the words after `sanction`; throws {@link UserError} with the usage for anything else. */
export function parseSanctionWords(words: readonly string[], catalog: Catalog): SanctionRequest {
  const usage = (title: string, hint: string) => new UserError(title, hint, SANCTION_USAGE);
  const isKeyword = (word: string) => INSTANCE_WORDS.has(word.toLowerCase()) || word.toLowerCase() === 'reason';
  const firstKeyword = words.findIndex(isKeyword);
  const tool = toolOf(firstKeyword < 0 ? words : words.slice(0, firstKeyword), catalog, SANCTION_USAGE);
  const instances = new Set<string>();
  let reason: string | undefined;
  let i = firstKeyword < 0 ? words.length : firstKeyword;
  while (i < words.length) {
    const keyword = words[i]!.toLowerCase();
    i += 1;
    if (keyword === 'reason') {
      const value = words[i];
      if (value === undefined || isKeyword(value)) throw usage('Why?', 'Give a reason in quotes: reason "our own VSA server".');
      if (reason !== undefined) throw usage('One reason', 'Give the reason once, in quotes.');
      reason = value.trim();
      i += 1;
      continue;
    }
    const start = i;
    while (i < words.length && !isKeyword(words[i]!)) {
      const host = normalizeHost(words[i]!);
      if (host === undefined) {
        throw usage(`'${clip(words[i]!)}' is not an instance`, 'Name each instance by its host name, e.g. vsa.contoso.com: names under it (relay.vsa.contoso.com) count as the same instance.');
      }
      instances.add(host);
      i += 1;
    }
    if (i === start) throw usage('Which instance?', 'Put the host names after instance, e.g. instance vsa.contoso.com.');
  }
  if (!reason) throw usage('Why?', 'Give a reason in quotes: reason "our own VSA server".');
  if (reason.length > MAX_REASON) throw usage('That reason is too long', `Keep it under ${MAX_REASON} characters.`);
  if (instances.size > MAX_INSTANCES) throw usage('Too many instances', `A sanction names at most ${MAX_INSTANCES} instances.`);
  if (instances.size > 0 && !tool.network?.filter.length) {
    throw usage(
      `${tool.name} cannot be sanctioned by instance`,
      `HuntOps has no network evidence for ${tool.name} to tell its instances apart; sanction it without instances.`,
    );
  }
  return { tool, instances: [...instances].sort(), reason };
}

/** Parses the words after `unsanction`: one tool. */
export function parseUnsanctionWords(words: readonly string[], catalog: Catalog): { readonly tool: RmmTool } {
  return { tool: toolOf(words, catalog, UNSANCTION_USAGE) };
}
