/**
 * The configuration's shape: the names of the environment variables, the defaults, the types of a
 * {@link Config} and the {@link ConfigError} start-up stops with (read by `config.ts`).
 */
import path from 'node:path';
import type { HuntWindow } from './hunt/window';
import type { StoreSpec } from './store/open-store';

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
