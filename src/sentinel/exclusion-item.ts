/**
 * An exclusion as an item of the Sentinel watchlist HuntOps keeps (`SENTINEL_WATCHLIST`, default
 * `HuntOpsExclusions`), designed for an analytics rule to read with `_GetWatchlist`:
 *
 * | column | value |
 * |---|---|
 * | `ExclusionId` | the HuntOps exclusion id (the search key) |
 * | `DeviceId` | the device's id when the exclusion was made from a hunt's row, else empty |
 * | `DeviceName` | a typed pattern without wildcard, or the recorded name of a row that was never bound to a device id; else empty |
 * | `DevicePattern` | a typed pattern as given (`IT-ADM-*`), else empty |
 * | `Tool` | the catalog tool id, or `*` for every RMM tool |
 * | `Reason` | why |
 * | `ExcludedBy`, `ExcludedByObjectId` | who (name and Entra object id) |
 * | `ExcludedAt`, `ExpiresAt` | when (ISO 8601 UTC; `ExpiresAt` empty for never) |
 *
 * A rule honours device exclusions with `| where DeviceId !in ((_GetWatchlist('HuntOpsExclusions')
 * | project DeviceId))` and exact names with `DeviceName`; see the README for the whole filter. An
 * exclusion made from a row binds that device only: its row's name (written by the adversary, and
 * borne by other devices too) is in no column a rule matches names with.
 */
import { oneLine } from './incident-text';
import type { WatchlistDefinition } from './sentinel-watchlist';
import { watchlistItemId } from './sentinel-ids';

/** The default watchlist alias. */
export const DEFAULT_EXCLUSIONS_WATCHLIST = 'HuntOpsExclusions';

/** The item columns, by meaning. */
export const EXCLUSION_COLUMNS = Object.freeze({
  exclusionId: 'ExclusionId',
  deviceId: 'DeviceId',
  deviceName: 'DeviceName',
  devicePattern: 'DevicePattern',
  tool: 'Tool',
  reason: 'Reason',
  excludedBy: 'ExcludedBy',
  excludedByObjectId: 'ExcludedByObjectId',
  excludedAt: 'ExcludedAt',
  expiresAt: 'ExpiresAt',
} as const);

/** The `Tool` value of an exclusion that covers every RMM tool. */
export const ALL_TOOLS = '*';

/** The watchlist HuntOps keeps, as created when missing. */
export function exclusionsWatchlist(alias: string = DEFAULT_EXCLUSIONS_WATCHLIST): WatchlistDefinition {
  return {
    alias,
    displayName: 'HuntOps exclusions',
    provider: 'HuntOps',
    itemsSearchKey: EXCLUSION_COLUMNS.exclusionId,
    source: 'HuntOps',
    description:
      'Devices HuntOps analysts excluded from RMM tool hunts, with reason, author and expiry. Kept by HuntOps: changes made here are reported as drift by "exclusions sync".',
  };
}

/** What the mirror needs of an exclusion (a store's exclusion has all of it, plus the device id of its source row). */
export interface MirroredExclusion {
  readonly id: string;
  /** Device name or glob (`*`, `?`). */
  readonly pattern: string;
  readonly scope: { readonly kind: 'tool'; readonly toolId: string } | { readonly kind: 'all' };
  readonly reason: string;
  readonly createdBy: { readonly aadObjectId: string; readonly name: string };
  readonly createdAt: Date;
  /** `null` for never. */
  readonly expiresAt: Date | null;
  readonly removedAt?: Date;
  /** The device's id, when the exclusion was made from a hunt's row (it binds that device only). */
  readonly deviceId?: string;
  /** The pattern is a device name read literally (a row's name never bound to a device id): `*` and `?` are plain characters. */
  readonly literalName?: boolean;
}

/** True when the exclusion applies at `now`: not removed, not expired. */
export function isActiveExclusion(exclusion: MirroredExclusion, now: Date): boolean {
  return exclusion.removedAt === undefined && (exclusion.expiresAt === null || exclusion.expiresAt.getTime() > now.getTime());
}

/** The watchlist item id of an exclusion. */
export function exclusionItemId(exclusion: Pick<MirroredExclusion, 'id'>): string {
  return watchlistItemId(exclusion.id);
}

/** The item's columns for an exclusion. */
export function exclusionItemValues(exclusion: MirroredExclusion): Record<string, string> {
  const bound = exclusion.deviceId !== undefined;
  const typed = !bound && !exclusion.literalName;
  const wildcard = typed && /[*?]/.test(exclusion.pattern);
  const c = EXCLUSION_COLUMNS;
  return {
    [c.exclusionId]: exclusion.id,
    [c.deviceId]: oneLine(exclusion.deviceId ?? '', 128),
    [c.deviceName]: bound || wildcard ? '' : oneLine(exclusion.pattern),
    [c.devicePattern]: typed ? oneLine(exclusion.pattern) : '',
    [c.tool]: exclusion.scope.kind === 'all' ? ALL_TOOLS : exclusion.scope.toolId,
    [c.reason]: oneLine(exclusion.reason, 1000),
    [c.excludedBy]: oneLine(exclusion.createdBy.name),
    [c.excludedByObjectId]: exclusion.createdBy.aadObjectId,
    [c.excludedAt]: exclusion.createdAt.toISOString(),
    [c.expiresAt]: exclusion.expiresAt ? exclusion.expiresAt.toISOString() : '',
  };
}

/** True when an item holds exactly the columns HuntOps wrote for the exclusion. */
export function itemMatches(values: Readonly<Record<string, string>>, exclusion: MirroredExclusion): boolean {
  const expected = exclusionItemValues(exclusion);
  const keys = Object.keys(values);
  return keys.length === Object.keys(expected).length && keys.every((key) => values[key] === expected[key]);
}
