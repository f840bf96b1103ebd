/**
 * The environment, read once into one typed, frozen {@link Config}. Every problem is reported at
 * once; secrets never appear in {@link describeConfig}.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { isWorkspaceResourceId } from './hunt/portal-links';
import { parseWindow, windowToKql, type HuntWindow } from './hunt/window';
import { isLoopbackUrl } from './net/canonical-url';
import { DEFAULT_RESOURCE_MANAGER_URL } from './sentinel/arm-client';
import { DEFAULT_EXCLUSIONS_WATCHLIST } from './sentinel/exclusion-item';
import { WATCHLIST_ALIAS } from './sentinel/sentinel-watchlist';
import { describeStoreSpec, parseStoreSpec, type StoreSpec } from './store/open-store';
import { StoreError } from './store/store-error';
import { describeInterval, parseInterval, WATCH_MAX_INTERVAL_MS } from './watch/interval';

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
  localTimeout: 'HUNT_LOCAL_TIMEOUT',
  localThreads: 'HUNT_LOCAL_THREADS',
  localWorkerMemory: 'HUNT_LOCAL_WORKER_MEMORY',
  localSnapshotDir: 'HUNT_LOCAL_SNAPSHOT_DIR',
  localLoadWait: 'HUNT_LOCAL_LOAD_WAIT',
  workspaceId: 'LOG_ANALYTICS_WORKSPACE_ID',
  workspaceResourceId: 'LOG_ANALYTICS_WORKSPACE_RESOURCE_ID',
  workspaces: 'LOG_ANALYTICS_WORKSPACES',
  logAnalyticsEndpoint: 'LOG_ANALYTICS_ENDPOINT',
  graphUrl: 'DEFENDER_GRAPH_URL',
  maxDevices: 'HUNT_MAX_DEVICES',
  rulesDir: 'HUNT_RULES_DIR',
  queryTimeout: 'HUNT_QUERY_TIMEOUT',
  logLevel: 'LOG_LEVEL',
  store: 'HUNT_STORE',
  allowedTenants: 'HUNT_ALLOWED_TENANTS',
  responders: 'HUNT_RESPONDERS',
  incidentChannel: 'HUNT_INCIDENT_CHANNEL',
  instanceId: 'HUNT_INSTANCE_ID',
  sentinelWorkspaceResourceId: 'SENTINEL_WORKSPACE_RESOURCE_ID',
  sentinelWatchlist: 'SENTINEL_WATCHLIST',
  resourceManagerUrl: 'AZURE_RESOURCE_MANAGER_URL',
  retention: 'HUNT_RETENTION',
  auditRetention: 'HUNT_AUDIT_RETENTION',
  testOpenIdMetadataUrl: 'HUNT_TEST_OPENID_METADATA_URL',
  testConnectorUrl: 'HUNT_TEST_CONNECTOR_URL',
  watchMinInterval: 'HUNT_WATCH_MIN_INTERVAL',
  watchOverlap: 'HUNT_WATCH_OVERLAP',
  userRate: 'HUNT_USER_RATE',
  pendingPerConversation: 'HUNT_PENDING_PER_CONVERSATION',
  pendingMax: 'HUNT_PENDING_MAX',
  outboxMaxAge: 'HUNT_OUTBOX_MAX_AGE',
} as const;

/** The embedded default store: a SQLite file under the working directory. */
export const DEFAULT_STORE = 'sqlite:.huntops/huntops.db';

/** Where the local backend keeps columnar snapshots of its tables unless told otherwise. */
export const DEFAULT_SNAPSHOT_DIR = '.huntops/snapshots';

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
      /** Test/offline only: local fakes standing in for the Bot Framework's endpoints (loopback URLs). */
      readonly testEndpoints?: TestBotEndpoints;
    };

/**
 * Test/offline only (`HUNT_TEST_OPENID_METADATA_URL`, `HUNT_TEST_CONNECTOR_URL`): loopback fakes of
 * the Bot Framework, so the authenticated bot can be exercised with no network. Never set in production.
 */
export interface TestBotEndpoints {
  /** The OpenID metadata document whose keys sign incoming tokens, instead of login.botframework.com's. */
  readonly openIdMetadataUrl?: string;
  /** One local Bot Connector the bot may post to besides Teams' own service URLs. */
  readonly connectorUrl?: string;
}

/** Default Microsoft Graph root for Defender XDR advanced hunting. */
export const DEFAULT_GRAPH_URL = 'https://graph.microsoft.com/v1.0';

/** One Log Analytics workspace. */
export interface WorkspaceConfig {
  /** The name analysts use: `hunt kaseya 5d in emea`. Absent for the default workspace named only by id. */
  readonly alias?: string;
  readonly workspaceId: string;
  /** Its Azure resource id, for links to the Logs blade. */
  readonly resourceId?: string;
}

/** Where hunts run. */
export type BackendConfig =
  | { readonly kind: 'local'; readonly dataDir: string; readonly maxWindow: HuntWindow; readonly engine: LocalEngineConfig }
  | {
      readonly kind: 'loganalytics';
      readonly endpoint: string;
      /** The first is the default. */
      readonly workspaces: readonly WorkspaceConfig[];
      /** How long the service may run a query (`Prefer: wait`); the client gives up a little later. */
      readonly queryTimeoutSeconds: number;
    }
  | { readonly kind: 'defender'; readonly graphUrl: string; readonly queryTimeoutSeconds: number };

/** How the local backend's engine runs (see `backends/local-engine.ts`). */
export interface LocalEngineConfig {
  /** Queries at once, each on its own thread (default: one per core; they run at a lower priority than the event loop). */
  readonly threads: number;
  /** A query running longer is stopped and fails as a timeout. */
  readonly timeoutSeconds: number;
  /** Heap of each engine thread, MB. */
  readonly workerMemoryMb: number;
  /** Columnar snapshots of loaded tables; absent: none (`off`). */
  readonly snapshotDir?: string;
  /** How long a hunt waits for a table's first load before answering that the data is loading. */
  readonly loadWaitSeconds: number;
}

/** A list of ids, or everyone. */
export type IdList = '*' | readonly string[];

/** Microsoft Sentinel as the system of record: incidents for escalations, a watchlist for exclusions. */
export interface SentinelConfig {
  /** The Sentinel workspace's Azure resource id. */
  readonly workspaceResourceId: string;
  /** The variable it came from: its own, or the Log Analytics workspace's, reused. */
  readonly workspaceFrom: typeof ENV.sentinelWorkspaceResourceId | typeof ENV.workspaceResourceId;
  /** The alias of the watchlist exclusions are mirrored to. */
  readonly watchlist: string;
  /** Azure Resource Manager's root (https), e.g. another cloud's. */
  readonly resourceManagerUrl: string;
}

/** Who may do what. */
export interface AccessConfig {
  /** Tenants whose users may use the bot. */
  readonly allowedTenants: IdList;
  /** Microsoft Entra object ids of those who may exclude and escalate. */
  readonly responders: IdList;
}

/** How watches run. */
export interface WatchConfig {
  /** The shortest interval a watch may have (default 15 minutes; seconds for tests and demos). */
  readonly minIntervalMs: number;
  /** How far each run reaches back into the previous one, for ingestion delay (default 30 minutes). */
  readonly overlapMs: number;
}

/** Per-user limits on hunts, checks and Details (`core/hunt-limits.ts`). */
export interface LimitsConfig {
  /** Requests one user may make in a minute (default 10). */
  readonly userPerMinute: number;
  /** Work pending in one conversation (default 10). */
  readonly pendingPerConversation: number;
  /** Work pending in all (default 50). */
  readonly pendingTotal: number;
}

/** How Teams posts (escalations, closing notes, watches' posts) are delivered. */
export interface OutboxConfig {
  /** How long a Teams post may stay unsent before it is given up, audited and an incident's channel told (default 24 hours). */
  readonly maxAgeMs: number;
}

/** How long the store keeps records (`Store.purge`, run by the retention scheduler). */
export interface RetentionConfig {
  /** Hunts, their findings, and delivered or dead outbox posts (`HUNT_RETENTION`, default 90 days). */
  readonly huntsMs: number;
  /** Audit entries (`HUNT_AUDIT_RETENTION`, default 365 days). */
  readonly auditMs: number;
}

/** Everything HuntOps is configured with. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly bot: BotAuth;
  readonly backend: BackendConfig;
  /** Most devices a hunt brings back (the rest are counted, "showing N of M"). */
  readonly maxDevices: number;
  /** A folder of the user's own Sentinel-format hunting rules. */
  readonly rulesDir?: string;
  readonly store: StoreSpec;
  readonly access: AccessConfig;
  /** The incident channel's id (`19:…@thread.tacv2`) when set by configuration rather than in chat. */
  readonly incidentChannel?: string;
  /** Names this bot instance in the store (its own interrupted hunts are recovered at start-up). */
  readonly instanceId: string;
  /** Set when escalations and exclusions go to Microsoft Sentinel too. */
  readonly sentinel?: SentinelConfig;
  readonly retention: RetentionConfig;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly watch: WatchConfig;
  readonly limits: LimitsConfig;
  readonly outbox: OutboxConfig;
}

/** Start-up stops with this, listing every problem. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A whole number from `min` to `max`, `fallback` when unset. */
function wholeNumber(name: string, min: number, max: number, fallback: number) {
  const range = `${name} must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ message: range }).int(range).min(min, range).max(max, range).default(fallback);
}

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
    .enum(['local', 'loganalytics', 'defender'], { message: `${ENV.backend} must be local, loganalytics or defender` })
    .default('local'),
  [ENV.dataDir]: z.string().trim().min(1).optional(),
  [ENV.localMaxWindow]: z.string().trim().default('90d'),
  [ENV.localTimeout]: z.coerce
    .number({ message: `${ENV.localTimeout} must be a number of seconds` })
    .int(`${ENV.localTimeout} must be a whole number of seconds`)
    .min(1, `${ENV.localTimeout} must be between 1 and 3600 of seconds`)
    .max(3600, `${ENV.localTimeout} must be between 1 and 3600 of seconds`)
    .default(60),
  [ENV.localThreads]: z.coerce
    .number({ message: `${ENV.localThreads} must be a number` })
    .int(`${ENV.localThreads} must be a whole number`)
    .min(1, `${ENV.localThreads} must be between 1 and 64`)
    .max(64, `${ENV.localThreads} must be between 1 and 64`)
    .optional(),
  [ENV.localWorkerMemory]: z.coerce
    .number({ message: `${ENV.localWorkerMemory} must be a number of MB` })
    .int(`${ENV.localWorkerMemory} must be a whole number of MB`)
    .min(64, `${ENV.localWorkerMemory} must be between 64 and 65536 of MB`)
    .max(65536, `${ENV.localWorkerMemory} must be between 64 and 65536 of MB`)
    .default(1024),
  [ENV.localLoadWait]: z.coerce
    .number({ message: `${ENV.localLoadWait} must be a number of seconds` })
    .int(`${ENV.localLoadWait} must be a whole number of seconds`)
    .min(0, `${ENV.localLoadWait} must be between 0 and 600 of seconds`)
    .max(600, `${ENV.localLoadWait} must be between 0 and 600 of seconds`)
    .default(5),
  [ENV.localSnapshotDir]: z.string().trim().min(1).default(DEFAULT_SNAPSHOT_DIR),
  [ENV.workspaceId]: z.string().trim().optional(),
  [ENV.workspaceResourceId]: z.string().trim().optional(),
  [ENV.workspaces]: z.string().trim().optional(),
  [ENV.logAnalyticsEndpoint]: z.string().trim().default(DEFAULT_LOG_ANALYTICS_ENDPOINT),
  [ENV.graphUrl]: z.string().trim().default(DEFAULT_GRAPH_URL),
  [ENV.maxDevices]: z.coerce
    .number({ message: `${ENV.maxDevices} must be a number` })
    .int(`${ENV.maxDevices} must be a whole number`)
    .min(1, `${ENV.maxDevices} must be between 1 and 100000`)
    .max(100_000, `${ENV.maxDevices} must be between 1 and 100000`)
    .default(500),
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
  [ENV.rulesDir]: z.string().trim().optional(),
  [ENV.retention]: z.string().trim().default('90d'),
  [ENV.auditRetention]: z.string().trim().default('365d'),
  [ENV.queryTimeout]: z.coerce
    .number({ message: `${ENV.queryTimeout} must be a number of seconds` })
    .int(`${ENV.queryTimeout} must be a whole number of seconds`)
    .min(1, `${ENV.queryTimeout} must be between 1 and 600 seconds`)
    .max(600, `${ENV.queryTimeout} must be between 1 and 600 seconds`)
    .default(120),
  [ENV.sentinelWorkspaceResourceId]: z.string().trim().optional(),
  [ENV.sentinelWatchlist]: z.string().trim().optional(),
  [ENV.resourceManagerUrl]: z.string().trim().default(DEFAULT_RESOURCE_MANAGER_URL),
  [ENV.testOpenIdMetadataUrl]: z.string().trim().optional(),
  [ENV.testConnectorUrl]: z.string().trim().optional(),
  [ENV.watchMinInterval]: z.string().trim().default('15m'),
  [ENV.watchOverlap]: z.string().trim().default('30m'),
  [ENV.userRate]: wholeNumber(ENV.userRate, 1, 10_000, 10),
  [ENV.pendingPerConversation]: wholeNumber(ENV.pendingPerConversation, 1, 1_000, 10),
  [ENV.pendingMax]: wholeNumber(ENV.pendingMax, 1, 10_000, 50),
  [ENV.outboxMaxAge]: z.string().trim().default('24h'),
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
  const sentinel = sentinelConfig(e, problems);
  const watch = watchConfig(e, problems);
  const outboxMaxAgeMs = duration(ENV.outboxMaxAge, e[ENV.outboxMaxAge], 10 * 60_000, 7 * 86_400_000, problems);
  const { [ENV.userRate]: userPerMinute, [ENV.pendingPerConversation]: pendingPerConversation, [ENV.pendingMax]: pendingTotal } = e;
  const retention = retentionConfig(e, problems);
  const { [ENV.port]: port, [ENV.logLevel]: logLevel, [ENV.incidentChannel]: incidentChannel, [ENV.instanceId]: instanceId, [ENV.maxDevices]: maxDevices } = e;
  if (
    problems.length > 0 ||
    !backend ||
    !store ||
    !access ||
    !watch ||
    outboxMaxAgeMs === undefined ||
    userPerMinute === undefined ||
    pendingPerConversation === undefined ||
    pendingTotal === undefined ||
    !retention ||
    host === undefined ||
    port === undefined ||
    logLevel === undefined ||
    instanceId === undefined ||
    maxDevices === undefined
  ) {
    throw new ConfigError(problems);
  }
  const rulesDir = e[ENV.rulesDir];
  return Object.freeze({
    host,
    port,
    bot,
    backend,
    maxDevices,
    ...(rulesDir ? { rulesDir: path.resolve(rulesDir) } : {}),
    store,
    access,
    ...(incidentChannel ? { incidentChannel } : {}),
    instanceId,
    ...(sentinel ? { sentinel } : {}),
    retention,
    logLevel,
    watch,
    limits: { userPerMinute, pendingPerConversation, pendingTotal },
    outbox: { maxAgeMs: outboxMaxAgeMs },
  });
}

/** A duration between `min` and `max` milliseconds, or a problem. */
function duration(name: string, text: string | undefined, min: number, max: number, problems: string[]): number | undefined {
  const ms = parseInterval(text ?? '');
  if (ms === undefined || ms < min || ms > max) {
    problems.push(`${name}=${text} must be a duration from ${describeInterval(min)} to ${describeInterval(max)} (e.g. 30s, 15m, 1h)`);
    return undefined;
  }
  return ms;
}

function watchConfig(e: Partial<Env>, problems: string[]): WatchConfig | undefined {
  const minIntervalMs = duration(ENV.watchMinInterval, e[ENV.watchMinInterval], 1_000, WATCH_MAX_INTERVAL_MS, problems);
  const overlapMs = duration(ENV.watchOverlap, e[ENV.watchOverlap], 60_000, 86_400_000, problems);
  return minIntervalMs !== undefined && overlapMs !== undefined ? { minIntervalMs, overlapMs } : undefined;
}

const DAY_MS = 86_400_000;

/** The retention periods: durations written as hunt windows are (`90d`, `52w`, `P365D`), at least a day. */
function retentionConfig(e: Partial<Env>, problems: string[]): RetentionConfig | undefined {
  const period = (name: typeof ENV.retention | typeof ENV.auditRetention): number | undefined => {
    const text = e[name];
    if (text === undefined) return undefined;
    const ms = parseWindow(text)?.ms;
    if (ms === undefined || ms < DAY_MS) {
      problems.push(`${name}=${text} must be a period of at least a day, such as 90d, 52w or P365D`);
      return undefined;
    }
    return ms;
  };
  const huntsMs = period(ENV.retention);
  const auditMs = period(ENV.auditRetention);
  return huntsMs && auditMs ? { huntsMs, auditMs } : undefined;
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

/** `*` (unless `everyone: false`) or GUIDs separated by commas, spaces or semicolons. */
function idList(name: string, text: string, problems: string[], options: { readonly everyone?: boolean } = {}): IdList | undefined {
  const everyone = options.everyone ?? true;
  if (everyone && text === '*') return '*';
  const ids = text.split(/[\s,;]+/).filter(Boolean);
  const bad = ids.filter((id) => !GUID.test(id));
  if (bad.length > 0 || ids.length === 0) {
    problems.push(`${name} must be ${everyone ? '* or ' : ''}a list of GUIDs separated by commas${bad.length ? ` (not ${bad.slice(0, 3).join(', ')})` : ''}`);
    return undefined;
  }
  return ids.map((id) => id.toLowerCase());
}

/**
 * Secure by default: anonymous (local) use lets everyone in; with an app registration the tenants
 * must be named — `*` is refused — (a single-tenant app defaults to its own) and nobody may exclude
 * or escalate until responders are named.
 */
function accessConfig(e: Partial<Env>, bot: BotAuth, problems: string[]): AccessConfig | undefined {
  const tenantsText = e[ENV.allowedTenants];
  const respondersText = e[ENV.responders];
  let allowedTenants: IdList | undefined;
  if (bot.mode === 'anonymous') allowedTenants = tenantsText === undefined ? '*' : idList(ENV.allowedTenants, tenantsText, problems);
  else if (tenantsText === '*') {
    problems.push(
      `${ENV.allowedTenants}=* is refused with ${ENV.appId}: any Microsoft 365 tenant could hunt this organisation's telemetry; list the tenant ids allowed to use the bot`,
    );
  } else if (tenantsText !== undefined) allowedTenants = idList(ENV.allowedTenants, tenantsText, problems, { everyone: false });
  else if (bot.tenantId) allowedTenants = [bot.tenantId.toLowerCase()];
  else if (bot.appType === 'MultiTenant') problems.push(`${ENV.allowedTenants} is needed with a multi-tenant ${ENV.appId}: the tenant ids allowed to use the bot`);
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
    for (const name of [ENV.testOpenIdMetadataUrl, ENV.testConnectorUrl] as const) {
      if (e[name]) problems.push(`${name} is set but ${ENV.appId} is not (anonymous mode validates no token and posts to loopback only)`);
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
  const testEndpoints = testBotEndpoints(e, problems);
  return { mode: 'app', appId, appType, ...(password ? { password } : {}), ...(tenantId ? { tenantId } : {}), ...(testEndpoints ? { testEndpoints } : {}) };
}

/** The test-only Bot Framework fakes: loopback URLs, and only with an app id (anonymous mode validates no token). */
function testBotEndpoints(e: Partial<Env>, problems: string[]): TestBotEndpoints | undefined {
  const openIdMetadataUrl = e[ENV.testOpenIdMetadataUrl];
  const connectorUrl = e[ENV.testConnectorUrl];
  for (const [name, value] of [[ENV.testOpenIdMetadataUrl, openIdMetadataUrl], [ENV.testConnectorUrl, connectorUrl]] as const) {
    if (value !== undefined && !isLoopbackUrl(value)) problems.push(`${name} is for offline tests only and must be a loopback http(s) URL (127.0.0.1, ::1 or localhost)`);
  }
  if (!openIdMetadataUrl && !connectorUrl) return undefined;
  return { ...(openIdMetadataUrl ? { openIdMetadataUrl } : {}), ...(connectorUrl ? { connectorUrl } : {}) };
}

const ALIAS = /^[a-z][a-z0-9-]{0,31}$/;

function httpsUrl(name: string, text: string, problems: string[], pathRule?: { test: RegExp; hint: string }): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`${name}=${text} is not a URL`);
    return undefined;
  }
  const before = problems.length;
  if (url.protocol !== 'https:') problems.push(`${name} must use https (the SDK sends a bearer token)`);
  if (pathRule && !pathRule.test.test(url.pathname)) problems.push(`${name} ${pathRule.hint}`);
  return problems.length === before ? text.replace(/\/+$/, '') : undefined;
}

/** `emea=<guid>[@<resource id>], apac=<guid>` → workspaces. */
function workspaceList(text: string, problems: string[]): WorkspaceConfig[] {
  const workspaces: WorkspaceConfig[] = [];
  for (const entry of text.split(',').map((x) => x.trim()).filter(Boolean)) {
    const match = /^([^=\s]+)=([^@\s]+)(?:@(\S+))?$/.exec(entry);
    if (!match) {
      problems.push(`${ENV.workspaces}: '${entry}' is not alias=<workspace id>[@<resource id>]`);
      continue;
    }
    const [, alias, workspaceId, resourceId] = match;
    const before = problems.length;
    if (!ALIAS.test(alias!)) problems.push(`${ENV.workspaces}: alias '${alias}' must be lower-case letters, digits and dashes, starting with a letter`);
    if (!GUID.test(workspaceId!)) problems.push(`${ENV.workspaces}: '${workspaceId}' (${alias}) must be a workspace id (a GUID)`);
    if (resourceId && !isWorkspaceResourceId(resourceId)) problems.push(`${ENV.workspaces}: '${resourceId}' (${alias}) is not a workspace resource id`);
    if (workspaces.some((w) => w.alias === alias)) problems.push(`${ENV.workspaces}: alias '${alias}' is given twice`);
    if (problems.length === before) workspaces.push({ alias: alias!, workspaceId: workspaceId!, ...(resourceId ? { resourceId } : {}) });
  }
  return workspaces;
}

function backendConfig(e: Partial<Env>, problems: string[]): BackendConfig | undefined {
  switch (e[ENV.backend]) {
    case undefined:
      return undefined;
    case 'local': {
      const maxWindow = parseWindow(e[ENV.localMaxWindow] ?? '');
      if (!maxWindow) problems.push(`${ENV.localMaxWindow}=${e[ENV.localMaxWindow]} is not a window (e.g. 30d, P90D)`);
      const dataDir = path.resolve(e[ENV.dataDir] ?? SAMPLE_DATA_DIR);
      const snapshots = e[ENV.localSnapshotDir] ?? DEFAULT_SNAPSHOT_DIR;
      const engine: LocalEngineConfig = {
        threads: e[ENV.localThreads] ?? os.availableParallelism(),
        timeoutSeconds: e[ENV.localTimeout] ?? 60,
        workerMemoryMb: e[ENV.localWorkerMemory] ?? 1024,
        loadWaitSeconds: e[ENV.localLoadWait] ?? 5,
        ...(snapshots === 'off' ? {} : { snapshotDir: path.resolve(snapshots) }),
      };
      return maxWindow ? { kind: 'local', dataDir, maxWindow, engine } : undefined;
    }
    case 'defender': {
      const graphUrl = httpsUrl(ENV.graphUrl, e[ENV.graphUrl] ?? DEFAULT_GRAPH_URL, problems);
      const queryTimeoutSeconds = e[ENV.queryTimeout];
      return graphUrl && queryTimeoutSeconds ? { kind: 'defender', graphUrl, queryTimeoutSeconds } : undefined;
    }
    case 'loganalytics': {
      const before = problems.length;
      const workspaces = workspaceList(e[ENV.workspaces] ?? '', problems);
      const workspaceId = e[ENV.workspaceId];
      const resourceId = e[ENV.workspaceResourceId];
      if (workspaceId !== undefined) {
        if (!GUID.test(workspaceId)) problems.push(`${ENV.workspaceId} must be a GUID (the workspace's id, not its name)`);
        if (resourceId !== undefined && !isWorkspaceResourceId(resourceId)) problems.push(`${ENV.workspaceResourceId} is not a workspace resource id`);
        const named = workspaces.findIndex((w) => w.workspaceId.toLowerCase() === workspaceId.toLowerCase());
        if (named >= 0) workspaces.unshift(...workspaces.splice(named, 1));
        else workspaces.unshift({ workspaceId, ...(resourceId ? { resourceId } : {}) });
      } else if (resourceId !== undefined) {
        problems.push(`${ENV.workspaceResourceId} is set but ${ENV.workspaceId} is not`);
      }
      if (workspaces.length === 0 && problems.length === before) problems.push(`${ENV.backend}=loganalytics needs ${ENV.workspaceId} or ${ENV.workspaces}`);
      const endpoint = httpsUrl(ENV.logAnalyticsEndpoint, e[ENV.logAnalyticsEndpoint] ?? DEFAULT_LOG_ANALYTICS_ENDPOINT, problems, {
        test: /\/v1\/?$/,
        hint: 'must end with /v1 (the service root)',
      });
      const queryTimeoutSeconds = e[ENV.queryTimeout];
      return problems.length === before && endpoint && queryTimeoutSeconds ? { kind: 'loganalytics', endpoint, workspaces, queryTimeoutSeconds } : undefined;
    }
  }
}

/**
 * Sentinel, when a workspace is named: `SENTINEL_WORKSPACE_RESOURCE_ID`, or else the Log Analytics
 * workspace's `LOG_ANALYTICS_WORKSPACE_RESOURCE_ID`; `SENTINEL_WORKSPACE_RESOURCE_ID=off` keeps
 * Sentinel out even then.
 */
function sentinelConfig(e: Partial<Env>, problems: string[]): SentinelConfig | undefined {
  const before = problems.length;
  const own = e[ENV.sentinelWorkspaceResourceId];
  const reused = e[ENV.workspaceResourceId];
  const watchlist = e[ENV.sentinelWatchlist];
  const resourceManagerUrl = httpsUrl(ENV.resourceManagerUrl, e[ENV.resourceManagerUrl] ?? DEFAULT_RESOURCE_MANAGER_URL, problems, {
    test: /^\/$/,
    hint: `must be Resource Manager's root, such as ${DEFAULT_RESOURCE_MANAGER_URL}`,
  });
  if (watchlist !== undefined && !WATCHLIST_ALIAS.test(watchlist)) {
    problems.push(`${ENV.sentinelWatchlist}=${watchlist} is not a watchlist alias: 3-64 letters, digits, hyphens and underscores, starting with a letter and ending with a letter or digit`);
  }
  if (own?.toLowerCase() === 'off' || (own === undefined && reused === undefined)) {
    if (watchlist !== undefined) problems.push(`${ENV.sentinelWatchlist} is set but no Sentinel workspace is (${ENV.sentinelWorkspaceResourceId})`);
    return undefined;
  }
  const workspaceResourceId = (own ?? reused)!;
  if (!isWorkspaceResourceId(workspaceResourceId)) {
    if (own !== undefined) problems.push(`${ENV.sentinelWorkspaceResourceId} must be a workspace resource id (/subscriptions/…/resourceGroups/…/providers/Microsoft.OperationalInsights/workspaces/…) or off`);
    else if (e[ENV.backend] !== 'loganalytics') problems.push(`${ENV.workspaceResourceId} is not a workspace resource id (Sentinel uses it unless ${ENV.sentinelWorkspaceResourceId}=off)`);
    return undefined;
  }
  if (problems.length > before || !resourceManagerUrl) return undefined;
  return {
    workspaceResourceId,
    workspaceFrom: own !== undefined ? ENV.sentinelWorkspaceResourceId : ENV.workspaceResourceId,
    watchlist: watchlist ?? DEFAULT_EXCLUSIONS_WATCHLIST,
    resourceManagerUrl,
  };
}

/** A one-line, secret-free summary for the start-up log. */
export function describeConfig(config: Config): Record<string, unknown> {
  const { bot, backend } = config;
  return {
    listen: `${config.host}:${config.port}`,
    bot:
      bot.mode === 'anonymous'
        ? 'anonymous (loopback only)'
        : { appId: bot.appId, appType: bot.appType, tenantId: bot.tenantId, password: bot.password ? '[redacted]' : undefined, testEndpoints: bot.testEndpoints },
    backend,
    maxDevices: config.maxDevices,
    rulesDir: config.rulesDir,
    store: describeStoreSpec(config.store),
    access: config.access,
    incidentChannel: config.incidentChannel,
    instanceId: config.instanceId,
    sentinel: config.sentinel,
    retention: { hunts: windowToKql({ ms: config.retention.huntsMs }), audit: windowToKql({ ms: config.retention.auditMs }) },
    logLevel: config.logLevel,
    watch: config.watch,
    limits: config.limits,
    outbox: config.outbox,
  };
}
