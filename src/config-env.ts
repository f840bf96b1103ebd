/**
 * The environment variables' schema: what each may hold, its default, and the message when it is
 * wrong (read by `loadConfig` in `config.ts`).
 */
import os from 'node:os';
import { z } from 'zod';
import { DEFAULT_GRAPH_URL, DEFAULT_LOG_ANALYTICS_ENDPOINT, DEFAULT_SNAPSHOT_DIR, DEFAULT_STORE, ENV } from './config-types';
import { DEFAULT_RESOURCE_MANAGER_URL } from './sentinel/arm-client';

/** A whole number from `min` to `max`, `fallback` when unset. */
function wholeNumber(name: string, min: number, max: number, fallback: number) {
  const range = `${name} must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ message: range }).int(range).min(min, range).max(max, range).default(fallback);
}

/** Each environment variable HuntOps reads, parsed on its own. */
export const envSchema = z.object({
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

/** The environment, parsed. */
export type Env = z.infer<typeof envSchema>;
