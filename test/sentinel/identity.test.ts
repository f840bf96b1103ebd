/**
 * `DefaultAzureCredential` exactly as production builds it, when the managed identity will not give
 * a token for Resource Manager: the card's error names the role, and nothing reaches Sentinel. Its
 * own file, because MSAL keeps managed identity tokens in a cache shared by the whole process.
 */
import { DefaultAzureCredential } from '@azure/identity';
import { ArmClient } from '../../src/sentinel/arm-client';
import { IncidentEscalator } from '../../src/sentinel/incident-escalator';
import { SentinelError } from '../../src/sentinel/sentinel-error';
import { SentinelIncidents } from '../../src/sentinel/sentinel-incidents';
import { parseWorkspaceResourceId } from '../../src/sentinel/workspace';
import { FakeArm } from '../support/fake-arm';
import { FakeManagedIdentity } from '../support/fake-msi';
import { testCertificates } from '../support/tls';
import { WORKSPACE_RESOURCE_ID } from './sentinel-fixture';

it('says the bot could not get a token for Resource Manager, naming the Responder role, when the managed identity refuses', async () => {
  const certificates = await testCertificates();
  const arm = await FakeArm.start({ certificates, acceptedTokens: ['arm-token'], workspaces: [WORKSPACE_RESOURCE_ID] });
  const identity = await FakeManagedIdentity.start({ 'https://api.loganalytics.io': 'la-only-token' });
  const restore = identity.useInEnvironment();
  try {
    const client = new ArmClient({ credential: new DefaultAzureCredential(), resourceManagerUrl: arm.origin, tlsOptions: { ca: certificates.caCert }, deadlineMs: 15_000 });
    const escalator = new IncidentEscalator({ incidents: new SentinelIncidents({ client, workspace: parseWorkspaceResourceId(WORKSPACE_RESOURCE_ID) }) });

    const error = await escalator
      .close({ team: 't', number: 1, openedAt: new Date('2026-01-01T00:00:00Z') }, { reason: 'expected', closedBy: { name: 'Bo' } })
      .catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(SentinelError);
    const failure = error as SentinelError;
    expect(failure).toMatchObject({ failure: 'auth', retryable: false, role: 'Microsoft Sentinel Responder' });
    expect(failure.message).toMatch(/^The bot could not get a token for Azure Resource Manager \(.*ManagedIdentityCredential: Authentication failed.*\)\. The bot's identity needs the Microsoft Sentinel Responder role on workspace soc-sentinel \(resource group soc-rg\)\.$/);
    expect(identity.requests.map((request) => request.resource)).toContain(arm.origin);
    expect(arm.requests).toHaveLength(0);
  } finally {
    restore();
    await arm.close();
    await identity.close();
  }
}, 30_000);
