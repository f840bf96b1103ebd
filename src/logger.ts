/**
 * Structured JSON logs (pino) with secrets redacted wherever they might appear.
 */
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

/** The process's logger. */
export function createLogger(level: pino.LevelWithSilent, destination?: pino.DestinationStream): pino.Logger {
  return pino({ level, base: { service: 'huntops' }, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}
