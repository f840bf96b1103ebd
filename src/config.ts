/**
 * The environment, read once into one typed, frozen {@link Config}. Every problem is reported at
 * once; secrets never appear in {@link describeConfig}.
 */
import os from 'node:os';
import path from 'node:path';
import { envSchema, type Env } from './config-env';
import {
  ConfigError,
  DEFAULT_GRAPH_URL,
  DEFAULT_LOG_ANALYTICS_ENDPOINT,
  DEFAULT_SNAPSHOT_DIR,
  ENV,
  SAMPLE_DATA_DIR,
  type AccessConfig,
  type BackendConfig,
  type BotAuth,
  type Config,
  type IdList,
  type LocalEngineConfig,
  type RetentionConfig,
  type SentinelConfig,
  type TestBotEndpoints,
  type WatchConfig,
  type WorkspaceConfig,
} from './config-types';
import { isWorkspaceResourceId } from './hunt/portal-links';
import { parseWindow, windowToKql } from './hunt/window';
import { isLoopbackUrl } from './net/canonical-url';
import { DEFAULT_RESOURCE_MANAGER_URL } from './sentinel/arm-client';
import { DEFAULT_EXCLUSIONS_WATCHLIST } from './sentinel/exclusion-item';
import { WATCHLIST_ALIAS } from './sentinel/sentinel-watchlist';
import { describeStoreSpec, parseStoreSpec, type StoreSpec } from './store/open-store';
import { StoreError } from './store/store-error';
import { describeInterval, parseInterval, WATCH_MAX_INTERVAL_MS } from './watch/interval';

export * from './config-types';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
