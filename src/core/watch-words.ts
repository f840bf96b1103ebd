/**
 * The word grammar of the watch commands: `watch <hunt> every <interval>` — `<hunt>` is read by
 * `hunt`'s own grammar (`parse-hunt.ts`), so a watch takes exactly what `hunt` takes — and
 * `unwatch <id>`. Keywords are case-insensitive.
 */
import { describeInterval, parseInterval, watchIntervalProblem } from '../watch/interval';
import { parseHuntArgs, type HuntArgs, type HuntVocabulary } from './parse-hunt';
import { UserError } from './user-error';

/** Usage of `watch`. */
export const WATCH_USAGE = [
  'watch <tool> [window] [proc|net] [device <name>] [in <workspace>] every <interval>',
  'watch all [window] [device <name>] every <interval>',
  'watch <rule id or "rule name"> [window] every <interval>',
] as const;

/** Usage of `unwatch`. */
export const UNWATCH_USAGE = ['unwatch <id>'] as const;

/** A parsed `watch`. */
export interface WatchRequest {
  readonly hunt: HuntArgs;
  readonly intervalMs: number;
}

/** What the watch grammar needs: the hunt's vocabulary and the shortest interval allowed. */
export interface WatchVocabulary extends HuntVocabulary {
  readonly minIntervalMs: number;
}

/** Parses the words after `watch`; throws {@link UserError} with the usage for anything else. */
export function parseWatchWords(words: readonly string[], vocabulary: WatchVocabulary): WatchRequest {
  const every = words.map((w) => w.toLowerCase()).lastIndexOf('every');
  const example = `For example: watch kaseya every ${describeShort(Math.max(vocabulary.minIntervalMs, 3_600_000))}.`;
  if (every < 0) throw new UserError('How often?', `End the watch with every and an interval. ${example}`, WATCH_USAGE);
  const after = words.slice(every + 1);
  if (after.length !== 1) throw new UserError('One interval after every', example, WATCH_USAGE);
  const intervalMs = parseInterval(after[0]!);
  if (intervalMs === undefined) throw new UserError(`'${clip(after[0]!)}' is not an interval`, `Use 30m, 1h, 1d, 1w or ISO 8601 such as PT1H. ${example}`, WATCH_USAGE);
  const problem = watchIntervalProblem(intervalMs, vocabulary.minIntervalMs);
  if (problem) throw new UserError(`Every ${describeInterval(intervalMs)} is not an interval a watch can have`, problem, WATCH_USAGE);
  let hunt: HuntArgs;
  try {
    hunt = parseHuntArgs(words.slice(0, every), vocabulary);
  } catch (error) {
    if (error instanceof UserError) throw new UserError(error.title, error.hint, WATCH_USAGE);
    throw error;
  }
  return { hunt, intervalMs };
}

/** Parses the words after `unwatch`: one watch number. */
export function parseUnwatchWords(words: readonly string[]): { readonly watchId: number } {
  if (words.length !== 1 || !/^\d{1,9}$/.test(words[0]!) || Number(words[0]) < 1) {
    throw new UserError('Which watch?', 'Name it by its number, as watches lists them: unwatch 3.', UNWATCH_USAGE);
  }
  return { watchId: Number(words[0]) };
}

function describeShort(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'd'],
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1_000, 's'],
  ];
  const [size, unit] = units.find(([size]) => ms % size === 0) ?? [1_000, 's'];
  return `${Math.ceil(ms / size)}${unit}`;
}

function clip(word: string): string {
  return word.length > 40 ? `${word.slice(0, 40)}…` : word;
}
