/**
 * The optional page number of the listing commands (`tools 2`, `rules 3`, `exclusions 2`).
 */
import { UserError } from './user-error';

/** The page `words` name (1 when none), or a user error with the command's usage. */
export function pageArgument(command: string, words: readonly string[]): number {
  if (words.length > 1 || (words.length === 1 && !/^\d{1,4}$/.test(words[0]!))) {
    throw new UserError(`${command} takes a page number`, `For example: ${command} 2`, [`${command} [page]`]);
  }
  return Number(words[0] ?? 1);
}
