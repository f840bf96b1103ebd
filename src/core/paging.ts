/**
 * Pages of a list: the one place page numbers are counted and clamped.
 */

/** One page of a list, 1-based, with where it stands. */
export interface Page<T> {
  readonly items: readonly T[];
  /** The page shown: the one asked for, clamped to 1…pageCount. */
  readonly page: number;
  /** At least 1, even for an empty list. */
  readonly pageCount: number;
  /** Items on every page. */
  readonly total: number;
  /** Index in the whole list of the first item on this page. */
  readonly offset: number;
}

/** Where page `page` of a list of `total` items stands, `size` per page; a page past either end is the nearest one. */
export function pageBounds(total: number, page: number, size: number): Omit<Page<never>, 'items'> {
  const pageCount = Math.max(1, Math.ceil(total / size));
  const current = Math.min(Math.max(1, Math.trunc(page)), pageCount);
  return { page: current, pageCount, total, offset: (current - 1) * size };
}

/** Page `page` of `items`, `size` per page; a page past either end shows the nearest one. */
export function pageOf<T>(items: readonly T[], page: number, size: number): Page<T> {
  const bounds = pageBounds(items.length, page, size);
  return { items: items.slice(bounds.offset, bounds.offset + size), ...bounds };
}

/** The 1-based page on which item `index` of a list stands. */
export function pageOfIndex(index: number, size: number): number {
  return Math.floor(index / size) + 1;
}
