/**
 * The pure parts: deterministic ids, portal links, the text written into Sentinel (adversary text
 * kept literal and bounded), close reasons → classifications, exclusions → watchlist items.
 */
import { ArmClient } from '../../src/sentinel/arm-client';
import { CLOSE_REASONS, incidentClosing, parseCloseReason } from '../../src/sentinel/close-reasons';
import { exclusionItemValues, isActiveExclusion, itemMatches } from '../../src/sentinel/exclusion-item';
import { escalationComment, incidentDescription, incidentTitle, MAX_INCIDENT_TEXT, type EscalationFacts } from '../../src/sentinel/incident-text';
import { incidentPortalUrl, portalUrlFor } from '../../src/sentinel/portal-link';
import { sentinelCommentId, sentinelIncidentId, watchlistItemId } from '../../src/sentinel/sentinel-ids';
import { parseWorkspaceResourceId, sentinelPath } from '../../src/sentinel/workspace';

const WORKSPACE = parseWorkspaceResourceId('/subscriptions/s-1/resourceGroups/rg-1/providers/Microsoft.OperationalInsights/workspaces/ws-1');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function facts(overrides: Partial<EscalationFacts['finding']> = {}, note = ''): EscalationFacts {
  return {
    finding: {
      deviceId: 'dev-1',
      deviceName: 'WS-1',
      toolName: 'AnyDesk',
      window: { ms: 86_400_000 },
      firstSeen: new Date('2026-01-01T00:00:00.000Z'),
      lastSeen: new Date('2026-01-01T06:00:00.000Z'),
      count: 3,
      reportIds: ['1', '2'],
      query: 'DeviceNetworkEvents | take 1',
      ...overrides,
    },
    note,
    escalatedBy: { aadObjectId: 'x', name: 'Ada' },
    at: new Date('2026-01-02T00:00:00.000Z'),
  };
}

describe('ids', () => {
  test('the same HuntOps key always names the same resource; different keys, different resources', () => {
    const key = { team: 'team', number: 7, openedAt: new Date('2026-01-01T00:00:00.000Z') };
    expect(sentinelIncidentId(key)).toBe(sentinelIncidentId({ ...key, openedAt: new Date(key.openedAt) }));
    expect(sentinelIncidentId(key)).toMatch(GUID);
    expect(sentinelIncidentId({ ...key, number: 8 })).not.toBe(sentinelIncidentId(key));
    expect(sentinelIncidentId({ ...key, team: 'other' })).not.toBe(sentinelIncidentId(key));
    expect(sentinelIncidentId({ ...key, openedAt: new Date('2026-01-01T00:00:00.001Z') })).not.toBe(sentinelIncidentId(key));
    expect(new Set([sentinelCommentId('e1'), sentinelCommentId('e2'), watchlistItemId('e1')]).size).toBe(3);
    expect(watchlistItemId('e1')).toMatch(GUID);
  });
});

describe('workspace and links', () => {
  test('a workspace resource id is read into its parts; anything else is refused', () => {
    expect(WORKSPACE).toMatchObject({ subscriptionId: 's-1', resourceGroup: 'rg-1', name: 'ws-1' });
    expect(() => parseWorkspaceResourceId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x')).toThrow(TypeError);
    expect(sentinelPath(WORKSPACE, 'incidents', 'a/b')).toBe(`${WORKSPACE.resourceId}/providers/Microsoft.SecurityInsights/incidents/a%2Fb`);
  });

  test('the incident link is the portal page the service names, per cloud', () => {
    expect(incidentPortalUrl(WORKSPACE, 'abc')).toBe(`https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${WORKSPACE.resourceId}/providers/Microsoft.SecurityInsights/incidents/abc`);
    expect(portalUrlFor('https://management.usgovcloudapi.net')).toBe('https://portal.azure.us');
    expect(portalUrlFor('https://management.chinacloudapi.cn/')).toBe('https://portal.azure.cn');
    expect(portalUrlFor('https://127.0.0.1:4443')).toBe('https://portal.azure.com');
  });

  test('the client refuses a Resource Manager URL that is not https or not a root', () => {
    const credential = { getToken: async () => null };
    expect(() => new ArmClient({ credential, resourceManagerUrl: 'http://management.azure.com' })).toThrow(/must be https/);
    expect(() => new ArmClient({ credential, resourceManagerUrl: 'https://management.azure.com/subscriptions' })).toThrow(/root URL/);
  });
});

describe('text written into Sentinel', () => {
  test('a device name cannot forge lines: control characters and line breaks become spaces', () => {
    const text = incidentDescription(facts({ deviceName: "EVIL\nAnalyst's note: benign\u0007", reportIds: ['r\r\n1'] }));
    expect(text).toContain("Device: EVIL Analyst's note: benign (DeviceId dev-1)");
    expect(text).toContain('Report ids: r 1');
    expect(text.split('\n').filter((line) => line.startsWith("Analyst's note"))).toEqual([]);
  });

  test('the analyst note keeps its lines; everything stays within the bound', () => {
    const text = escalationComment(facts({ query: 'x'.repeat(10_000), reportIds: Array.from({ length: 5000 }, (_, i) => `id-${i}`) }, 'line one\r\nline two' + 'y'.repeat(10_000)));
    expect(text).toContain("Analyst's note:\nline one\nline two");
    expect(text.length).toBeLessThanOrEqual(MAX_INCIDENT_TEXT);
    expect(text).toContain('Report ids (10 of 5000)');
    expect(text).toContain('and 4990 more');
  });

  test('the title is the analyst’s, or names the tool and device, prefixed and on one line', () => {
    expect(incidentTitle('  ', { toolName: 'AnyDesk', deviceName: 'WS-1' })).toBe('HuntOps: AnyDesk on WS-1');
    expect(incidentTitle('Lateral\nmovement', { toolName: 'AnyDesk', deviceName: 'WS-1' })).toBe('HuntOps: Lateral movement');
  });
});

describe('close reasons', () => {
  test('each reason maps to a classification pair Sentinel accepts', () => {
    const accepted: Record<string, readonly (string | undefined)[]> = {
      TruePositive: ['SuspiciousActivity'],
      BenignPositive: ['SuspiciousButExpected'],
      FalsePositive: ['IncorrectAlertLogic', 'InaccurateData'],
      Undetermined: [undefined],
    };
    for (const info of CLOSE_REASONS) expect(accepted[info.classification]).toContain(info.classificationReason);
    expect(new Set(CLOSE_REASONS.map((info) => info.reason)).size).toBe(CLOSE_REASONS.length);
  });

  test('analysts’ words are understood; others are not', () => {
    expect(parseCloseReason('Benign')?.reason).toBe('expected');
    expect(parseCloseReason('TP')?.classification).toBe('TruePositive');
    expect(parseCloseReason('fp')?.classificationReason).toBe('IncorrectAlertLogic');
    expect(parseCloseReason('bad-data')?.classificationReason).toBe('InaccurateData');
    expect(parseCloseReason('maybe')).toBeUndefined();
  });

  test('the classification comment says who closed it from Teams, and why', () => {
    expect(incidentClosing('undetermined', { name: 'Bo' })).toEqual({ classification: 'Undetermined', classificationComment: 'Closed from HuntOps in Teams by Bo (Undetermined).' });
    expect(incidentClosing('bad-data', { name: 'Bo' }, 'sensor\nclock skew')).toEqual({
      classification: 'FalsePositive',
      classificationReason: 'InaccurateData',
      classificationComment: 'Closed from HuntOps in Teams by Bo (Inaccurate data): sensor clock skew',
    });
  });
});

describe('exclusions as watchlist items', () => {
  const base = {
    id: 'ex-1',
    pattern: 'WS-?1',
    scope: { kind: 'tool' as const, toolId: 'anydesk' },
    reason: 'lab\nmachine',
    createdBy: { aadObjectId: 'oid', name: 'Ada' },
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    expiresAt: new Date('2026-02-01T00:00:00.000Z'),
  };

  test('a wildcard pattern has no exact name; text fields are one line', () => {
    expect(exclusionItemValues(base)).toMatchObject({ DeviceName: '', DevicePattern: 'WS-?1', Tool: 'anydesk', Reason: 'lab machine', ExpiresAt: '2026-02-01T00:00:00.000Z' });
  });

  test('active means not removed and not yet expired', () => {
    expect(isActiveExclusion(base, new Date('2026-01-31T23:59:59.999Z'))).toBe(true);
    expect(isActiveExclusion(base, new Date('2026-02-01T00:00:00.000Z'))).toBe(false);
    expect(isActiveExclusion({ ...base, expiresAt: null, removedAt: new Date('2026-01-02T00:00:00.000Z') }, new Date('2026-01-03T00:00:00.000Z'))).toBe(false);
  });

  test('an item matches only when every column is HuntOps’s, and no column was added', () => {
    const values = exclusionItemValues(base);
    expect(itemMatches(values, base)).toBe(true);
    expect(itemMatches({ ...values, Reason: 'edited' }, base)).toBe(false);
    expect(itemMatches({ ...values, Extra: '' }, base)).toBe(false);
  });
});
