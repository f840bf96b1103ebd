/**
 * One Microsoft Sentinel watchlist and its items: make sure it exists, write an item under an id the
 * caller chose (so a repeat rewrites the same item), delete an item, list the items (every page,
 * following `nextLink`). KQL reads the items with `_GetWatchlist('<alias>')`.
 */
import type { ArmCall, ArmClient } from './arm-client';
import { SentinelError } from './sentinel-error';
import { isWorkspaceMissing, type SentinelOperation } from './sentinel-failure';
import { sentinelPath, type SentinelWorkspace } from './workspace';

/** What the watchlist is, as created when it is missing. */
export interface WatchlistDefinition {
  /** Its alias: the name in the URL and in `_GetWatchlist('<alias>')`. */
  readonly alias: string;
  readonly displayName: string;
  readonly provider: string;
  /** The column whose value identifies an item (`SearchKey` in KQL). */
  readonly itemsSearchKey: string;
  /** Where the items come from (the service's "source"). */
  readonly source: string;
  readonly description: string;
}

/** A watchlist item as read: its id and its columns. */
export interface WatchlistItem {
  readonly itemId: string;
  /** Column → value; every value as text. */
  readonly values: Readonly<Record<string, string>>;
}

/** How to reach the watchlist. */
export interface SentinelWatchlistOptions {
  readonly client: ArmClient;
  readonly workspace: SentinelWorkspace;
  readonly definition: WatchlistDefinition;
  /** Most pages {@link SentinelWatchlist.listItems} follows. Default 1000. */
  readonly maxPages?: number;
}

/** A watchlist alias Sentinel accepts: 3–64 characters, a letter first, a letter or digit last, hyphens and underscores between. */
export const WATCHLIST_ALIAS = /^[A-Za-z][A-Za-z0-9_-]{1,62}[A-Za-z0-9]$/;

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function readItem(value: unknown): WatchlistItem {
  const resource = record(value);
  const properties = record(resource.properties);
  const itemId = typeof resource.name === 'string' ? resource.name : properties.watchlistItemId;
  if (typeof itemId !== 'string' || typeof properties.itemsKeyValue !== 'object' || properties.itemsKeyValue === null) {
    throw new TypeError('the answer is not a watchlist item');
  }
  const values = Object.fromEntries(
    Object.entries(record(properties.itemsKeyValue)).map(([key, v]) => [key, v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v)]),
  );
  return { itemId, values };
}

function readPage(value: unknown): { items: WatchlistItem[]; nextLink?: string } {
  const page = record(value);
  if (!Array.isArray(page.value)) throw new TypeError('the answer is not a list of watchlist items');
  const items = page.value.map(readItem);
  return typeof page.nextLink === 'string' && page.nextLink !== '' ? { items, nextLink: page.nextLink } : { items };
}

/** One watchlist of one Sentinel workspace. */
export class SentinelWatchlist {
  readonly workspace: SentinelWorkspace;
  readonly definition: WatchlistDefinition;
  private readonly client: ArmClient;
  private readonly maxPages: number;

  constructor(options: SentinelWatchlistOptions) {
    if (!WATCHLIST_ALIAS.test(options.definition.alias)) throw new TypeError(`not a watchlist alias: ${options.definition.alias}`);
    this.client = options.client;
    this.workspace = options.workspace;
    this.definition = options.definition;
    this.maxPages = options.maxPages ?? 1000;
  }

  /** The alias. */
  get alias(): string {
    return this.definition.alias;
  }

  /**
   * Creates the watchlist when it is missing; `created` says whether this call did. Rejects
   * `invalid` when a watchlist with this alias exists with another search key (its items could not
   * be HuntOps's).
   */
  ensure(signal?: AbortSignal): Promise<{ created: boolean }> {
    return this.client.run(
      this.operation(`creating watchlist ${this.alias}`),
      async (call) => {
        const existing = await this.readSearchKey(call);
        if (existing === undefined) {
          const { alias, ...properties } = this.definition;
          const answer = await call.send('PUT', this.path(), { properties: { ...properties, sourceType: 'Local' } });
          if (answer.status === 200 || answer.status === 201) return { created: true };
          if (answer.status !== 409) throw call.failure(answer);
          return this.checkSearchKey(await this.readSearchKey(call), alias);
        }
        return this.checkSearchKey(existing, this.alias);
      },
      signal,
    );
  }

  /** Writes the item `itemId` (creating or replacing it). Rejects `not-found` when the watchlist does not exist. */
  upsertItem(itemId: string, values: Readonly<Record<string, string>>, signal?: AbortSignal): Promise<WatchlistItem> {
    return this.client.run(
      this.operation(`adding an item to watchlist ${this.alias}`),
      async (call) => {
        const answer = await call.send('PUT', this.path('watchlistItems', itemId), { properties: { itemsKeyValue: values } });
        if (answer.status === 200 || answer.status === 201) return call.read(answer, readItem);
        if (answer.status === 404) throw call.missing(answer, `Watchlist ${this.alias}`);
        throw call.failure(answer);
      },
      signal,
    );
  }

  /** Deletes the item; false when there was none. */
  deleteItem(itemId: string, signal?: AbortSignal): Promise<boolean> {
    return this.client.run(
      this.operation(`removing an item from watchlist ${this.alias}`),
      async (call) => {
        const answer = await call.send('DELETE', this.path('watchlistItems', itemId));
        if (answer.status === 200) return true;
        if (answer.status === 204) return false;
        if (answer.status === 404) {
          if (isWorkspaceMissing(answer.text)) throw call.failure(answer);
          return false;
        }
        throw call.failure(answer);
      },
      signal,
    );
  }

  /** Every item, following the service's pages. Rejects `not-found` when the watchlist does not exist. */
  listItems(signal?: AbortSignal): Promise<WatchlistItem[]> {
    return this.client.run(
      this.operation(`reading watchlist ${this.alias}`),
      async (call) => {
        const items: WatchlistItem[] = [];
        let target: string | undefined = this.path('watchlistItems');
        for (let page = 0; target !== undefined; page++) {
          if (page >= this.maxPages) {
            throw new SentinelError('unavailable', `Watchlist ${this.alias} has more than ${this.maxPages} pages of items; the bot stopped reading it.`, { area: 'watchlists' });
          }
          const answer = await call.send('GET', target);
          if (answer.status === 404) throw call.missing(answer, `Watchlist ${this.alias}`);
          if (answer.status !== 200) throw call.failure(answer);
          const read = call.read(answer, readPage);
          items.push(...read.items);
          target = read.nextLink;
        }
        return items;
      },
      signal,
    );
  }

  /** The existing watchlist's search key, or `undefined` when there is no watchlist. */
  private async readSearchKey(call: ArmCall): Promise<string | undefined> {
    const answer = await call.send('GET', this.path());
    if (answer.status === 404) {
      if (isWorkspaceMissing(answer.text)) throw call.failure(answer);
      return undefined;
    }
    if (answer.status !== 200) throw call.failure(answer);
    return call.read(answer, (json) => {
      const key = record(record(json).properties).itemsSearchKey;
      if (typeof key !== 'string') throw new TypeError('the answer is not a watchlist');
      return key;
    });
  }

  private checkSearchKey(found: string | undefined, alias: string): { created: boolean } {
    if (found === undefined) throw new SentinelError('conflict', `Watchlist ${alias} was being created or deleted by someone else; try again later.`, { area: 'watchlists' });
    if (found.toLowerCase() !== this.definition.itemsSearchKey.toLowerCase()) {
      throw new SentinelError(
        'invalid',
        `Watchlist ${alias} already exists with search key ${found}, not ${this.definition.itemsSearchKey}: it is not the one HuntOps keeps. Choose another alias in SENTINEL_WATCHLIST.`,
        { area: 'watchlists' },
      );
    }
    return { created: false };
  }

  private path(...more: string[]): string {
    return sentinelPath(this.workspace, 'watchlists', this.alias, ...more);
  }

  private operation(doing: string): SentinelOperation {
    return { area: 'watchlists', doing, workspace: this.workspace };
  }
}
