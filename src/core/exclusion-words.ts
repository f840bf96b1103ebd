/**
 * The word grammar of the exclusion commands:
 * `exclude device <name or pattern> reason "<why>" [for <window>|never] [tool <tool>]` and
 * `unexclude <device or pattern>`. Keywords are case-insensitive; values keep their case.
 */
import type { Catalog } from '../hunt/catalog';
import { looksLikeWindow, parseWindow } from '../hunt/window';
import { MAX_RECORDED_NAME, patternProblem } from '../store/exclusion-match';
import type { ExclusionScope } from '../store/store';
import { MAX_REASON, type Expiry } from './exclusions';
import { UserError } from './user-error';

/** Usage of `exclude`. */
export const EXCLUDE_USAGE = ['exclude device <name or pattern> reason "<why>" [for <window>|never] [tool <tool>]'] as const;

/** Usage of `unexclude`. */
export const UNEXCLUDE_USAGE = ['unexclude <device or pattern>'] as const;

/** A parsed `exclude`. */
export interface ExcludeRequest {
  readonly pattern: string;
  readonly reason: string;
  readonly scope: ExclusionScope;
  /** Undefined when the command named none: the default applies. */
  readonly expiry?: Expiry;
}

const KEYWORDS = ['device', 'reason', 'for', 'tool'];

/** Parses the words after `exclude`; throws {@link UserError} with the usage for anything else. */
export function parseExcludeWords(words: readonly string[], catalog: Catalog): ExcludeRequest {
  const usage = (title: string, hint: string) => new UserError(title, hint, EXCLUDE_USAGE);
  let pattern: string | undefined;
  let reason: string | undefined;
  let expiry: Expiry | undefined;
  let scope: ExclusionScope = { kind: 'all' };
  for (let i = 0; i < words.length; i += 2) {
    const keyword = words[i]!.toLowerCase();
    const value = words[i + 1];
    if (!KEYWORDS.includes(keyword)) throw usage(`I didn't understand '${words[i]}'`, 'An exclusion takes device, reason, for and tool.');
    if (value === undefined) throw usage(`What comes after ${keyword}?`, 'Each of device, reason, for and tool takes a value.');
    if (keyword === 'device') {
      const problem = patternProblem(value);
      if (problem) throw usage(`'${value}' can't be excluded`, `${problem[0]!.toUpperCase()}${problem.slice(1)}.`);
      pattern = value;
    } else if (keyword === 'reason') {
      reason = value.trim();
    } else if (keyword === 'for') {
      if (value.toLowerCase() === 'never') expiry = { kind: 'never' };
      else {
        const window = looksLikeWindow(value) ? parseWindow(value) : undefined;
        if (!window) throw usage(`'${value}' is not a duration`, 'Write for 90d, for 2w, for PT12H or for never.');
        expiry = { kind: 'after', ms: window.ms };
      }
    } else {
      const all = value.toLowerCase() === 'all';
      const tool = all ? undefined : catalog.find(value);
      if (!all && !tool) throw usage(`I don't know the tool '${value}'`, 'Type tools for the list, or write tool all.');
      scope = tool ? { kind: 'tool', toolId: tool.id } : { kind: 'all' };
    }
  }
  if (!pattern) throw usage('Which device?', 'Name it, or a pattern such as IT-ADM-*.');
  if (!reason) throw usage('Why?', 'Give a reason in quotes: reason "IT admin workstations".');
  if (reason.length > MAX_REASON) throw usage('That reason is too long', `Keep it under ${MAX_REASON} characters.`);
  return { pattern, reason, scope, ...(expiry ? { expiry } : {}) };
}

/** Parses the words after `unexclude`: exactly one device name or pattern, of a length one can be. */
export function parseUnexcludeWords(words: readonly string[]): { readonly pattern: string } {
  if (words.length !== 1) throw new UserError('Which exclusion?', 'Name the device or pattern exactly as listed by exclusions.', UNEXCLUDE_USAGE);
  const pattern = words[0]!;
  if (pattern.length > MAX_RECORDED_NAME || /\p{Cc}/u.test(pattern)) {
    throw new UserError('No exclusion has that name', 'Name the device or pattern exactly as listed by exclusions.', UNEXCLUDE_USAGE);
  }
  return { pattern };
}
