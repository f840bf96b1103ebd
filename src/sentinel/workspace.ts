/**
 * The Log Analytics workspace Microsoft Sentinel runs on, named by its Azure resource id
 * (`/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{ws}`),
 * and the Azure Resource Manager paths of the Sentinel resources under it
 * (`<workspace>/providers/Microsoft.SecurityInsights/...`).
 */
import { isWorkspaceResourceId } from '../hunt/portal-links';

/** A workspace with Microsoft Sentinel. */
export interface SentinelWorkspace {
  /** The resource id as configured. */
  readonly resourceId: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** The workspace's name (the last segment of its resource id). */
  readonly name: string;
}

const PARTS = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)$/i;

/** Reads a workspace resource id; throws a TypeError when `resourceId` is not one. */
export function parseWorkspaceResourceId(resourceId: string): SentinelWorkspace {
  const match = isWorkspaceResourceId(resourceId) ? PARTS.exec(resourceId) : null;
  if (!match) throw new TypeError(`not a Log Analytics workspace resource id: ${resourceId}`);
  const [, subscriptionId, resourceGroup, name] = match as unknown as [string, string, string, string];
  return { resourceId, subscriptionId, resourceGroup, name };
}

/** `<workspace>/providers/Microsoft.SecurityInsights/<segments, each URL-encoded>`. */
export function sentinelPath(workspace: SentinelWorkspace, ...segments: readonly string[]): string {
  return `${workspace.resourceId}/providers/Microsoft.SecurityInsights/${segments.map(encodeURIComponent).join('/')}`;
}
