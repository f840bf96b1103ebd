/**
 * Strips credentials and tokens from whatever is about to be logged, at any depth: pino's own
 * `redact` names fixed paths, but secrets arrive in places no path foresees — an SDK error whose
 * `request.headers` carries `Authorization`, an error message that quotes a bearer token, a
 * connection string with a SAS signature inside a `cause`.
 *
 * Two rules, applied to every value reachable from a log line:
 * - a property whose name says it holds a secret ({@link isSecretKey}: `authorization`, `password`,
 *   `client_secret`, `access_token`, `connectionString`, anything ending in `token`, `secret` or
 *   `password`, in any case and spelling) is replaced whole;
 * - every string is scanned for secrets in text ({@link redactText}): `Bearer …`/`Basic …`
 *   credentials, JWTs, and `name=value` pairs of connection strings, URLs and form bodies
 *   (`AccountKey=`, `SharedAccessSignature=`, `sig=`, `client_secret=`, `access_token=`, …).
 *
 * Errors become plain objects (pino's error serializer, causes included) before they are walked;
 * an HTTP request becomes its method, URL and headers; objects with `toJSON` are walked as JSON
 * would see them. Cycles and depth are bounded.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import { RE2JS } from 're2js';

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

const MAX_DEPTH = 12;

/** Property names (lower case, without `-`, `_` and spaces) that always hold a secret. */
const SECRET_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'pwd',
  'passwd',
  'connectionstring',
  'accountkey',
  'sharedaccesskey',
  'sharedaccesssignature',
  'sas',
  'sig',
  'xidentityheader',
  'identityheader',
  'apikey',
  'xapikey',
  'xfunctionskey',
  'ocpapimsubscriptionkey',
  'clientassertion',
  'privatekey',
]);

/** Whether a property with this name holds a secret. */
export function isSecretKey(key: string): boolean {
  const name = key.toLowerCase().replace(/[-_\s]/g, '');
  return SECRET_KEYS.has(name) || name.endsWith('password') || name.endsWith('secret') || name.endsWith('token');
}

/** Names whose `=`/`:` value in text is a secret (connection strings, query strings, form bodies, JSON, headers). */
const SECRET_PAIR = RE2JS.compile(
  String.raw`(?i)\b(AccountKey|SharedAccessKey|SharedAccessSignature|sig|client_secret|client_assertion|access_token|refresh_token|id_token|` +
    String.raw`(?:Microsoft)?App_?Password|password|pwd|api[-_]?key|x-identity-header|x-functions-key|Ocp-Apim-Subscription-Key)` +
    String.raw`(["']?\s*[=:]\s*["']?)[^"'\s;&,}]+`,
);
const AUTH_SCHEME = RE2JS.compile(String.raw`(?i)\b(Bearer|Basic|Digest|Negotiate|SharedKey)(\s+)[A-Za-z0-9._~+/:=-]{6,}`);
const JWT = RE2JS.compile(String.raw`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`);

/** `text` with every match of `pattern` replaced (`$1`, `$2`: its groups). */
function replaceAll(pattern: RE2JS, text: string, replacement: string): string {
  return pattern.test(text) ? pattern.matcher(text).replaceAll(replacement) : text;
}

/**
 * A string with the secrets it quotes replaced (credentials after an auth scheme, JWTs, secret
 * `name=value` pairs). Logged text can be written by the adversary (a device name in an error), so
 * the patterns run on RE2 (re2js), in time linear in the text.
 */
export function redactText(text: string): string {
  const withoutJwts = replaceAll(JWT, text, REDACTED);
  const withoutCredentials = replaceAll(AUTH_SCHEME, withoutJwts, `$1$2${REDACTED}`);
  return replaceAll(SECRET_PAIR, withoutCredentials, `$1$2${REDACTED}`);
}

/** A copy of `value` with every secret in it, at any depth, replaced by {@link REDACTED}. */
export function redactDeep(value: unknown): unknown {
  return walk(value, 0, new WeakSet());
}

function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    return walkObject(plain(value), depth, seen);
  } finally {
    seen.delete(value);
  }
}

/** What of an object is logged: errors, requests and `toJSON` values in the form JSON output would show. */
function plain(value: object): unknown {
  if (value instanceof Error) return pino.stdSerializers.errWithCause(value);
  if (value instanceof IncomingMessage) return pino.stdSerializers.req(value);
  if (value instanceof ServerResponse) return pino.stdSerializers.res(value);
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? (toJSON as () => unknown).call(value) : value;
}

function walkObject(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? redactText(value) : value;
  if (Array.isArray(value)) return value.map((item) => walk(item, depth + 1, seen));
  if (value instanceof Map) return walkEntries([...value.entries()].map(([k, v]) => [String(k), v]), depth, seen);
  if (value instanceof Set) return [...value].map((item) => walk(item, depth + 1, seen));
  const header = headerPair(value);
  if (header) return { name: header.name, value: isSecretKey(header.name) ? REDACTED : redactText(header.value) };
  return walkEntries(Object.entries(value), depth, seen);
}

function walkEntries(entries: ReadonlyArray<readonly [string, unknown]>, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) out[key] = isSecretKey(key) && item !== undefined && item !== null ? REDACTED : walk(item, depth + 1, seen);
  return out;
}

/** A `{ name, value }` header entry (as HTTP clients keep headers in maps). */
function headerPair(value: object): { name: string; value: string } | undefined {
  const { name, value: text, ...rest } = value as { name?: unknown; value?: unknown };
  return typeof name === 'string' && typeof text === 'string' && Object.keys(rest).length === 0 ? { name, value: text } : undefined;
}
