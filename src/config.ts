/**
 * The environment, read once into one typed, frozen {@link Config}. Every problem is reported at
 * once; secrets never appear in {@link describeConfig}.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseWindow, type HuntWindow } from './hunt/window';
import { describeStoreSpec, parseStoreSpec, type StoreSpec } from './store/open-store';
import { StoreError } from './store/store-error';

/** Names of the environment variables HuntOps reads. */
export const ENV = {
  host: 'HOST',
  port: 'PORT',
  appId: 'MicrosoftAppId',
  appPassword: 'MicrosoftAppPassword',
  appType: 'MicrosoftAppType',
  appTenantId: 'MicrosoftAppTenantId',
  backend: 'HUNT_BACKEND',
  dataDir: 'HUNT_DATA_DIR',
  localMaxWindow: 'HUNT_LOCAL_MAX_WINDOW',
  workspaceId: 'LOG_ANALYTICS_WORKSPACE_ID',
  logAnalyticsEndpoint: 'LOG_ANALYTICS_ENDPOINT',
  logLevel: 'LOG_LEVEL',
  store: 'HUNT_STORE',
  allowedTenants: 'HUNT_ALLOWED_TENANTS',
  responders: 'HUNT_RESPONDERS',
  incidentChannel: 'HUNT_INCIDENT_CHANNEL',
  instanceId: 'HUNT_INSTANCE_ID',
} as const;

/** The embedded default store: a SQLite file under the working directory. */
export const DEFAULT_STORE = 'sqlite:.huntops/huntops.db';

/** The sample data shipped with the project: the local backend's default. */
export const SAMPLE_DATA_DIR = path.resolve(__dirname, '..', 'data', 'sample');

/** Default Log Analytics service root (the SDK's default, `/v1` included). */
export const DEFAULT_LOG_ANALYTICS_ENDPOINT = 'https://api.loganalytics.io/v1';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** How the bot authenticates to the Bot Framework. */
export type BotAuth =
  | { readonly mode: 'anonymous' }
  | {
      readonly mode: 'app';
      readonly appId: string;
      readonly appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
      readonly password?: string;
      readonly tenantId?: string;
    };

/** Where hunts run. */
export type BackendConfig =
  | { readonly kind: 'local'; readonly dataDir: string; readonly maxWindow: HuntWindow }
  | { readonly kind: 'loganalytics'; readonly workspaceId: string; readonly endpoint: string };

/** A list of ids, or everyone. */
export type IdList = '*' | readonly string[];

/** Who may do what. */
export interface AccessConfig {
  /** Tenants whose users may use the bot. */
  readonly allowedTenants: IdList;
  /** Microsoft Entra object ids of those who may exclude and escalate. */
  readonly responders: IdList;
}

/** Everything HuntOps is configured with. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly bot: BotAuth;
  readonly backend: BackendConfig;
  readonly store: StoreSpec;
  readonly access: AccessConfig;
  /** The incident channel's id (`19:…@thread.tacv2`) when set by configuration rather than in chat. */
  readonly incidentChannel?: string;
  /** Names this bot instance in the store (its own interrupted hunts are recovered at start-up). */
  readonly instanceId: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

/** Start-up stops with this, listing every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const envSchema = z.object({
  [ENV.host]: z.string().trim().min(1).default('127.0.0.1'),
  [ENV.port]: z.coerce
    .number({ message: `${ENV.port} must be a number` })
    .int(`${ENV.port} must be a whole number`)
    .min(0, `${ENV.port} must be between 0 and 65535`)
    .max(65535, `${ENV.port} must be between 0 and 65535`)
    .default(3978),
  [ENV.appId]: z.string().trim().optional(),
  [ENV.appPassword]: z.string().optional(),
  [ENV.appType]: z
    .enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], {
      message: `${ENV.appType} must be MultiTenant, SingleTenant or UserAssignedMSI`,
    })
    .optional(),
  [ENV.appTenantId]: z.string().trim().optional(),
  [ENV.backend]: z
    .enum(['local', 'loganalytics'], { message: `${ENV.backend} must be local or loganalytics` })
    .default('local'),
  [ENV.dataDir]: z.string().trim().min(1).optional(),
  [ENV.localMaxWindow]: z.string().trim().default('90d'),
  [ENV.workspaceId]: z.string().trim().optional(),
  [ENV.logAnalyticsEndpoint]: z.string().trim().default(DEFAULT_LOG_ANALYTICS_ENDPOINT),
  [ENV.logLevel]: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: `${ENV.logLevel} must be one of fatal, error, warn, info, debug, trace, silent`,
    })
    .default('info'),
  [ENV.store]: z.string().trim().default(DEFAULT_STORE),
  [ENV.allowedTenants]: z.string().trim().optional(),
  [ENV.responders]: z.string().trim().optional(),
  [ENV.incidentChannel]: z
    .string()
    .trim()
    .regex(/^19:[^;\s]+@thread\.(tacv2|skype)$/, `${ENV.incidentChannel} must be a channel id such as 19:abc…@thread.tacv2`)
    .optional(),
  [ENV.instanceId]: z.string().trim().max(128).default(os.hostname()),
});

/** Reads the configuration from an environment (default: the process's), once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const e: Partial<Env> = {};
  for (const [key, schema] of Object.entries(envSchema.shape)) {
    const raw = env[key]?.trim() ? env[key] : undefined;
    const parsed = schema.safeParse(raw);
    if (parsed.success) Object.assign(e, { [key]: parsed.data });
    else problems.push(...parsed.error.issues.map((issue) => issue.message));
  }
  const bot = botAuth(e, problems);
  const host = e[ENV.host];
  if (bot.mode === 'anonymous' && host !== undefined && !LOOPBACK.has(host)) {
    problems.push(
      `${ENV.host}=${host}: without ${ENV.appId} the bot runs anonymous and only listens on loopback (127.0.0.1, ::1 or localhost)`,
    );
  }
  const backend = backendConfig(e, problems);
  const store = storeSpec(e[ENV.store], problems);
  const access = accessConfig(e, bot, problems);
  const { [ENV.port]: port, [ENV.logLevel]: logLevel, [ENV.incidentChannel]: incidentChannel, [ENV.instanceId]: instanceId } = e;
  if (problems.length > 0 || !backend || !store || !access || host === undefined || port === undefined || logLevel === undefined || instanceId === undefined) {
    throw new ConfigError(problems);
  }
  return Object.freeze({ host, port, bot, backend, store, access, ...(incidentChannel ? { incidentChannel } : {}), instanceId, logLevel });
}

function storeSpec(spec: string | undefined, problems: string[]): StoreSpec | undefined {
  if (spec === undefined) return undefined;
  try {
    return parseStoreSpec(spec);
  } catch (error) {
    problems.push(error instanceof StoreError ? error.message : `${ENV.store} is not valid`);
    return undefined;
  }
}

function idList(name: string, text: string, problems: string[]): IdList | undefined {
  if (text === '*') return '*';
  const ids = text.split(/[\s,;]+/).filter(Boolean);
  const bad = ids.filter((id) => !GUID.test(id));
  if (bad.length > 0 || ids.length === 0) {
    problems.push(`${name} must be * or a list of GUIDs separated by commas${bad.length ? ` (not ${bad.slice(0, 3).join(', ')})` : ''}`);
    return undefined;
  }
  return ids.map((id) => id.toLowerCase());
}

/**
 * Secure by default: anonymous (local) use lets everyone in; with an app registration the tenants
 * must be named (a single-tenant app defaults to its own) and nobody may exclude or escalate until
 * responders are named.
 */
function accessConfig(e: Partial<Env>, bot: BotAuth, problems: string[]): AccessConfig | undefined {
  const tenantsText = e[ENV.allowedTenants];
  const respondersText = e[ENV.responders];
  let allowedTenants: IdList | undefined;
  if (tenantsText !== undefined) allowedTenants = idList(ENV.allowedTenants, tenantsText, problems);
  else if (bot.mode === 'anonymous') allowedTenants = '*';
  else if (bot.tenantId) allowedTenants = [bot.tenantId.toLowerCase()];
  else if (bot.appType === 'MultiTenant') problems.push(`${ENV.allowedTenants} is needed with a multi-tenant ${ENV.appId}: the tenant ids allowed to use the bot, or *`);
  let responders: IdList | undefined;
  if (respondersText !== undefined) responders = idList(ENV.responders, respondersText, problems);
  else responders = bot.mode === 'anonymous' ? '*' : [];
  return allowedTenants && responders ? { allowedTenants, responders } : undefined;
}

type Env = z.infer<typeof envSchema>;

function botAuth(e: Partial<Env>, problems: string[]): BotAuth {
  const appId = e[ENV.appId];
  if (!appId) {
    for (const name of [ENV.appPassword, ENV.appType, ENV.appTenantId] as const) {
      if (e[name]) problems.push(`${name} is set but ${ENV.appId} is not`);
    }
    return { mode: 'anonymous' };
  }
  if (!GUID.test(appId)) problems.push(`${ENV.appId} must be a GUID (the bot's Microsoft Entra app id)`);
  const appType = e[ENV.appType] ?? 'MultiTenant';
  const tenantId = e[ENV.appTenantId];
  const password = e[ENV.appPassword];
  if (tenantId && !GUID.test(tenantId)) problems.push(`${ENV.appTenantId} must be a GUID`);
  if (appType !== 'MultiTenant' && !tenantId) problems.push(`${ENV.appType}=${appType} needs ${ENV.appTenantId}`);
  if (appType === 'UserAssignedMSI' && password) problems.push(`${ENV.appType}=UserAssignedMSI takes no ${ENV.appPassword}`);
  if (appType !== 'UserAssignedMSI' && !password) problems.push(`${ENV.appId} is set but ${ENV.appPassword} is not`);
  return { mode: 'app', appId, appType, ...(password ? { password } : {}), ...(tenantId ? { tenantId } : {}) };
}

function backendConfig(e: Partial<Env>, problems: string[]): BackendConfig | undefined {
  if (e[ENV.backend] === undefined) return undefined;
  if (e[ENV.backend] === 'local') {
    const maxWindow = parseWindow(e[ENV.localMaxWindow] ?? '');
    if (!maxWindow) problems.push(`${ENV.localMaxWindow}=${e[ENV.localMaxWindow]} is not a window (e.g. 30d, P90D)`);
    const dataDir = path.resolve(e[ENV.dataDir] ?? SAMPLE_DATA_DIR);
    return maxWindow ? { kind: 'local', dataDir, maxWindow } : undefined;
  }
  const workspaceId = e[ENV.workspaceId];
  if (!workspaceId) problems.push(`${ENV.backend}=loganalytics needs ${ENV.workspaceId}`);
  else if (!GUID.test(workspaceId)) problems.push(`${ENV.workspaceId} must be a GUID (the workspace's id, not its name)`);
  const endpoint = e[ENV.logAnalyticsEndpoint] ?? DEFAULT_LOG_ANALYTICS_ENDPOINT;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    problems.push(`${ENV.logAnalyticsEndpoint}=${endpoint} is not a URL`);
  }
  if (url && url.protocol !== 'https:') problems.push(`${ENV.logAnalyticsEndpoint} must use https (the SDK sends a bearer token)`);
  if (url && !/\/v1\/?$/.test(url.pathname)) problems.push(`${ENV.logAnalyticsEndpoint} must end with /v1 (the service root)`);
  return workspaceId && url ? { kind: 'loganalytics', workspaceId, endpoint: endpoint.replace(/\/+$/, '') } : undefined;
}

/** A one-line, secret-free summary for the start-up log. */
export function describeConfig(config: Config): Record<string, unknown> {
  const { bot, backend } = config;
  return {
    listen: `${config.host}:${config.port}`,
    bot: bot.mode === 'anonymous' ? 'anonymous (loopback only)' : { appId: bot.appId, appType: bot.appType, tenantId: bot.tenantId, password: bot.password ? '[redacted]' : undefined },
    backend,
    store: describeStoreSpec(config.store),
    access: config.access,
    incidentChannel: config.incidentChannel,
    instanceId: config.instanceId,
    logLevel: config.logLevel,
  };
}
