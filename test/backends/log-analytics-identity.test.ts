/**
 * The `loganalytics` backend with `DefaultAzureCredential` exactly as production builds it, offline:
 * the App Service managed identity protocol served by a local fake. Its own file, because MSAL keeps
 * managed identity tokens in a cache shared by every credential of the process.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { BackendError } from '../../src/backends/backend';
import { createLogAnalyticsBackend } from '../../src/backends/log-analytics';
import { parseWindow } from '../../src/hunt/window';
import { FakeLogAnalytics } from '../support/fake-log-analytics';
import { FakeManagedIdentity } from '../support/fake-msi';
import { testCertificates } from '../support/tls';

const WORKSPACE = '0b9e5c5a-3c1d-4f6e-9a11-6d1f2e3a4b5c';
const KQL = "DeviceFileCertificateInfo | where Signer has 'Kaseya' | take 1";

it('says the bot could not get a token, naming the role it needs, when the managed identity refuses', async () => {
  const certificates = await testCertificates();
  const identity = await FakeManagedIdentity.start({ 'https://graph.microsoft.com': 'graph-only-token' });
  const service = await FakeLogAnalytics.start({ certificates, workspaces: [WORKSPACE], acceptedTokens: ['la-token'] });
  const restore = identity.useInEnvironment();
  try {
    const backend = createLogAnalyticsBackend({
      workspaceId: WORKSPACE,
      alias: 'emea',
      credential: new DefaultAzureCredential(),
      endpoint: service.endpoint,
      tlsOptions: { ca: certificates.caCert },
      deadlineMs: 15_000,
    });

    const error: unknown = await backend.run({ kql: KQL, window: parseWindow('5d')! }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(BackendError);
    const failure = error as BackendError;
    expect(failure.failure).toBe('auth');
    expect(failure.message).toMatch(
      new RegExp(`^The bot could not get a token for Log Analytics workspace emea \\(.+\\)\\. The bot's identity needs the Log Analytics Reader role on workspace ${WORKSPACE}\\.$`),
    );
    expect(failure.message).toContain('ManagedIdentityCredential: Authentication failed');
    expect(identity.requests.map((request) => request.resource)).toContain('https://api.loganalytics.io');
    expect(identity.requests.every((request) => request.identityHeader === identity.secret)).toBe(true);
    expect(service.requests).toHaveLength(0);
  } finally {
    restore();
    await service.close();
    await identity.close();
  }
}, 30_000);
