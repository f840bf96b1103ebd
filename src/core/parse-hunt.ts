/**
 * `hunt <tool|all|rule> [window] [proc|net] [device <name>] [in <workspace>]` and
 * `check <device> [window] [in <workspace>]`: the words after the command, checked against the
 * catalog and the rules. Keywords are case-insensitive; the device name keeps its case. Limits that
 * depend on where the hunt runs (the longest window) are checked once the workspace is known.
 */
import type { Catalog, RmmTool } from '../hunt/catalog';
import type { RuleBook } from '../hunt/rule-book';
import type { HuntingRule } from '../hunt/rules';
import { defaultHuntKind, MissingHuntKindError, requireHuntKind } from '../hunt/tool-lookup';
import { DEFAULT_WINDOW, describeWindow, looksLikeWindow, parseWindow, windowToKql, type HuntWindow } from '../hunt/window';
import type { HuntKind, HuntRequest } from '../store/store';
import { HUNT_KIND_KEYWORD, HUNT_KIND_LABEL, HUNT_KIND_WORDS } from './hunt-kinds';
import { toolRefOf } from './tool-ref';
import { UserError } from './user-error';

/** Usage lines of `hunt`. */
export const HUNT_USAGE = [
  'hunt <tool> [window] [proc|net] [device <name>] [in <workspace>]',
  'hunt all [window] [device <name>]',
  'hunt <rule id or "rule name"> [window]',
] as const;

/** Usage of `check`. */
export const CHECK_USAGE = ['check <device> [window] [in <workspace>]'] as const;

/** What a hunt is about. */
export type HuntSubject =
  | { readonly kind: 'tool'; readonly tool: RmmTool; readonly huntKind: HuntKind }
  | { readonly kind: 'all' }
  | { readonly kind: 'rule'; readonly rule: HuntingRule };

/** A parsed hunt request. */
export interface HuntArgs {
  readonly subject: HuntSubject;
  readonly window: HuntWindow;
  readonly device?: string;
  /** The workspace alias named with `in`. */
  readonly workspace?: string;
}

/** A parsed `check`. */
export interface CheckArgs {
  readonly device: string;
  readonly window: HuntWindow;
  readonly workspace?: string;
}

/** What the parser looks names up in. */
export interface HuntVocabulary {
  readonly catalog: Catalog;
  readonly rules: RuleBook;
}

const DEVICE_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._$-]{0,254}$/u;
const MAX_TOOL_WORDS = 3;

function usageError(title: string, hint: string, usage: readonly string[] = HUNT_USAGE): UserError {
  return new UserError(title, hint, usage);
}

/** A valid device name, or a user error. */
export function checkDeviceName(name: string, usage: readonly string[]): string {
  if (!DEVICE_NAME.test(name)) {
    throw usageError(
      `'${name}' is not a device name`,
      'Device names are letters, digits, dots, dashes and underscores, e.g. WS-FIN-014 or ws-fin-014.contoso.com.',
      usage,
    );
  }
  return name;
}

function findSubject(words: readonly string[], vocabulary: HuntVocabulary): { subject: HuntSubject; used: number } | undefined {
  for (let n = Math.min(MAX_TOOL_WORDS, words.length); n >= 1; n -= 1) {
    const tool = vocabulary.catalog.find(words.slice(0, n).join(' '));
    if (tool) return { subject: { kind: 'tool', tool, huntKind: 'file-signature' }, used: n };
  }
  if (words[0]!.toLowerCase() === 'all') return { subject: { kind: 'all' }, used: 1 };
  const rule = vocabulary.rules.find(words[0]!);
  return rule ? { subject: { kind: 'rule', rule }, used: 1 } : undefined;
}

/** The common options after the subject: window, kind (when `kinds`), device, workspace. */
function options(words: readonly string[], usage: readonly string[], kinds: boolean) {
  let window: HuntWindow | undefined;
  let device: string | undefined;
  let workspace: string | undefined;
  let kind: HuntKind | undefined;
  for (let i = 0; i < words.length; i += 1) {
    const word = words[i]!;
    const keyword = word.toLowerCase();
    if (keyword === 'device' || keyword === 'in') {
      const value = words[i + 1];
      if (value === undefined) {
        throw usageError(keyword === 'device' ? 'Which device?' : 'Which workspace?', keyword === 'device' ? 'Put the device name after device, e.g. device WS-FIN-014.' : 'Put its name after in, e.g. in emea.', usage);
      }
      if (keyword === 'device') {
        if (device !== undefined) throw usageError('One device at a time', 'A hunt takes at most one device.', usage);
        device = checkDeviceName(value, usage);
      } else {
        if (workspace !== undefined) throw usageError('One workspace at a time', 'A hunt runs in one workspace.', usage);
        workspace = value;
      }
      i += 1;
    } else if (kinds && HUNT_KIND_WORDS[keyword]) {
      if (kind !== undefined) throw usageError('One kind of hunt at a time', 'Choose proc or net (or neither, for file signatures).', usage);
      kind = HUNT_KIND_WORDS[keyword];
    } else if (looksLikeWindow(word)) {
      const parsed = parseWindow(word);
      if (!parsed) throw usageError(`'${word}' is not a time window`, 'Use 30m, 12h, 5d, 2w or ISO 8601 such as P5D or PT12H.', usage);
      if (window !== undefined) throw usageError('One time window at a time', `The hunt already has a window before '${word}'.`, usage);
      window = parsed;
    } else {
      const hint = kinds
        ? 'After the tool, a hunt takes a time window, proc or net, device <name> and in <workspace>.'
        : 'After the device, check takes a time window and in <workspace>.';
      throw usageError(`I didn't understand '${word.length > 40 ? `${word.slice(0, 40)}…` : word}'`, hint, usage);
    }
  }
  return { window: window ?? DEFAULT_WINDOW, device, workspace, kind };
}

/** Parses the words after `hunt`; throws {@link UserError} with the usage for anything malformed. */
export function parseHuntArgs(words: readonly string[], vocabulary: HuntVocabulary): HuntArgs {
  if (words.length === 0) {
    throw usageError('What should I hunt for?', 'Name an RMM tool (e.g. hunt kaseya 5d), all, or one of your rules. Type tools for the list.');
  }
  const found = findSubject(words, vocabulary);
  if (!found) {
    const suggestions = vocabulary.catalog.suggest(words[0]!).map((t) => t.name);
    const didYouMean = suggestions.length ? ` Did you mean ${suggestions.join(', ')}?` : '';
    const shown = words[0]!.length > 40 ? `${words[0]!.slice(0, 40)}…` : words[0]!;
    throw usageError(`I don't know the tool '${shown}'`, `${didYouMean} Type tools for the list, or rules for your own.`.trim());
  }
  const { window, device, workspace, kind } = options(words.slice(found.used), HUNT_USAGE, true);
  const rest = { window, ...(device !== undefined ? { device } : {}), ...(workspace !== undefined ? { workspace } : {}) };
  const { subject } = found;
  if (subject.kind === 'all') {
    if (kind !== undefined && kind !== 'file-signature') throw usageError('hunt all covers file signatures', 'Hunt one tool for its process or network evidence, e.g. hunt anydesk 5d net.');
    return { subject, ...rest };
  }
  if (subject.kind === 'rule') {
    if (kind !== undefined) throw usageError(`${subject.rule.name} is a rule`, 'A rule hunt runs as written: leave out proc and net.');
    if (device !== undefined) throw usageError(`${subject.rule.name} is a rule`, 'A rule hunt runs as written: leave out device.');
    return { subject, ...rest };
  }
  const huntKind = kind ?? defaultHuntKind(subject.tool);
  try {
    requireHuntKind(subject.tool, huntKind);
  } catch (error) {
    if (error instanceof MissingHuntKindError) throw missingKindError(error);
    throw error;
  }
  return { subject: { ...subject, huntKind }, ...rest };
}

/** The answer to a hunt of a kind the tool lacks: the kinds it has, and how to ask for one. */
function missingKindError(error: MissingHuntKindError): UserError {
  const { tool, kind, available } = error;
  const example = available.map((k) => `hunt ${tool.id} 5d${HUNT_KIND_KEYWORD[k] ? ` ${HUNT_KIND_KEYWORD[k]}` : ''}`).join(' or ');
  return usageError(`${tool.name} has no ${HUNT_KIND_LABEL[kind]} hunt`, `Its hunts: ${available.map((k) => HUNT_KIND_LABEL[k]).join(', ')}. For example: ${example}.`);
}

/** Parses the words after `check`. */
export function parseCheckArgs(words: readonly string[]): CheckArgs {
  const [device, ...rest] = words;
  if (device === undefined) throw usageError('Which device?', 'For example: check WS-FIN-014 24h', CHECK_USAGE);
  checkDeviceName(device, CHECK_USAGE);
  const { window, workspace, device: extra } = options(rest, CHECK_USAGE, false);
  if (extra !== undefined) throw usageError('One device at a time', 'check takes the device first: check WS-FIN-014 24h', CHECK_USAGE);
  return { device, window, ...(workspace !== undefined ? { workspace } : {}) };
}

/** Refuses a window longer than the place the hunt runs can answer. */
export function checkWindow(window: HuntWindow, maxWindow: HuntWindow, where: string, usage: readonly string[] = HUNT_USAGE): void {
  if (window.ms > maxWindow.ms) {
    throw usageError(`That window is longer than ${where} can answer`, `The longest window there is ${describeWindow(maxWindow)}.`, usage);
  }
}

/** The command that runs a stored hunt again (`hunt anydesk net 5d device WS-1`, `hunt "Rule name" 5d`). */
export function huntCommandText(request: HuntRequest, subject: string): string {
  const keyword = request.kind === 'process' || request.kind === 'network' ? HUNT_KIND_KEYWORD[request.kind] : undefined;
  const what = toolRefOf(request.toolId).kind === 'rule' ? `"${subject}"` : `${request.toolId}${keyword ? ` ${keyword}` : ''}`;
  return `hunt ${what} ${windowToKql({ ms: request.windowMs })}${request.device ? ` device ${request.device}` : ''}`;
}
