import os from 'node:os';
import path from 'node:path';
import { ConfigError, describeConfig, loadConfig, SAMPLE_DATA_DIR } from '../src/config';

const APP_ID = '00000000-1111-2222-3333-444444444444';
const TENANT = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

function problems(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('configuration was accepted');
}

describe('loadConfig', () => {
  test('nothing configured: anonymous, loopback, local backend with the sample data, SQLite, everyone may respond', () => {
    const config = loadConfig({});
    expect(config).toEqual({
      host: '127.0.0.1',
      port: 3978,
      bot: { mode: 'anonymous' },
      backend: {
        kind: 'local',
        dataDir: SAMPLE_DATA_DIR,
        maxWindow: { ms: 90 * 86_400_000 },
        engine: { threads: os.availableParallelism(), timeoutSeconds: 60, workerMemoryMb: 1024, loadWaitSeconds: 5, snapshotDir: path.resolve('.huntops/snapshots') },
      },
      maxDevices: 500,
      store: { kind: 'sqlite', path: path.resolve('.huntops/huntops.db') },
      access: { allowedTenants: '*', responders: '*' },
      instanceId: os.hostname(),
      retention: { huntsMs: 90 * 86_400_000, auditMs: 365 * 86_400_000 },
      logLevel: 'info',
      watch: { minIntervalMs: 15 * 60_000, overlapMs: 30 * 60_000 },
      limits: { userPerMinute: 10, pendingPerConversation: 10, pendingTotal: 50 },
      outbox: { maxAgeMs: 24 * 3_600_000 },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('per-user limits and the outbox age: whole numbers and a duration, each checked', () => {
    const config = loadConfig({ HUNT_USER_RATE: '30', HUNT_PENDING_PER_CONVERSATION: '3', HUNT_PENDING_MAX: '100', HUNT_OUTBOX_MAX_AGE: '6h' });
    expect(config.limits).toEqual({ userPerMinute: 30, pendingPerConversation: 3, pendingTotal: 100 });
    expect(config.outbox).toEqual({ maxAgeMs: 6 * 3_600_000 });
    expect(problems({ HUNT_USER_RATE: 'lots', HUNT_PENDING_PER_CONVERSATION: '0', HUNT_PENDING_MAX: '2.5', HUNT_OUTBOX_MAX_AGE: '1m' })).toEqual([
      'HUNT_USER_RATE must be a whole number from 1 to 10000',
      'HUNT_PENDING_PER_CONVERSATION must be a whole number from 1 to 1000',
      'HUNT_PENDING_MAX must be a whole number from 1 to 10000',
      'HUNT_OUTBOX_MAX_AGE=1m must be a duration from 10 minutes to 7 days (e.g. 30s, 15m, 1h)',
    ]);
  });

  test('watches: the shortest interval goes down to seconds for demos, the overlap is minutes', () => {
    expect(loadConfig({ HUNT_WATCH_MIN_INTERVAL: '5s', HUNT_WATCH_OVERLAP: 'PT10M' }).watch).toEqual({ minIntervalMs: 5_000, overlapMs: 10 * 60_000 });
    expect(problems({ HUNT_WATCH_MIN_INTERVAL: 'often', HUNT_WATCH_OVERLAP: '10s' })).toEqual([
      'HUNT_WATCH_MIN_INTERVAL=often must be a duration from 1 second to 7 days (e.g. 30s, 15m, 1h)',
      'HUNT_WATCH_OVERLAP=10s must be a duration from 1 minute to 1 day (e.g. 30s, 15m, 1h)',
    ]);
    expect(problems({ HUNT_WATCH_MIN_INTERVAL: '8d' })).toEqual([expect.stringMatching(/^HUNT_WATCH_MIN_INTERVAL=8d must be/)]);
  });

  test('blank values count as unset', () => {
    expect(loadConfig({ PORT: '', MicrosoftAppId: '  ', HUNT_BACKEND: '' }).bot).toEqual({ mode: 'anonymous' });
  });

  test('an app registration with password', () => {
    const config = loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 's3cret', HOST: '0.0.0.0', PORT: '8080', HUNT_ALLOWED_TENANTS: TENANT });
    expect(config.bot).toEqual({ mode: 'app', appId: APP_ID, appType: 'MultiTenant', password: 's3cret' });
    expect(config.host).toBe('0.0.0.0');
    expect(JSON.stringify(describeConfig(config))).not.toContain('s3cret');
  });

  test('user-assigned managed identity needs a tenant and no password', () => {
    expect(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: TENANT }).bot).toEqual({
      mode: 'app',
      appId: APP_ID,
      appType: 'UserAssignedMSI',
      tenantId: TENANT,
    });
  });

  test('every problem is listed at once', () => {
    const listed = problems({
      PORT: 'eighty',
      HOST: '0.0.0.0',
      HUNT_BACKEND: 'splunk',
      LOG_LEVEL: 'loud',
      MicrosoftAppPassword: 'x',
    });
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/PORT must be a number/),
        expect.stringMatching(/HUNT_BACKEND must be local, loganalytics or defender/),
        expect.stringMatching(/LOG_LEVEL must be one of/),
        expect.stringMatching(/MicrosoftAppPassword is set but MicrosoftAppId is not/),
        expect.stringMatching(/HOST=0\.0\.0\.0: without MicrosoftAppId .* only listens on loopback/),
      ]),
    );
    expect(listed).toHaveLength(5);
  });

  test('anonymous mode refuses anything but loopback', () => {
    expect(problems({ HOST: '10.0.0.5' })).toEqual([expect.stringMatching(/loopback/)]);
    expect(loadConfig({ HOST: '::1' }).host).toBe('::1');
    expect(loadConfig({ HOST: 'localhost' }).host).toBe('localhost');
  });

  test('app registration problems', () => {
    expect(problems({ MicrosoftAppId: 'not-a-guid', MicrosoftAppPassword: 'x', HUNT_ALLOWED_TENANTS: TENANT })).toEqual([expect.stringMatching(/GUID/)]);
    expect(problems({ MicrosoftAppId: APP_ID, HUNT_ALLOWED_TENANTS: TENANT })).toEqual([expect.stringMatching(/MicrosoftAppPassword is not/)]);
    expect(problems({ MicrosoftAppId: APP_ID, MicrosoftAppType: 'SingleTenant', MicrosoftAppPassword: 'x' })).toEqual([
      expect.stringMatching(/needs MicrosoftAppTenantId/),
    ]);
    expect(problems({ MicrosoftAppId: APP_ID, MicrosoftAppType: 'Personal', MicrosoftAppPassword: 'x', HUNT_ALLOWED_TENANTS: TENANT })).toEqual([
      expect.stringMatching(/MicrosoftAppType must be/),
    ]);
  });

  test('local backend options', () => {
    const config = loadConfig({
      HUNT_DATA_DIR: 'some/dir',
      HUNT_LOCAL_MAX_WINDOW: '30d',
      HUNT_LOCAL_TIMEOUT: '15',
      HUNT_LOCAL_THREADS: '3',
      HUNT_LOCAL_WORKER_MEMORY: '512',
      HUNT_LOCAL_LOAD_WAIT: '0',
      HUNT_LOCAL_SNAPSHOT_DIR: 'cache/columns',
    });
    expect(config.backend).toEqual({
      kind: 'local',
      dataDir: path.resolve('some/dir'),
      maxWindow: { ms: 30 * 86_400_000 },
      engine: { threads: 3, timeoutSeconds: 15, workerMemoryMb: 512, loadWaitSeconds: 0, snapshotDir: path.resolve('cache/columns') },
    });
    expect(loadConfig({ HUNT_LOCAL_SNAPSHOT_DIR: 'off' }).backend).not.toHaveProperty('engine.snapshotDir');
    expect(problems({ HUNT_LOCAL_MAX_WINDOW: 'forever' })).toEqual([expect.stringMatching(/HUNT_LOCAL_MAX_WINDOW=forever is not a window/)]);
    expect(problems({ HUNT_LOCAL_TIMEOUT: '0', HUNT_LOCAL_THREADS: 'many', HUNT_LOCAL_WORKER_MEMORY: '8' })).toEqual([
      expect.stringMatching(/HUNT_LOCAL_TIMEOUT must be between 1 and 3600/),
      expect.stringMatching(/HUNT_LOCAL_THREADS must be a number/),
      expect.stringMatching(/HUNT_LOCAL_WORKER_MEMORY must be between 64 and 65536/),
    ]);
  });

  test('Log Analytics needs a workspace id, and an https endpoint ending in /v1', () => {
    expect(problems({ HUNT_BACKEND: 'loganalytics' })).toEqual([expect.stringMatching(/needs LOG_ANALYTICS_WORKSPACE_ID or LOG_ANALYTICS_WORKSPACES/)]);
    expect(problems({ HUNT_BACKEND: 'loganalytics', LOG_ANALYTICS_WORKSPACE_ID: 'my-workspace' })).toEqual([expect.stringMatching(/must be a GUID/)]);
    expect(
      problems({ HUNT_BACKEND: 'loganalytics', LOG_ANALYTICS_WORKSPACE_ID: TENANT, LOG_ANALYTICS_ENDPOINT: 'http://127.0.0.1:9/v2' }),
    ).toEqual([expect.stringMatching(/must use https/), expect.stringMatching(/must end with \/v1/)]);
    expect(loadConfig({ HUNT_BACKEND: 'loganalytics', LOG_ANALYTICS_WORKSPACE_ID: TENANT }).backend).toEqual({
      kind: 'loganalytics',
      endpoint: 'https://api.loganalytics.io/v1',
      workspaces: [{ workspaceId: TENANT }],
      queryTimeoutSeconds: 120,
    });
  });

  test('several workspaces by alias; the first (or the one named by id) is the default', () => {
    const resourceId = '/subscriptions/0000/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/emea-ws';
    const config = loadConfig({
      HUNT_BACKEND: 'loganalytics',
      LOG_ANALYTICS_WORKSPACES: `apac=${APP_ID}, emea=${TENANT}@${resourceId}`,
      LOG_ANALYTICS_WORKSPACE_ID: TENANT,
      HUNT_QUERY_TIMEOUT: '30',
    });
    expect(config.backend).toEqual({
      kind: 'loganalytics',
      endpoint: 'https://api.loganalytics.io/v1',
      workspaces: [
        { alias: 'emea', workspaceId: TENANT, resourceId },
        { alias: 'apac', workspaceId: APP_ID },
      ],
      queryTimeoutSeconds: 30,
    });
    expect(problems({ HUNT_BACKEND: 'loganalytics', LOG_ANALYTICS_WORKSPACES: `EMEA=${TENANT},x=y,emea=${TENANT},emea=${APP_ID}@/nope` })).toEqual([
      expect.stringMatching(/alias 'EMEA' must be lower-case/),
      expect.stringMatching(/'y' \(x\) must be a workspace id/),
      expect.stringMatching(/'\/nope' \(emea\) is not a workspace resource id/),
      expect.stringMatching(/alias 'emea' is given twice/),
    ]);
  });

  test('Defender XDR through Microsoft Graph', () => {
    expect(loadConfig({ HUNT_BACKEND: 'defender' }).backend).toEqual({ kind: 'defender', graphUrl: 'https://graph.microsoft.com/v1.0', queryTimeoutSeconds: 120 });
    expect(problems({ HUNT_BACKEND: 'defender', DEFENDER_GRAPH_URL: 'http://graph.local/v1.0' })).toEqual([expect.stringMatching(/DEFENDER_GRAPH_URL must use https/)]);
    expect(problems({ HUNT_QUERY_TIMEOUT: '0', HUNT_MAX_DEVICES: 'lots' })).toEqual([
      expect.stringMatching(/HUNT_MAX_DEVICES must be a number/),
      expect.stringMatching(/HUNT_QUERY_TIMEOUT must be between 1 and 600 seconds/),
    ]);
  });

  test('rules folder', () => {
    expect(loadConfig({ HUNT_RULES_DIR: 'my/rules' }).rulesDir).toBe(path.resolve('my/rules'));
  });

  test('store: sqlite file or Azure Tables; the connection string never shows', () => {
    expect(loadConfig({ HUNT_STORE: 'sqlite:/var/lib/huntops/db.sqlite' }).store).toEqual({ kind: 'sqlite', path: '/var/lib/huntops/db.sqlite' });
    const secret = 'DefaultEndpointsProtocol=https;AccountName=socacct;AccountKey=c2VjcmV0LWtleQ==;EndpointSuffix=core.windows.net';
    const config = loadConfig({ HUNT_STORE: `azuretables:${secret}` });
    expect(config.store).toMatchObject({ kind: 'azuretables', host: 'socacct.table.core.windows.net' });
    expect(JSON.stringify(describeConfig(config))).not.toContain('c2VjcmV0');
    expect(problems({ HUNT_STORE: 'postgres://x' })).toEqual([expect.stringMatching(/HUNT_STORE must be sqlite:<path> or azuretables:<connection string>/)]);
    const refused = problems({ HUNT_STORE: 'azuretables:AccountName=x;AccountKey=c2VjcmV0LWtleQ==;TableEndpoint=http://10.1.2.3:10002/x' });
    expect(refused).toEqual([expect.stringMatching(/plain http is allowed only to a loopback endpoint/)]);
    expect(refused.join()).not.toContain('c2VjcmV0');
  });

  test('secure by default: with an app id, tenants must be named and nobody responds until named', () => {
    expect(problems({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x' })).toEqual([expect.stringMatching(/HUNT_ALLOWED_TENANTS is needed with a multi-tenant MicrosoftAppId/)]);
    expect(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', HUNT_ALLOWED_TENANTS: TENANT }).access).toEqual({ allowedTenants: [TENANT], responders: [] });
    expect(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT }).access).toEqual({
      allowedTenants: [TENANT],
      responders: [],
    });
    expect(loadConfig({ HUNT_RESPONDERS: `${APP_ID.toUpperCase()}, ${TENANT}` }).access.responders).toEqual([APP_ID, TENANT]);
    expect(problems({ HUNT_RESPONDERS: 'ada@contoso.com' })).toEqual([expect.stringMatching(/HUNT_RESPONDERS must be \* or a list of GUIDs .*ada@contoso\.com/)]);
    expect(loadConfig({ HUNT_ALLOWED_TENANTS: "" }).access.allowedTenants).toBe("*");
  });

  test('Sentinel: its own workspace setting, defaults for the watchlist and Resource Manager, in the summary', () => {
    const workspace = '/subscriptions/0000/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/sentinel-ws';
    const config = loadConfig({ SENTINEL_WORKSPACE_RESOURCE_ID: workspace });
    expect(config.sentinel).toEqual({
      workspaceResourceId: workspace,
      workspaceFrom: 'SENTINEL_WORKSPACE_RESOURCE_ID',
      watchlist: 'HuntOpsExclusions',
      resourceManagerUrl: 'https://management.azure.com',
    });
    expect(describeConfig(config).sentinel).toEqual(config.sentinel);
    expect(
      loadConfig({ SENTINEL_WORKSPACE_RESOURCE_ID: workspace, SENTINEL_WATCHLIST: 'Soc_Allow-List2', AZURE_RESOURCE_MANAGER_URL: 'https://management.usgovcloudapi.net/' }).sentinel,
    ).toMatchObject({ watchlist: 'Soc_Allow-List2', resourceManagerUrl: 'https://management.usgovcloudapi.net' });
    expect(loadConfig({}).sentinel).toBeUndefined();
  });

  test('Sentinel reuses the Log Analytics workspace resource id unless told off', () => {
    const workspace = '/subscriptions/0000/resourceGroups/soc/providers/Microsoft.OperationalInsights/workspaces/la-ws';
    const env = { HUNT_BACKEND: 'loganalytics', LOG_ANALYTICS_WORKSPACE_ID: TENANT, LOG_ANALYTICS_WORKSPACE_RESOURCE_ID: workspace };
    expect(loadConfig(env).sentinel).toMatchObject({ workspaceResourceId: workspace, workspaceFrom: 'LOG_ANALYTICS_WORKSPACE_RESOURCE_ID' });
    expect(loadConfig({ ...env, SENTINEL_WORKSPACE_RESOURCE_ID: 'off' }).sentinel).toBeUndefined();
    const own = workspace.replace('la-ws', 'other-ws');
    expect(loadConfig({ ...env, SENTINEL_WORKSPACE_RESOURCE_ID: own }).sentinel).toMatchObject({ workspaceResourceId: own, workspaceFrom: 'SENTINEL_WORKSPACE_RESOURCE_ID' });
    expect(problems({ ...env, LOG_ANALYTICS_WORKSPACE_RESOURCE_ID: '/nope' })).toEqual([expect.stringMatching(/^LOG_ANALYTICS_WORKSPACE_RESOURCE_ID is not a workspace resource id$/)]);
  });

  test('Sentinel problems are all listed at once', () => {
    expect(
      problems({
        SENTINEL_WORKSPACE_RESOURCE_ID: '/subscriptions/0000/resourceGroups/soc',
        SENTINEL_WATCHLIST: 'Huntops exclusions',
        AZURE_RESOURCE_MANAGER_URL: 'http://127.0.0.1:8443/arm',
      }),
    ).toEqual([
      expect.stringMatching(/AZURE_RESOURCE_MANAGER_URL must use https/),
      expect.stringMatching(/AZURE_RESOURCE_MANAGER_URL must be Resource Manager's root/),
      expect.stringMatching(/SENTINEL_WATCHLIST=Huntops exclusions is not a watchlist alias/),
      expect.stringMatching(/SENTINEL_WORKSPACE_RESOURCE_ID must be a workspace resource id .* or off/),
    ]);
    expect(problems({ SENTINEL_WATCHLIST: 'Exclusions' })).toEqual([expect.stringMatching(/SENTINEL_WATCHLIST is set but no Sentinel workspace is/)]);
    expect(problems({ LOG_ANALYTICS_WORKSPACE_RESOURCE_ID: 'ws' })).toEqual([expect.stringMatching(/LOG_ANALYTICS_WORKSPACE_RESOURCE_ID is not a workspace resource id \(Sentinel uses it unless SENTINEL_WORKSPACE_RESOURCE_ID=off\)/)]);
  });

  test('HUNT_ALLOWED_TENANTS=* is refused with an app id (any tenant could hunt), and listed with every other problem', () => {
    const refusal = /HUNT_ALLOWED_TENANTS=\* is refused with MicrosoftAppId: any Microsoft 365 tenant could hunt/;
    expect(problems({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', HUNT_ALLOWED_TENANTS: '*' })).toEqual([expect.stringMatching(refusal)]);
    const singleTenant = { MicrosoftAppId: APP_ID, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT, MicrosoftAppPassword: 'x' };
    expect(problems({ ...singleTenant, HUNT_ALLOWED_TENANTS: ' * ' })).toEqual([expect.stringMatching(refusal)]);
    expect(problems({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', HUNT_ALLOWED_TENANTS: '*', PORT: 'eighty', HUNT_RESPONDERS: 'ada' })).toEqual([
      expect.stringMatching(/PORT must be a number/),
      expect.stringMatching(refusal),
      expect.stringMatching(/HUNT_RESPONDERS must be \* or a list of GUIDs/),
    ]);
    expect(problems({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'x', HUNT_ALLOWED_TENANTS: `${TENANT}, *` })).toEqual([
      expect.stringMatching(/HUNT_ALLOWED_TENANTS must be a list of GUIDs separated by commas \(not \*\)/),
    ]);
    expect(loadConfig({ HUNT_ALLOWED_TENANTS: '*' }).access.allowedTenants).toBe('*');
  });

  test('retention: hunts 90 days and the audit 365 days by default, at least a day each', () => {
    expect(loadConfig({ HUNT_RETENTION: '30d', HUNT_AUDIT_RETENTION: 'P730D' }).retention).toEqual({ huntsMs: 30 * 86_400_000, auditMs: 730 * 86_400_000 });
    expect(loadConfig({ HUNT_RETENTION: '2w' }).retention).toEqual({ huntsMs: 14 * 86_400_000, auditMs: 365 * 86_400_000 });
    expect(describeConfig(loadConfig({ HUNT_RETENTION: '36h' }))).toMatchObject({ retention: { hunts: '36h', audit: '365d' } });
    expect(problems({ HUNT_RETENTION: '12h', HUNT_AUDIT_RETENTION: 'forever', PORT: 'x' })).toEqual([
      expect.stringMatching(/PORT must be a number/),
      'HUNT_RETENTION=12h must be a period of at least a day, such as 90d, 52w or P365D',
      'HUNT_AUDIT_RETENTION=forever must be a period of at least a day, such as 90d, 52w or P365D',
    ]);
  });

  test('incident channel and instance id', () => {
    expect(loadConfig({ HUNT_INCIDENT_CHANNEL: '19:abc123@thread.tacv2', HUNT_INSTANCE_ID: 'web-1' })).toMatchObject({ incidentChannel: '19:abc123@thread.tacv2', instanceId: 'web-1' });
    expect(problems({ HUNT_INCIDENT_CHANNEL: 'general' })).toEqual([expect.stringMatching(/HUNT_INCIDENT_CHANNEL must be a channel id/)]);
  });
});
