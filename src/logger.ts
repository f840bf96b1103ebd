/**
 * Structured JSON logs (pino) with secrets redacted wherever they might appear, and one id per
 * turn: every line written while a turn is handled — and by the work it starts, such as a hunt that
 * finishes after the turn — carries that turn's `turnId`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino from 'pino';

const REDACT = [
  'password',
  '*.password',
  'MicrosoftAppPassword',
  '*.MicrosoftAppPassword',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'connectionString',
  '*.connectionString',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
];

const turns = new AsyncLocalStorage<{ readonly turnId: string }>();

/** Runs `work` as one turn: its log lines (and those of what it starts) carry `turnId`. */
export function inTurn<T>(work: () => T, turnId: string = randomUUID()): T {
  return turns.run({ turnId }, work);
}

/** The process's logger. */
export function createLogger(level: pino.LevelWithSilent, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'huntops' },
      redact: { paths: REDACT, censor: '[redacted]' },
      // A copy: pino merges each line's fields into what the mixin returns.
      mixin: () => ({ ...turns.getStore() }),
    },
    destination,
  );
}
