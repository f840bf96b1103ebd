/**
 * Links that open a hunt's query in the portals, so an analyst can pivot from a card:
 *
 * - Defender portal advanced hunting: `https://security.microsoft.com/v2/advanced-hunting?query=…&timeRangeId=…`,
 *   where `query` is the base64url text of the gzip of the query's UTF-16LE bytes.
 * - Log Analytics / Sentinel Logs blade for a workspace, in the form of the portal's own "Copy link to
 *   query": `https://portal.azure.com/#@<tenant>/blade/Microsoft_OperationsManagementSuite_Workspace/Logs.ReactView/resourceId/<workspace resource id>/source/LogsBlade.AnalyticsShareLinkToQuery/q/<query>/timespan/<ISO duration>`,
 *   where `<query>` is the base64 text of the gzip of the query's UTF-8 bytes, URL-encoded twice (the
 *   portal decodes the fragment once before it reads the path).
 */
import { gzipSync } from 'node:zlib';
import { windowToIso, type HuntWindow } from './window';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Where the Defender link points. */
export interface DefenderLinkOptions {
  /** The hunt's window, to pick the portal's time range. */
  readonly window: HuntWindow;
  /** Portal root. Default `https://security.microsoft.com`. */
  readonly portalUrl?: string;
}

/** Where the Logs blade link points. */
export interface LogsBladeLinkOptions {
  /** `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.OperationalInsights/workspaces/<name>`. */
  readonly workspaceResourceId: string;
  /** The hunt's window, the blade's time range. */
  readonly window: HuntWindow;
  /** Directory (tenant) id or domain, so the portal opens in the right directory. */
  readonly tenant?: string;
  /** Portal root. Default `https://portal.azure.com`. */
  readonly portalUrl?: string;
}

const WORKSPACE_RESOURCE_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+$/i;

/** True when `text` is a Log Analytics workspace's Azure resource id. */
export function isWorkspaceResourceId(text: string): boolean {
  return WORKSPACE_RESOURCE_ID.test(text);
}

/** The portal's advanced hunting time range closest to the window (the query's own filter still applies). */
function defenderTimeRange(window: HuntWindow): 'day' | 'week' | 'month' {
  if (window.ms <= DAY_MS) return 'day';
  if (window.ms <= 7 * DAY_MS) return 'week';
  return 'month';
}

/** The Defender portal's advanced hunting, opened on `kql`. */
export function defenderHuntingLink(kql: string, options: DefenderLinkOptions): string {
  const query = gzipSync(Buffer.from(kql, 'utf16le')).toString('base64url');
  const root = (options.portalUrl ?? 'https://security.microsoft.com').replace(/\/+$/, '');
  return `${root}/v2/advanced-hunting?query=${query}&timeRangeId=${defenderTimeRange(options.window)}`;
}

/** The Log Analytics (Sentinel) Logs blade of a workspace, opened on `kql` over the window. */
export function logsBladeLink(kql: string, options: LogsBladeLinkOptions): string {
  if (!isWorkspaceResourceId(options.workspaceResourceId)) {
    throw new TypeError(`not a Log Analytics workspace resource id: ${options.workspaceResourceId}`);
  }
  const query = encodeURIComponent(encodeURIComponent(gzipSync(Buffer.from(kql, 'utf8')).toString('base64')));
  const root = (options.portalUrl ?? 'https://portal.azure.com').replace(/\/+$/, '');
  const directory = options.tenant ? `@${encodeURIComponent(options.tenant)}/` : '';
  return (
    `${root}/#${directory}blade/Microsoft_OperationsManagementSuite_Workspace/Logs.ReactView` +
    `/resourceId/${encodeURIComponent(options.workspaceResourceId)}` +
    `/source/LogsBlade.AnalyticsShareLinkToQuery/q/${query}/timespan/${windowToIso(options.window)}`
  );
}
