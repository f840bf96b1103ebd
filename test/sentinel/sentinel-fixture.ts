/**
 * Sentinel, offline, as production reaches it: the fake Resource Manager over HTTPS (test CA), and
 * `DefaultAzureCredential` unchanged, getting its token for the Resource Manager scope from the fake
 * App Service managed identity. One per test file (MSAL keeps managed identity tokens per process).
 */
import { DefaultAzureCredential } from '@azure/identity';
import { ArmClient } from '../../src/sentinel/arm-client';
import { parseWorkspaceResourceId, type SentinelWorkspace } from '../../src/sentinel/workspace';
import { FakeArm } from '../support/fake-arm';
import { FakeManagedIdentity } from '../support/fake-msi';
import { testCertificates } from '../support/tls';

/** The workspace the fake serves (the subscription of the service's recorded examples). */
export const WORKSPACE_RESOURCE_ID = '/subscriptions/d0cfe6b2-9ac0-4464-9919-dccaee2e48c0/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/soc-sentinel';

/** The token the fake managed identity hands out for the fake Resource Manager, and the fake accepts. */
export const ARM_TOKEN = 'arm-token';

/** The fakes and a client wired to them. */
export interface SentinelFixture {
  readonly arm: FakeArm;
  readonly msi: FakeManagedIdentity;
  readonly workspace: SentinelWorkspace;
  readonly credential: DefaultAzureCredential;
  /** A client with quick back-off (tests wait out only what Retry-After asks). */
  client(options?: { readonly deadlineMs?: number; readonly throttleBudgetMs?: number; readonly maxRetries?: number }): ArmClient;
  close(): Promise<void>;
}

/** Starts the fakes and points `DefaultAzureCredential` at the fake managed identity. */
export async function startSentinelFixture(options: { readonly pageSize?: number } = {}): Promise<SentinelFixture> {
  const certificates = await testCertificates();
  const arm = await FakeArm.start({ certificates, acceptedTokens: [ARM_TOKEN], workspaces: [WORKSPACE_RESOURCE_ID], ...options });
  const msi = await FakeManagedIdentity.start({ [arm.origin]: ARM_TOKEN });
  const restore = msi.useInEnvironment();
  const credential = new DefaultAzureCredential();
  return {
    arm,
    msi,
    credential,
    workspace: parseWorkspaceResourceId(WORKSPACE_RESOURCE_ID),
    client: (settings = {}) =>
      new ArmClient({
        credential,
        resourceManagerUrl: arm.origin,
        tlsOptions: { ca: certificates.caCert },
        deadlineMs: settings.deadlineMs ?? 15_000,
        retry: { retryDelayMs: 20, maxRetryDelayMs: 100, throttleBudgetMs: settings.throttleBudgetMs ?? 5_000, maxRetries: settings.maxRetries ?? 3 },
      }),
    async close() {
      restore();
      arm.releaseAnswers();
      await Promise.all([arm.close(), msi.close()]);
    },
  };
}
