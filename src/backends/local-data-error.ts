/**
 * A data file of the local backend that cannot be used as it is: it names the file and, when
 * the problem is in one event, its line and column.
 */

/** A problem with a local data file. */
export class LocalDataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${file}${line === undefined ? '' : `, line ${line}`}: ${detail}`);
    this.name = 'LocalDataError';
  }
}
