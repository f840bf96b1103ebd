/**
 * Azure for a bot process, offline: a test CA its Node trusts (NODE_EXTRA_CA_CERTS), the App Service
 * managed-identity endpoint that `DefaultAzureCredential` asks for tokens, and HTTPS fakes of the Log
 * Analytics query API, Microsoft Graph's runHuntingQuery and Azure Resource Manager (Sentinel) that
 * accept those tokens.
 */
import { rmSync } from 'node:fs';
import { FakeArm } from './fake-arm';
import { FakeGraph } from './fake-graph';
import { FakeLogAnalytics } from './fake-log-analytics';
import { FakeManagedIdentity } from './fake-msi';
import { testCertificates, writeCaFile } from './tls';

/** The fakes, and the environment that points a bot process at them. */
export interface FakeAzure {
  readonly logAnalytics: FakeLogAnalytics;
  readonly graph: FakeGraph;
  readonly msi: FakeManagedIdentity;
  /** Resource Manager with Sentinel on the workspaces given as `sentinelWorkspaces`. */
  readonly arm: FakeArm;
  /** IDENTITY_ENDPOINT, IDENTITY_HEADER, NODE_EXTRA_CA_CERTS and AZURE_RESOURCE_MANAGER_URL. */
  readonly env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * Starts the fakes; Log Analytics knows `workspaces` (ids), Resource Manager has Sentinel on
 * `sentinelWorkspaces` (resource ids).
 */
export async function startFakeAzure(workspaces: readonly string[], options: { readonly sentinelWorkspaces?: readonly string[] } = {}): Promise<FakeAzure> {
  const certificates = await testCertificates();
  const caFile = writeCaFile(certificates);
  const arm = await FakeArm.start({ certificates, workspaces: options.sentinelWorkspaces ?? [], acceptedTokens: ['arm-token'] });
  const msi = await FakeManagedIdentity.start({ 'https://api.loganalytics.io': 'la-token', 'https://graph.microsoft.com': 'graph-token', [arm.origin]: 'arm-token' });
  const logAnalytics = await FakeLogAnalytics.start({ certificates, workspaces, acceptedTokens: ['la-token'] });
  const graph = await FakeGraph.start({ certificates, acceptedTokens: ['graph-token'] });
  return {
    logAnalytics,
    graph,
    msi,
    arm,
    env: { IDENTITY_ENDPOINT: msi.endpoint, IDENTITY_HEADER: msi.secret, NODE_EXTRA_CA_CERTS: caFile, AZURE_RESOURCE_MANAGER_URL: arm.origin },
    async close() {
      logAnalytics.releaseAnswers();
      await Promise.all([logAnalytics.close(), graph.close(), arm.close(), msi.close()]);
      rmSync(caFile, { force: true });
    },
  };
}
