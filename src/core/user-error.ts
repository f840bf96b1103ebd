/**
 * An error the analyst caused and can fix: shown to them with a hint, never logged as a fault.
 * Anything else that escapes a handler is internal: logged, answered with a generic message.
 */
export class UserError extends Error {
  constructor(
    readonly title: string,
    readonly hint: string,
    readonly usage?: readonly string[],
  ) {
    super(`${title}: ${hint}`);
    this.name = 'UserError';
  }
}
