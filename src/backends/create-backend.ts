/**
 * The configured backend.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { SAMPLE_DATA_DIR, type BackendConfig } from '../config';
import type { Backend } from './backend';
import { createLocalBackend } from './local';
import { createLogAnalyticsBackend } from './log-analytics';

/** Builds the backend a configuration names. */
export function createBackend(config: BackendConfig): Backend {
  switch (config.kind) {
    case 'local':
      return createLocalBackend({
        dataDir: config.dataDir,
        maxWindow: config.maxWindow,
        label: config.dataDir === SAMPLE_DATA_DIR ? 'sample data' : `local files in ${config.dataDir}`,
      });
    case 'loganalytics':
      return createLogAnalyticsBackend({
        workspaceId: config.workspaceId,
        endpoint: config.endpoint,
        credential: new DefaultAzureCredential(),
      });
  }
}
