/**
 * `hunt <tool> [window] [device <name>]`: the words after `hunt`, checked against the catalog and
 * the backend's limits. Keywords are case-insensitive; the device name keeps its case.
 */
import type { Catalog, RmmTool } from '../hunt/catalog';
import { DEFAULT_WINDOW, describeWindow, looksLikeWindow, parseWindow, type HuntWindow } from '../hunt/window';
import { UserError } from './user-error';

/** Usage lines of `hunt`. */
export const HUNT_USAGE = ['hunt <tool> [window] [device <name>]'] as const;

/** A parsed hunt request. */
export interface HuntArgs {
  readonly tool: RmmTool;
  readonly window: HuntWindow;
  readonly device?: string;
}

/** What the parser checks against. */
export interface HuntLimits {
  readonly catalog: Catalog;
  readonly maxWindow: HuntWindow;
  /** Names the backend in the too-long-window answer. */
  readonly backendName: string;
}

const DEVICE_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._$-]{0,254}$/u;
const MAX_TOOL_WORDS = 3;

function usageError(title: string, hint: string): UserError {
  return new UserError(title, hint, HUNT_USAGE);
}

function findTool(words: readonly string[], catalog: Catalog): { tool: RmmTool; used: number } | undefined {
  for (let n = Math.min(MAX_TOOL_WORDS, words.length); n >= 1; n -= 1) {
    const tool = catalog.find(words.slice(0, n).join(' '));
    if (tool) return { tool, used: n };
  }
  return undefined;
}

/** Parses the words after `hunt`; throws {@link UserError} with the usage for anything malformed. */
export function parseHuntArgs(words: readonly string[], limits: HuntLimits): HuntArgs {
  if (words.length === 0) {
    throw usageError('Which tool should I hunt for?', 'Name an RMM tool, e.g. hunt kaseya 5d. Type tools for the list.');
  }
  const found = findTool(words, limits.catalog);
  if (!found) {
    const suggestions = limits.catalog.suggest(words[0]!).map((t) => t.name);
    const didYouMean = suggestions.length ? ` Did you mean ${suggestions.join(', ')}?` : '';
    throw usageError(`I don't know the tool '${words[0]}'`, `${didYouMean} Type tools for the list.`.trim());
  }
  let window: HuntWindow | undefined;
  let device: string | undefined;
  for (let i = found.used; i < words.length; i += 1) {
    const word = words[i]!;
    if (word.toLowerCase() === 'device') {
      const name = words[i + 1];
      if (name === undefined) throw usageError('Which device?', 'Put the device name after device, e.g. device WS-FIN-014.');
      if (device !== undefined) throw usageError('One device at a time', 'A hunt takes at most one device.');
      if (!DEVICE_NAME.test(name)) {
        throw usageError(`'${name}' is not a device name`, 'Device names are letters, digits, dots, dashes and underscores, e.g. WS-FIN-014 or ws-fin-014.contoso.com.');
      }
      device = name;
      i += 1;
    } else if (looksLikeWindow(word)) {
      const parsed = parseWindow(word);
      if (!parsed) throw usageError(`'${word}' is not a time window`, 'Use 30m, 12h, 5d, 2w or ISO 8601 such as P5D or PT12H.');
      if (window !== undefined) throw usageError('One time window at a time', `The hunt already has a window before '${word}'.`);
      if (parsed.ms > limits.maxWindow.ms) {
        throw usageError(
          `${word} is longer than ${limits.backendName} can answer`,
          `The longest window there is ${describeWindow(limits.maxWindow)}.`,
        );
      }
      window = parsed;
    } else {
      throw usageError(`I didn't understand '${word}'`, 'After the tool, a hunt takes a time window and device <name>.');
    }
  }
  if (!found.tool.fileSignature) {
    throw usageError(`${found.tool.name} has no file-signature hunt`, 'The public rules give it other hunts only; type tools to see which tools have one.');
  }
  const defaultWindow = DEFAULT_WINDOW.ms <= limits.maxWindow.ms ? DEFAULT_WINDOW : limits.maxWindow;
  return { tool: found.tool, window: window ?? defaultWindow, ...(device !== undefined ? { device } : {}) };
}
