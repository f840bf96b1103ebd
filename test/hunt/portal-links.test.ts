/**
 * Portal links decode back to the exact query: the Defender advanced hunting link
 * (base64url of gzip of UTF-16LE) and the Log Analytics Logs blade link (base64 of gzip of UTF-8,
 * URL-encoded twice in the fragment path).
 */
import { gunzipSync } from 'node:zlib';
import { defenderHuntingLink, isWorkspaceResourceId, logsBladeLink } from '../../src/hunt/portal-links';
import { parseWindow } from '../../src/hunt/window';

const SEED = [
  'DeviceFileCertificateInfo',
  '| where Timestamp between (ago(5d) .. now())',
  "| where Signer has_any ('Kaseya', 'DWSNET OÜ', 'Krämer IT Solutions GmbH')",
  '| summarize FirstSeen=min(Timestamp), LastSeen=max(Timestamp), Report=make_set(ReportId), Count=count() by DeviceId, DeviceName',
].join('\n');
const WORKSPACE_RESOURCE_ID =
  '/subscriptions/6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f/resourceGroups/rg-soc/providers/Microsoft.OperationalInsights/workspaces/law-sentinel-emea';

function decodeDefender(link: string): { query: string; timeRangeId: string | null; url: URL } {
  const url = new URL(link);
  const encoded = url.searchParams.get('query');
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
  return { query: gunzipSync(Buffer.from(encoded!, 'base64url')).toString('utf16le'), timeRangeId: url.searchParams.get('timeRangeId'), url };
}

function decodeLogsBlade(link: string): { query: string; resourceId: string; timespan: string; fragment: string } {
  const fragment = new URL(link).hash;
  const match = /\/resourceId\/([^/]+)\/source\/LogsBlade\.AnalyticsShareLinkToQuery\/q\/([^/]+)\/timespan\/([^/]+)$/.exec(fragment);
  expect(match).not.toBeNull();
  const [, resourceId, query, timespan] = match!;
  return {
    query: gunzipSync(Buffer.from(decodeURIComponent(decodeURIComponent(query!)), 'base64')).toString('utf8'),
    resourceId: decodeURIComponent(resourceId!),
    timespan: timespan!,
    fragment,
  };
}

describe('defenderHuntingLink', () => {
  it('decodes back to the exact query, non-ASCII signers and quotes included', () => {
    const link = defenderHuntingLink(SEED, { window: parseWindow('5d')! });
    const { query, url } = decodeDefender(link);

    expect(query).toBe(SEED);
    expect(`${url.origin}${url.pathname}`).toBe('https://security.microsoft.com/v2/advanced-hunting');
  });

  it.each([
    ['30m', 'day'],
    ['24h', 'day'],
    ['5d', 'week'],
    ['7d', 'week'],
    ['8d', 'month'],
    ['30d', 'month'],
  ])('opens a %s hunt on the "%s" time range', (window, range) => {
    expect(decodeDefender(defenderHuntingLink(SEED, { window: parseWindow(window)! })).timeRangeId).toBe(range);
  });

  it('uses another portal root when given one', () => {
    const link = defenderHuntingLink('DeviceInfo | take 1', { window: parseWindow('1d')!, portalUrl: 'https://security.microsoft.us/' });
    expect(link.startsWith('https://security.microsoft.us/v2/advanced-hunting?query=')).toBe(true);
    expect(decodeDefender(link).query).toBe('DeviceInfo | take 1');
  });
});

describe('logsBladeLink', () => {
  it('decodes back to the exact query, the workspace and the window', () => {
    const link = logsBladeLink(SEED, { workspaceResourceId: WORKSPACE_RESOURCE_ID, window: parseWindow('36h')!, tenant: 'contoso.onmicrosoft.com' });
    const decoded = decodeLogsBlade(link);

    expect(decoded.query).toBe(SEED);
    expect(decoded.resourceId).toBe(WORKSPACE_RESOURCE_ID);
    expect(decoded.timespan).toBe('P1DT12H');
    expect(link.startsWith('https://portal.azure.com/#@contoso.onmicrosoft.com/blade/Microsoft_OperationsManagementSuite_Workspace/Logs.ReactView/resourceId/%2Fsubscriptions%2F')).toBe(true);
  });

  it('keeps the fragment free of characters that would break its path (/, +, =)', () => {
    const { fragment } = decodeLogsBlade(logsBladeLink(SEED, { workspaceResourceId: WORKSPACE_RESOURCE_ID, window: parseWindow('5d')! }));
    const querySegment = fragment.split('/q/')[1]!.split('/timespan/')[0]!;

    expect(querySegment).toMatch(/^[A-Za-z0-9%]+$/);
    expect(fragment.startsWith('#blade/')).toBe(true);
  });

  it('refuses what is not a workspace resource id', () => {
    expect(isWorkspaceResourceId(WORKSPACE_RESOURCE_ID)).toBe(true);
    expect(isWorkspaceResourceId('0b9e5c5a-3c1d-4f6e-9a11-6d1f2e3a4b5c')).toBe(false);
    expect(() => logsBladeLink(SEED, { workspaceResourceId: '0b9e5c5a-3c1d-4f6e-9a11-6d1f2e3a4b5c', window: parseWindow('5d')! })).toThrow(
      'not a Log Analytics workspace resource id',
    );
  });
});
