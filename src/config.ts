/**
 * The environment, read once into one typed, frozen {@link Config}. Every problem is reported at
 * once; secrets never appear in {@link describeConfig}.
 */
import path from 'node:path';
import { z } from 'zod';
import { parseWindow, type HuntWindow } from './hunt/window';

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
} as const;

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

/** Everything HuntOps is configured with. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly bot: BotAuth;
  readonly backend: BackendConfig;
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
  const { [ENV.port]: port, [ENV.logLevel]: logLevel } = e;
  if (problems.length > 0 || !backend || host === undefined || port === undefined || logLevel === undefined) {
    throw new ConfigError(problems);
  }
  return Object.freeze({ host, port, bot, backend, logLevel });
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
    logLevel: config.logLevel,
  };
}
