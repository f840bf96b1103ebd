/**
 * The logging the core needs: structured, leveled. The composition root passes a pino logger;
 * tests pass a recorder.
 */
export interface Log {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** A log that drops everything. */
export const SILENT_LOG: Log = { debug() {}, info() {}, warn() {}, error() {} };
