/**
 * Splits a chat message into words. Double quotes (straight or typographic, as phones type them)
 * group words; everything else is split on white space. Arguments keep their case.
 */
import { UserError } from './user-error';

/** The longest message HuntOps reads as a command. */
export const MAX_COMMAND_LENGTH = 1000;

const OPEN_QUOTES = new Set(['"', '\u201c', '\u201e']);
const CLOSE_QUOTES = new Set(['"', '\u201d', '\u201c']);

/** Words of a message; throws {@link UserError} for an unclosed quote or an over-long message. */
export function tokenize(text: string): string[] {
  if (text.length > MAX_COMMAND_LENGTH) {
    throw new UserError(
      'That message is too long for a command',
      `Commands are at most ${MAX_COMMAND_LENGTH.toLocaleString('en-US')} characters; this one has ${text.length.toLocaleString('en-US')}. Type help for the commands.`,
    );
  }
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (OPEN_QUOTES.has(c)) {
      let end = i + 1;
      while (end < text.length && !CLOSE_QUOTES.has(text[end]!)) end += 1;
      if (end >= text.length) throw new UserError('A quote is not closed', 'Close the quoted text with another " and try again.');
      words.push(text.slice(i + 1, end));
      i = end + 1;
    } else {
      let end = i;
      while (end < text.length && !/\s/.test(text[end]!) && !OPEN_QUOTES.has(text[end]!)) end += 1;
      words.push(text.slice(i, end));
      i = end;
    }
  }
  return words;
}
