/**
 * Escalations as Sentinel incidents, through `DefaultAzureCredential` and the real client against the
 * HTTPS fake of Resource Manager: exactly one incident across retries, 429s, 5xx and lost answers;
 * one comment per later escalation; etag conflicts resolved by re-reading; typed errors.
 */
import { loadConfig } from '../../src/config';
import { createSentinel } from '../../src/sentinel/create-sentinel';
import { SentinelError } from '../../src/sentinel/sentinel-error';
import { IncidentEscalator, type SentinelEscalation } from '../../src/sentinel/incident-escalator';
import { SentinelIncidents } from '../../src/sentinel/sentinel-incidents';
import { sentinelCommentId, sentinelIncidentId, type IncidentKey } from '../../src/sentinel/sentinel-ids';
import { parseWorkspaceResourceId } from '../../src/sentinel/workspace';
import { testCertificates } from '../support/tls';
import { startSentinelFixture, WORKSPACE_RESOURCE_ID, type SentinelFixture } from './sentinel-fixture';

const DAY = 86_400_000;
const ANALYST = { aadObjectId: '2046FEEA-040D-4A46-9E2B-91C2941BFA70', name: 'Ada Analyst' };
const THREAD = 'https://teams.microsoft.com/l/message/19%3Aabc%40thread.tacv2/1700000000000';

let fixture: SentinelFixture;
let incidents: SentinelIncidents;
let escalator: IncidentEscalator;
let nextNumber = 1;

beforeAll(async () => {
  fixture = await startSentinelFixture();
  incidents = new SentinelIncidents({ client: fixture.client(), workspace: fixture.workspace });
  escalator = new IncidentEscalator({ incidents });
});

afterAll(async () => {
  await fixture.close();
});

afterEach(() => {
  fixture.arm.clearFaults();
  fixture.arm.allowAll();
});

/** A HuntOps incident no other test uses. */
function freshKey(): IncidentKey {
  return { team: '19:team@thread.tacv2', number: nextNumber++, openedAt: new Date('2026-01-10T09:00:00.000Z') };
}

function escalation(key: IncidentKey, overrides: Partial<SentinelEscalation> = {}): SentinelEscalation {
  return {
    incident: { ...key, title: 'Kaseya on WS-FIN-014' },
    opened: true,
    escalationId: `esc-${key.number}-1`,
    severity: 'High',
    finding: {
      deviceId: '4d3c2b1a00112233445566778899aabbccddeeff',
      deviceName: 'WS-FIN-014',
      toolName: 'Kaseya',
      window: { ms: 5 * DAY },
      firstSeen: new Date('2026-01-05T10:00:00.000Z'),
      lastSeen: new Date('2026-01-09T17:30:00.000Z'),
      count: 42,
      reportIds: Array.from({ length: 25 }, (_, i) => `r${i + 1}`),
      query: "DeviceFileCertificateInfo\n| where Signer has 'Kaseya'",
      source: 'Log Analytics workspace emea',
    },
    note: 'Not an approved tool for finance.',
    escalatedBy: ANALYST,
    at: new Date('2026-01-10T09:00:00.000Z'),
    threadUrl: THREAD,
    ...overrides,
  };
}

function writes(method = 'PUT'): number {
  return fixture.arm.requests.filter((r) => r.method === method).length;
}

describe('escalating a finding that opens an incident', () => {
  test('creates one incident with the finding, the note, labels, owner and the thread link, asking the managed identity for the Resource Manager scope', async () => {
    const key = freshKey();
    const result = await escalator.escalate(escalation(key));

    const incidentId = sentinelIncidentId(key);
    expect(result).toEqual({ incidentId, incidentUrl: escalator.incidentUrl(key), incidentNumber: expect.any(Number), createdIncident: true });
    expect(result.incidentUrl).toBe(
      `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${WORKSPACE_RESOURCE_ID}/providers/Microsoft.SecurityInsights/incidents/${incidentId}`,
    );
    const stored = fixture.arm.sentinel().incidents.get(incidentId)!;
    expect(stored.properties).toMatchObject({
      title: 'HuntOps: Kaseya on WS-FIN-014',
      severity: 'High',
      status: 'New',
      labels: [
        { labelName: 'HuntOps', labelType: 'User' },
        { labelName: 'Kaseya', labelType: 'User' },
      ],
      owner: { objectId: ANALYST.aadObjectId.toLowerCase() },
      firstActivityTimeUtc: '2026-01-05T10:00:00.000Z',
      lastActivityTimeUtc: '2026-01-09T17:30:00.000Z',
    });
    const description = stored.properties.description as string;
    expect(description).toContain('Escalated from HuntOps by Ada Analyst at 2026-01-10T09:00:00Z.');
    expect(description).toContain("Analyst's note:\nNot an approved tool for finance.");
    expect(description).toContain('Device: WS-FIN-014 (DeviceId 4d3c2b1a00112233445566778899aabbccddeeff)');
    expect(description).toContain('Hunt window: 5 days in Log Analytics workspace emea');
    expect(description).toContain('Report ids (10 of 25): r1, r2, r3, r4, r5, r6, r7, r8, r9, r10 and 15 more');
    expect(description).toContain("Query:\nDeviceFileCertificateInfo\n| where Signer has 'Kaseya'");
    expect(description).toContain(`Teams thread: ${THREAD}`);
    expect(fixture.msi.requests.map((r) => r.resource)).toContain(fixture.arm.origin);
    const mine = fixture.arm.requests.filter((r) => r.path.endsWith(incidentId));
    expect(mine.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(mine.every((r) => r.apiVersion === '2025-09-01' && r.token === 'arm-token')).toBe(true);
  });

  test('retried after 429 (Retry-After honoured), 503 and 500, it still makes exactly one incident', async () => {
    const key = freshKey();
    fixture.arm.failNext({ kind: 'throttle', retryAfterSeconds: 1 }, { kind: 'status', status: 503 }, { kind: 'status', status: 500 });
    const started = Date.now();

    const result = await escalator.escalate(escalation(key));

    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.createdIncident).toBe(true);
    expect([...fixture.arm.sentinel().incidents.keys()].filter((id) => id === sentinelIncidentId(key))).toHaveLength(1);
  });

  test.each([[{ status: 500 }], [{ status: 502 }], ['reset' as const]])('when the create is done but its answer is lost (%p), the retry finds the incident instead of making a second', async (lost) => {
    const key = freshKey();
    const before = fixture.arm.sentinel().incidents.size;
    fixture.arm.loseNextWriteAnswer(lost);

    const result = await escalator.escalate(escalation(key));

    expect(fixture.arm.sentinel().incidents.size).toBe(before + 1);
    expect(result.incidentId).toBe(sentinelIncidentId(key));
    const mine = fixture.arm.requests.filter((r) => r.path.endsWith(result.incidentId)).map((r) => r.method);
    expect(mine).toEqual(['GET', 'PUT', 'PUT', 'GET']);
  });

  test('escalating again (an outbox retry after a crash) finds the incident and changes nothing', async () => {
    const key = freshKey();
    await escalator.escalate(escalation(key));
    const stored = fixture.arm.sentinel().incidents.get(sentinelIncidentId(key))!;
    const etag = stored.etag;
    const puts = writes();

    const again = await escalator.escalate(escalation(key));

    expect(again.createdIncident).toBe(false);
    expect(writes()).toBe(puts);
    expect(stored.etag).toBe(etag);
  });

  test('an analyst without an Entra object id leaves the incident unassigned', async () => {
    const key = freshKey();
    await escalator.escalate(escalation(key, { escalatedBy: { aadObjectId: 'playground-user', name: 'Local User' } }));
    expect(fixture.arm.sentinel().incidents.get(sentinelIncidentId(key))!.properties.owner).toBeUndefined();
  });
});

describe('later escalations to the same incident', () => {
  test('add one comment each, by escalation id; a repeat or a lost answer does not add another', async () => {
    const key = freshKey();
    await escalator.escalate(escalation(key));
    const later = escalation(key, { opened: false, escalationId: 'esc-later-1', note: 'Seen on a second device.', finding: { ...escalation(key).finding, deviceName: 'WS-FIN-015' } });

    const first = await escalator.escalate(later);
    fixture.arm.loseNextWriteAnswer({ status: 500 });
    await escalator.escalate(later);
    await escalator.escalate(escalation(key, { opened: false, escalationId: 'esc-later-2' }));

    const stored = fixture.arm.sentinel().incidents.get(sentinelIncidentId(key))!;
    expect(first.commentId).toBe(sentinelCommentId('esc-later-1'));
    expect([...stored.comments.keys()].sort()).toEqual([sentinelCommentId('esc-later-1'), sentinelCommentId('esc-later-2')].sort());
    const comment = stored.comments.get(sentinelCommentId('esc-later-1'))!.message;
    expect(comment).toContain('Another finding escalated from HuntOps by Ada Analyst');
    expect(comment).toContain('Device: WS-FIN-015');
    expect(comment).toContain("Analyst's note:\nSeen on a second device.");
  });

  test('when the incident is missing in Sentinel, it is created with a short description and the escalation still goes in as a comment', async () => {
    const key = freshKey();
    const result = await escalator.escalate(escalation(key, { opened: false, escalationId: 'esc-late' }));

    const stored = fixture.arm.sentinel().incidents.get(sentinelIncidentId(key))!;
    expect(result.createdIncident).toBe(true);
    expect(stored.properties.description).toBe(`Opened from HuntOps incident ${key.number}; its escalations are in the comments.\n\nTeams thread: ${THREAD}`);
    expect([...stored.comments.keys()]).toEqual([sentinelCommentId('esc-late')]);
  });
});

describe('closing from Teams', () => {
  test('an analyst edit between the read and the write (409) is re-read and kept; the close lands once', async () => {
    const key = freshKey();
    await escalator.escalate(escalation(key, { severity: 'Medium' }));
    const stored = fixture.arm.sentinel().incidents.get(sentinelIncidentId(key))!;
    fixture.arm.beforeNextWrite(() => {
      stored.properties = { ...stored.properties, severity: 'High', labels: [...(stored.properties.labels as unknown[]), { labelName: 'Finance', labelType: 'User' }] };
      stored.etag = '"edited-in-portal"';
    });
    const puts = writes();

    const result = await escalator.close(key, { reason: 'expected', closedBy: { name: 'Bo Responder' }, comment: 'Patch window, ticket CHG-1234' });

    expect(result).toEqual({ incidentId: sentinelIncidentId(key), closed: true });
    expect(writes() - puts).toBe(2);
    expect(stored.properties).toMatchObject({
      status: 'Closed',
      severity: 'High',
      classification: 'BenignPositive',
      classificationReason: 'SuspiciousButExpected',
      classificationComment: 'Closed from HuntOps in Teams by Bo Responder (Expected IT activity): Patch window, ticket CHG-1234',
    });
    expect((stored.properties.labels as Array<{ labelName: string }>).map((l) => l.labelName)).toEqual(['HuntOps', 'Kaseya', 'Finance']);
  });

  test('412 Precondition Failed is re-read too', async () => {
    const key = freshKey();
    await escalator.escalate(escalation(key));
    fixture.arm.failNextWrite({ kind: 'status', status: 412 });
    const get = fixture.arm.requests.length;

    const result = await escalator.close(key, { reason: 'malicious', closedBy: { name: 'Bo Responder' } });

    expect(result.closed).toBe(true);
    expect(fixture.arm.sentinel().incidents.get(sentinelIncidentId(key))!.properties).toMatchObject({ status: 'Closed', classification: 'TruePositive', classificationReason: 'SuspiciousActivity' });
    expect(fixture.arm.requests.slice(get).map((r) => r.method)).toEqual(['GET', 'PUT', 'GET', 'PUT']);
  });

  test('a second close changes nothing', async () => {
    const key = freshKey();
    await escalator.escalate(escalation(key));
    await escalator.close(key, { reason: 'undetermined', closedBy: { name: 'Bo Responder' } });
    const puts = writes();

    const again = await escalator.close(key, { reason: 'malicious', closedBy: { name: 'Bo Responder' } });

    expect(again.closed).toBe(false);
    expect(writes()).toBe(puts);
    expect(fixture.arm.sentinel().incidents.get(sentinelIncidentId(key))!.properties.classification).toBe('Undetermined');
  });

  test('an incident that keeps changing gives up with a retryable conflict after the bounded re-reads', async () => {
    const key = freshKey();
    await escalator.escalate(escalation(key));
    const stored = fixture.arm.sentinel().incidents.get(sentinelIncidentId(key))!;
    const impatient = new SentinelIncidents({ client: fixture.client(), workspace: fixture.workspace, maxConflictRetries: 2 });
    for (let i = 0; i < 3; i++) fixture.arm.beforeNextWrite(() => (stored.etag = `"edit-${i}"`));

    const error = await new IncidentEscalator({ incidents: impatient }).close(key, { reason: 'expected', closedBy: { name: 'Bo' } }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SentinelError);
    expect(error).toMatchObject({ failure: 'conflict', retryable: true });
    expect(stored.properties.status).toBe('New');
  });
});

describe('errors a card can act on', () => {
  test('403 names the Microsoft Sentinel Responder role and the workspace, and is not retried', async () => {
    const key = freshKey();
    fixture.arm.deny('incidents');
    const puts = writes();

    const error = await escalator.escalate(escalation(key)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SentinelError);
    const failure = error as SentinelError;
    expect(failure).toMatchObject({ failure: 'forbidden', retryable: false, role: 'Microsoft Sentinel Responder', details: { status: 403, code: 'AuthorizationFailed' } });
    expect(failure.message).toMatch(/^Microsoft Sentinel refused creating incident [0-9a-f-]{36} \(403 AuthorizationFailed: The client .* does not have authorization to perform action 'Microsoft\.SecurityInsights\/incidents\/write'/);
    expect(failure.message).toContain("The bot's identity needs the Microsoft Sentinel Responder role on workspace soc-sentinel (resource group soc-rg).");
    expect(writes() - puts).toBe(1);
    expect(fixture.arm.sentinel().incidents.has(sentinelIncidentId(key))).toBe(false);
  });

  test('a workspace Resource Manager does not know is not-found, naming the setting to check', async () => {
    const missing = parseWorkspaceResourceId(WORKSPACE_RESOURCE_ID.replace('soc-sentinel', 'no-such-ws'));
    const elsewhere = new IncidentEscalator({ incidents: new SentinelIncidents({ client: fixture.client(), workspace: missing }) });

    const error = (await elsewhere.escalate(escalation(freshKey())).catch((e: unknown) => e)) as SentinelError;

    expect(error).toMatchObject({ failure: 'not-found', retryable: false, details: { status: 404, code: 'ResourceNotFound' } });
    expect(error.message).toContain('Check SENTINEL_WORKSPACE_RESOURCE_ID');
    expect(error.message).toContain('workspace no-such-ws (resource group soc-rg)');
  });

  test('a request the service rejects (400) is sent once and reported as invalid', async () => {
    const before = fixture.arm.requests.length;
    const id = sentinelIncidentId(freshKey());

    const error = await incidents.createIfAbsent(id, { title: ' ', severity: 'Low', status: 'New' }).catch((e: unknown) => e);

    expect(error).toMatchObject({ failure: 'invalid', retryable: false, details: { status: 400 } });
    expect((error as Error).message).toContain("'title' is required.");
    expect(fixture.arm.requests.slice(before).map((r) => r.method)).toEqual(['GET', 'PUT']);
  });

  test('429 beyond the throttle budget is not waited out: throttled, with the wait the service asked for', async () => {
    const stingy = new SentinelIncidents({ client: fixture.client({ throttleBudgetMs: 2_000 }), workspace: fixture.workspace });
    fixture.arm.failAlways({ kind: 'throttle', retryAfterSeconds: 30 });
    const before = fixture.arm.requests.length;

    const error = await stingy.get(sentinelIncidentId(freshKey())).catch((e: unknown) => e);

    expect(error).toMatchObject({ failure: 'throttled', retryable: true, retryAfterMs: 30_000, details: { status: 429 } });
    expect(fixture.arm.requests.length - before).toBe(1);
  });

  test('an answer that is not JSON is unavailable, not a crash', async () => {
    fixture.arm.failNext({ kind: 'malformed' });

    const error = await incidents.get(sentinelIncidentId(freshKey())).catch((e: unknown) => e);

    expect(error).toMatchObject({ failure: 'unavailable', retryable: true, details: { status: 200 } });
    expect((error as Error).message).toMatch(/^Microsoft Sentinel sent an answer that is not valid JSON while reading incident /);
  });

  test('a 5xx that outlasts the retries is unavailable and retryable', async () => {
    fixture.arm.failAlways({ kind: 'status', status: 503 });
    const before = fixture.arm.requests.length;

    const error = await incidents.get(sentinelIncidentId(freshKey())).catch((e: unknown) => e);

    expect(error).toMatchObject({ failure: 'unavailable', retryable: true, details: { status: 503 } });
    expect((error as Error).message).toContain('after 4 attempts');
    expect(fixture.arm.requests.length - before).toBe(4);
  });
});

describe('from configuration', () => {
  test('the configured workspace, watchlist and Resource Manager are the ones reached', async () => {
    const config = loadConfig({ SENTINEL_WORKSPACE_RESOURCE_ID: WORKSPACE_RESOURCE_ID, SENTINEL_WATCHLIST: 'SocAllowList', AZURE_RESOURCE_MANAGER_URL: fixture.arm.origin });
    const sentinel = createSentinel(config.sentinel!, { credential: fixture.credential, tlsOptions: { ca: (await testCertificates()).caCert } });
    const key = freshKey();
    const marked: string[] = [];

    const result = await sentinel.escalator.escalate(escalation(key));
    await sentinel
      .exclusionMirror({ mirrored: async () => new Set(marked), markMirrored: async (id) => void marked.push(id), markUnmirrored: async () => undefined })
      .apply({ id: 'ex-config', pattern: 'WS-FIN-014', scope: { kind: 'all' }, reason: 'test', createdBy: ANALYST, createdAt: new Date(), expiresAt: null });

    expect(fixture.arm.sentinel().incidents.has(result.incidentId)).toBe(true);
    expect(result.incidentUrl.startsWith('https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/subscriptions/')).toBe(true);
    expect([...fixture.arm.sentinel().watchlists.get('socallowlist')!.items.values()].map((item) => item.values.ExclusionId)).toEqual(['ex-config']);
    expect(marked).toEqual(['ex-config']);
  });
});
