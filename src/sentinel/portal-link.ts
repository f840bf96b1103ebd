/**
 * Where an analyst opens a Sentinel incident: the Azure portal's incident page, in the form the
 * service itself returns as `properties.incidentUrl`
 * (`https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident<incident resource id>`).
 * Since HuntOps chooses the incident's id, the link is known before the incident exists, so the
 * Teams thread card can carry it whatever the order of the two posts.
 */
import { sentinelPath, type SentinelWorkspace } from './workspace';

/** The Azure portal of each cloud, by its Resource Manager host. */
const PORTALS: ReadonlyArray<readonly [string, string]> = [
  ['management.azure.com', 'https://portal.azure.com'],
  ['management.usgovcloudapi.net', 'https://portal.azure.us'],
  ['management.chinacloudapi.cn', 'https://portal.azure.cn'],
];

/** The Azure portal that goes with a Resource Manager URL (the public cloud's for any other host). */
export function portalUrlFor(resourceManagerUrl: string): string {
  const host = new URL(resourceManagerUrl).hostname.toLowerCase();
  return PORTALS.find(([arm]) => arm === host)?.[1] ?? 'https://portal.azure.com';
}

/** The portal page of incident `incidentId` of the workspace. */
export function incidentPortalUrl(workspace: SentinelWorkspace, incidentId: string, portalUrl = 'https://portal.azure.com'): string {
  return `${portalUrl.replace(/\/+$/, '')}/#asset/Microsoft_Azure_Security_Insights/Incident${sentinelPath(workspace, 'incidents', incidentId)}`;
}
