/**
 * Opens the store named by `HUNT_STORE`: `sqlite:<path>` (the embedded default) or
 * `azuretables:<connection string>` (several bot instances). The connection string is a secret: no
 * error or description made here contains it.
 */
import { resolve } from 'node:path';
import { TableStore } from './azure/table-store';
import { SqliteStore } from './sqlite/sqlite-store';
import type { Store, StoreOptions } from './store';
import { StoreError } from './store-error';

/** A parsed store spec. */
export type StoreSpec =
  | { readonly kind: 'sqlite'; readonly path: string }
  | {
      readonly kind: 'azuretables';
      readonly connectionString: string;
      /** The table endpoint's host (for logs: not a secret). */
      readonly host: string;
      /** Plain http, allowed only to a loopback endpoint (Azurite). */
      readonly insecure: boolean;
    };

/** Options of {@link openStore}. */
export interface OpenStoreOptions extends StoreOptions {
  /** Azure: prefix of the table names (default `huntops`). */
  readonly tablePrefix?: string;
  /** SQLite: `normal` (default, durable across a killed process) or `full` (across a power cut too); see `SqliteStore`. */
  readonly synchronous?: 'full' | 'normal';
}

const USAGE = 'HUNT_STORE must be sqlite:<path> or azuretables:<connection string>';

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function parseConnectionString(text: string): StoreSpec {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new StoreError('invalid', 'HUNT_STORE azuretables: the connection string is not a list of Name=value pairs separated by ;');
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (fields.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    return { kind: 'azuretables', connectionString: text, host: '127.0.0.1:10002', insecure: true };
  }
  const missing: string[] = [];
  if (!fields.get('accountkey') && !fields.get('sharedaccesssignature')) missing.push('AccountKey or SharedAccessSignature');
  const tableEndpoint = fields.get('tableendpoint');
  const account = fields.get('accountname');
  if (!tableEndpoint && !account) missing.push('AccountName or TableEndpoint');
  if (missing.length > 0) throw new StoreError('invalid', `HUNT_STORE azuretables: the connection string lacks ${missing.join(' and ')}`);
  let endpoint: URL;
  try {
    const protocol = fields.get('defaultendpointsprotocol') ?? 'https';
    endpoint = new URL(tableEndpoint ?? `${protocol}://${account}.table.${fields.get('endpointsuffix') ?? 'core.windows.net'}`);
  } catch {
    throw new StoreError('invalid', 'HUNT_STORE azuretables: the table endpoint is not a URL');
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    throw new StoreError('invalid', 'HUNT_STORE azuretables: the table endpoint must be https');
  }
  const insecure = endpoint.protocol === 'http:';
  if (insecure && !isLoopback(endpoint.hostname)) {
    throw new StoreError('invalid', `HUNT_STORE azuretables: plain http is allowed only to a loopback endpoint (Azurite), not ${endpoint.host}`);
  }
  return { kind: 'azuretables', connectionString: text, host: endpoint.host, insecure };
}

/** Parses a store spec; rejects `invalid` with a message that never repeats the connection string. */
export function parseStoreSpec(spec: string): StoreSpec {
  const colon = spec.indexOf(':');
  const scheme = colon < 0 ? '' : spec.slice(0, colon).trim().toLowerCase();
  const rest = spec.slice(colon + 1).trim();
  if (scheme === 'sqlite') {
    if (rest === '') throw new StoreError('invalid', `${USAGE}: the sqlite path is empty`);
    if (rest.startsWith('//')) throw new StoreError('invalid', `${USAGE}: write sqlite:/absolute/path or sqlite:relative/path, not a URL`);
    return { kind: 'sqlite', path: rest === ':memory:' ? rest : resolve(rest) };
  }
  if (scheme === 'azuretables') {
    if (rest === '') throw new StoreError('invalid', `${USAGE}: the connection string is empty`);
    return parseConnectionString(rest);
  }
  const shown = /^[a-z][a-z0-9+.-]{0,20}$/.test(scheme) ? ` (not '${scheme}:')` : '';
  throw new StoreError('invalid', `${USAGE}${shown}`);
}

/** A description of a spec fit for logs: the kind and the file or the endpoint host. */
export function describeStoreSpec(spec: StoreSpec): string {
  return spec.kind === 'sqlite' ? `sqlite ${spec.path}` : `azuretables ${spec.host}`;
}

/** Opens the store a spec names, creating the file or tables if missing. */
export async function openStore(spec: string, options: OpenStoreOptions = {}): Promise<Store> {
  return openParsedStore(parseStoreSpec(spec), options);
}

/** Opens the store of an already parsed spec (the configuration holds one). */
export async function openParsedStore(parsed: StoreSpec, options: OpenStoreOptions = {}): Promise<Store> {
  if (parsed.kind === 'sqlite') return SqliteStore.open(parsed.path, options);
  try {
    return await TableStore.open(parsed.connectionString, { ...options, allowInsecureConnection: parsed.insecure });
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('invalid', 'HUNT_STORE azuretables: the Azure SDK did not accept the connection string');
  }
}
