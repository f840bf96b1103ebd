/**
 * Azure for a bot process, offline: a test CA its Node trusts (NODE_EXTRA_CA_CERTS), the App Service
 * managed-identity endpoint that `DefaultAzureCredential` asks for tokens, and HTTPS fakes of the Log
 * Analytics query API and Microsoft Graph's runHuntingQuery that accept those tokens.
 */
import { rmSync } from 'node:fs';
import { FakeGraph } from './fake-graph';
import { FakeLogAnalytics } from './fake-log-analytics';
import { FakeManagedIdentity } from './fake-msi';
import { testCertificates, writeCaFile } from './tls';

/** The fakes, and the environment that points a bot process at them. */
export interface FakeAzure {
  readonly logAnalytics: FakeLogAnalytics;
  readonly graph: FakeGraph;
  readonly msi: FakeManagedIdentity;
  /** IDENTITY_ENDPOINT, IDENTITY_HEADER and NODE_EXTRA_CA_CERTS. */
  readonly env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** Starts the fakes; Log Analytics knows `workspaces`. */
export async function startFakeAzure(workspaces: readonly string[]): Promise<FakeAzure> {
  const certificates = await testCertificates();
  const caFile = writeCaFile(certificates);
  const msi = await FakeManagedIdentity.start({ 'https://api.loganalytics.io': 'la-token', 'https://graph.microsoft.com': 'graph-token' });
  const logAnalytics = await FakeLogAnalytics.start({ certificates, workspaces, acceptedTokens: ['la-token'] });
  const graph = await FakeGraph.start({ certificates, acceptedTokens: ['graph-token'] });
  return {
    logAnalytics,
    graph,
    msi,
    env: { IDENTITY_ENDPOINT: msi.endpoint, IDENTITY_HEADER: msi.secret, NODE_EXTRA_CA_CERTS: caFile },
    async close() {
      logAnalytics.releaseAnswers();
      await Promise.all([logAnalytics.close(), graph.close(), msi.close()]);
      rmSync(caFile, { force: true });
    },
  };
}
