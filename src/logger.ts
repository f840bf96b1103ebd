/**
 * Structured JSON logs (pino) with secrets redacted wherever they might appear (`log-redaction.ts`:
 * by name and in text at any depth of the logged fields, errors and requests included; in text in
 * the message and the rest of the line), and one id per turn: every line
 * written while a turn is handled — and by the work it starts, such as a hunt that finishes after
 * the turn — carries that turn's `turnId`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { redactDeep, redactText } from './log-redaction';

const turns = new AsyncLocalStorage<{ readonly turnId: string }>();

/** Runs `work` as one turn: its log lines (and those of what it starts) carry `turnId`. */
export function inTurn<T>(work: () => T, turnId: string = randomUUID()): T {
  return turns.run({ turnId }, work);
}

/**
 * The process's logger; by default to standard output, asynchronously: lines are buffered and
 * written off the event loop (pino's `sync: false`, flushed when the process exits), so that a
 * slow disk or a full pipe never holds up a turn.
 */
export function createLogger(level: pino.LevelWithSilent, destination: pino.DestinationStream = pino.destination({ dest: 1, sync: false })): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'huntops' },
      formatters: { log: (fields) => redactDeep(fields) as Record<string, unknown> },
      serializers: {
        err: redactDeep,
        msg: (message: unknown) => (typeof message === 'string' ? redactText(message) : redactDeep(message)),
      },
      // The last net, over the whole line: child loggers' bindings bypass the formatters above.
      hooks: { streamWrite: redactText },
      // A copy: pino merges each line's fields into what the mixin returns.
      mixin: () => ({ ...turns.getStore() }),
    },
    destination,
  );
}
