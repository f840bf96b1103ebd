/**
 * The exclusions watchlist, through `DefaultAzureCredential` and the real client against the HTTPS
 * fake of Resource Manager: created once, items appear and disappear with exclusions, every page is
 * read, `exclusions sync` reconciles drift both ways, and a 403 names the Contributor role.
 */
import { exclusionItemId, exclusionsWatchlist, type MirroredExclusion } from '../../src/sentinel/exclusion-item';
import { ExclusionMirror, type MirrorLedger } from '../../src/sentinel/exclusion-mirror';
import { SentinelError } from '../../src/sentinel/sentinel-error';
import { SentinelWatchlist } from '../../src/sentinel/sentinel-watchlist';
import { startSentinelFixture, type SentinelFixture } from './sentinel-fixture';

const NOW = new Date('2026-02-01T12:00:00.000Z');
const ADA = { aadObjectId: '2046feea-040d-4a46-9e2b-91c2941bfa70', name: 'Ada Analyst' };

let fixture: SentinelFixture;
let aliasNumber = 0;

beforeAll(async () => {
  fixture = await startSentinelFixture({ pageSize: 2 });
});

afterAll(async () => {
  await fixture.close();
});

afterEach(() => {
  fixture.arm.clearFaults();
  fixture.arm.allowAll();
});

/** A watchlist of its own for each test. */
function freshWatchlist(): SentinelWatchlist {
  aliasNumber += 1;
  return new SentinelWatchlist({ client: fixture.client(), workspace: fixture.workspace, definition: exclusionsWatchlist(`HuntOpsExclusions${aliasNumber}`) });
}

/** The ledger a store would keep, in memory. */
class MemoryLedger implements MirrorLedger {
  readonly ids = new Set<string>();
  async mirrored(): Promise<ReadonlySet<string>> {
    return new Set(this.ids);
  }
  async markMirrored(id: string): Promise<void> {
    this.ids.add(id);
  }
  async markUnmirrored(id: string): Promise<void> {
    this.ids.delete(id);
  }
}

function exclusion(id: string, overrides: Partial<MirroredExclusion> = {}): MirroredExclusion {
  return {
    id,
    pattern: 'IT-ADM-07',
    scope: { kind: 'tool', toolId: 'kaseya' },
    reason: 'IT admin workstation, patching',
    createdBy: ADA,
    createdAt: new Date('2026-01-15T08:00:00.000Z'),
    expiresAt: null,
    ...overrides,
  };
}

function items(watchlist: SentinelWatchlist): Map<string, Record<string, unknown>> {
  const stored = fixture.arm.sentinel().watchlists.get(watchlist.alias.toLowerCase());
  return new Map([...(stored?.items.values() ?? [])].map((item) => [item.id, item.values]));
}

function mirrorOf(watchlist: SentinelWatchlist, ledger = new MemoryLedger()): { mirror: ExclusionMirror; ledger: MemoryLedger } {
  return { mirror: new ExclusionMirror({ watchlist, ledger, clock: () => NOW }), ledger };
}

describe('the watchlist client', () => {
  test('ensure creates the watchlist once, with the definition HuntOps reads it by', async () => {
    const watchlist = freshWatchlist();

    expect(await watchlist.ensure()).toEqual({ created: true });
    expect(await watchlist.ensure()).toEqual({ created: false });

    const stored = fixture.arm.sentinel().watchlists.get(watchlist.alias.toLowerCase())!;
    expect(stored.properties).toEqual({
      displayName: 'HuntOps exclusions',
      provider: 'HuntOps',
      itemsSearchKey: 'ExclusionId',
      source: 'HuntOps',
      sourceType: 'Local',
      description: expect.stringContaining('Kept by HuntOps'),
    });
    expect(fixture.arm.requests.filter((r) => r.path.endsWith(`/watchlists/${watchlist.alias}`) && r.method === 'PUT')).toHaveLength(1);
  });

  test('a watchlist of the same alias with another search key is refused, not taken over', async () => {
    const watchlist = freshWatchlist();
    fixture.arm.sentinel().putWatchlist(watchlist.alias, { properties: { displayName: 'Servers', provider: 'Contoso', itemsSearchKey: 'Hostname' } });

    const error = await watchlist.ensure().catch((e: unknown) => e);

    expect(error).toMatchObject({ failure: 'invalid', retryable: false });
    expect((error as Error).message).toContain('already exists with search key Hostname, not ExclusionId');
  });

  test('items written, listed across pages (nextLink), deleted; deleting a missing item says so', async () => {
    const watchlist = freshWatchlist();
    await watchlist.ensure();
    const ids = ['a', 'b', 'c', 'd', 'e'].map((x) => exclusionItemId({ id: x }));
    for (const [i, id] of ids.entries()) await watchlist.upsertItem(id, { ExclusionId: `x${i}`, DeviceId: `dev-${i}` });

    const listed = await watchlist.listItems();
    expect(listed.map((item) => item.itemId)).toEqual(ids);
    expect(listed[3]!.values).toEqual({ ExclusionId: 'x3', DeviceId: 'dev-3' });
    const pages = fixture.arm.requests.filter((r) => r.method === 'GET' && r.path.endsWith(`/watchlists/${watchlist.alias}/watchlistItems`));
    expect(pages).toHaveLength(3);

    expect(await watchlist.deleteItem(ids[0]!)).toBe(true);
    expect(await watchlist.deleteItem(ids[0]!)).toBe(false);
    expect([...items(watchlist).keys()]).toEqual(ids.slice(1));
  });

  test('403 names the Microsoft Sentinel Contributor role', async () => {
    const watchlist = freshWatchlist();
    fixture.arm.deny('watchlists');

    const error = (await watchlist.ensure().catch((e: unknown) => e)) as SentinelError;

    expect(error).toBeInstanceOf(SentinelError);
    expect(error).toMatchObject({ failure: 'forbidden', role: 'Microsoft Sentinel Contributor', retryable: false });
    expect(error.message).toContain("The bot's identity needs the Microsoft Sentinel Contributor role on workspace soc-sentinel");
    expect(error.message).toContain("perform action 'Microsoft.SecurityInsights/watchlists/write'");
  });
});

describe('exclusions mirrored to the watchlist', () => {
  test('an exclusion made from a hunt row appears with the columns a rule reads (its device id only: the row\'s name is no name to match), and disappears when removed', async () => {
    const watchlist = freshWatchlist();
    const { mirror, ledger } = mirrorOf(watchlist);
    const fromRow = exclusion('ex-row', { deviceId: '4d3c2b1a00112233445566778899aabbccddeeff', pattern: 'WS-FIN-014', expiresAt: new Date('2026-03-01T00:00:00.000Z') });

    await mirror.apply(fromRow);

    expect(items(watchlist).get(exclusionItemId(fromRow))).toEqual({
      ExclusionId: 'ex-row',
      DeviceId: '4d3c2b1a00112233445566778899aabbccddeeff',
      DeviceName: '',
      DevicePattern: '',
      Tool: 'kaseya',
      Reason: 'IT admin workstation, patching',
      ExcludedBy: 'Ada Analyst',
      ExcludedByObjectId: ADA.aadObjectId,
      ExcludedAt: '2026-01-15T08:00:00.000Z',
      ExpiresAt: '2026-03-01T00:00:00.000Z',
    });
    expect(ledger.ids).toEqual(new Set(['ex-row']));

    await mirror.apply({ ...fromRow, removedAt: NOW });
    expect(items(watchlist).size).toBe(0);
    expect(ledger.ids.size).toBe(0);

    await mirror.apply({ ...fromRow, expiresAt: new Date(NOW.getTime() - 1) });
    expect(items(watchlist).size).toBe(0);
    await mirror.apply(fromRow);
    expect(await mirror.remove(fromRow)).toBe(true);
    expect(await mirror.remove(fromRow)).toBe(false);
    expect(items(watchlist).size).toBe(0);
  });

  test('a pattern for every tool: no device id, no exact name, Tool *', async () => {
    const watchlist = freshWatchlist();
    const { mirror } = mirrorOf(watchlist);
    const pattern = exclusion('ex-pattern', { pattern: 'IT-ADM-*', scope: { kind: 'all' } });

    await mirror.apply(pattern);
    await mirror.apply(pattern);

    expect([...items(watchlist).values()]).toEqual([expect.objectContaining({ DeviceId: '', DeviceName: '', DevicePattern: 'IT-ADM-*', Tool: '*', ExpiresAt: '' })]);
  });

  test('a row excluded before exclusions bound device ids: its recorded name, literally, and no pattern', async () => {
    const watchlist = freshWatchlist();
    const { mirror } = mirrorOf(watchlist);
    await mirror.apply(exclusion('ex-legacy', { pattern: 'ws*', literalName: true }));

    expect([...items(watchlist).values()]).toEqual([expect.objectContaining({ DeviceId: '', DeviceName: 'ws*', DevicePattern: '' })]);
  });

  test('the watchlist deleted in Sentinel since is created again on the next exclusion', async () => {
    const watchlist = freshWatchlist();
    const { mirror } = mirrorOf(watchlist);
    await mirror.apply(exclusion('ex-1'));
    fixture.arm.sentinel().watchlists.delete(watchlist.alias.toLowerCase());

    await mirror.apply(exclusion('ex-2'));

    expect([...items(watchlist).values()].map((v) => v.ExclusionId)).toEqual(['ex-2']);
  });
});

describe('exclusions sync', () => {
  test('reconciles drift both ways: adds what is missing, deletes what is removed or expired, rewrites edits, reports deletions in Sentinel and unknown items', async () => {
    const watchlist = freshWatchlist();
    const { mirror, ledger } = mirrorOf(watchlist);
    const kept = exclusion('kept');
    const editedInSentinel = exclusion('edited');
    const deletedInSentinel = exclusion('deleted-in-sentinel');
    const removedInHuntOps = exclusion('removed');
    const expired = exclusion('expired', { expiresAt: new Date('2026-01-31T00:00:00.000Z') });
    for (const ex of [kept, editedInSentinel, deletedInSentinel, removedInHuntOps]) await mirror.apply(ex);
    await watchlist.upsertItem(exclusionItemId(expired), { ExclusionId: 'expired' });
    const neverMirrored = exclusion('never-mirrored', { pattern: 'SRV-MGMT-01' });
    const sentinel = fixture.arm.sentinel().watchlists.get(watchlist.alias.toLowerCase())!;
    sentinel.items.get(exclusionItemId(editedInSentinel).toLowerCase())!.values.Reason = 'changed in the portal';
    sentinel.items.delete(exclusionItemId(deletedInSentinel).toLowerCase());
    const handMade = '11111111-2222-4333-8444-555555555555';
    await watchlist.upsertItem(handMade, { ExclusionId: 'manual', DeviceName: 'LEGACY-01' });
    const puts = fixture.arm.requests.filter((r) => r.method === 'PUT').length;

    const report = await mirror.sync([kept, editedInSentinel, deletedInSentinel, { ...removedInHuntOps, removedAt: NOW }, expired, neverMirrored]);

    expect(report).toEqual({
      watchlist: watchlist.alias,
      createdWatchlist: false,
      added: ['never-mirrored'],
      removed: ['removed', 'expired'],
      rewritten: ['edited'],
      deletedInSentinel: ['deleted-in-sentinel'],
      restored: [],
      unknown: [{ itemId: handMade, values: { ExclusionId: 'manual', DeviceName: 'LEGACY-01' } }],
      failures: [],
    });
    const after = items(watchlist);
    expect([...after.values()].map((v) => v.ExclusionId).sort()).toEqual(['edited', 'kept', 'manual', 'never-mirrored']);
    expect(after.get(exclusionItemId(editedInSentinel))!.Reason).toBe('IT admin workstation, patching');
    expect(fixture.arm.requests.filter((r) => r.method === 'PUT').length - puts).toBe(2);
    expect(ledger.ids).toEqual(new Set(['kept', 'edited', 'deleted-in-sentinel', 'never-mirrored']));

    const second = await mirror.sync([kept, editedInSentinel, deletedInSentinel, neverMirrored]);
    expect(second).toMatchObject({ added: [], removed: [], rewritten: [], deletedInSentinel: ['deleted-in-sentinel'] });
  });

  test('restoreDeleted re-adds what was deleted in Sentinel, when the analyst asks', async () => {
    const watchlist = freshWatchlist();
    const { mirror } = mirrorOf(watchlist);
    const ex = exclusion('restore-me');
    await mirror.apply(ex);
    fixture.arm.sentinel().watchlists.get(watchlist.alias.toLowerCase())!.items.clear();

    const report = await mirror.sync([ex], { restoreDeleted: true });

    expect(report).toMatchObject({ deletedInSentinel: ['restore-me'], restored: ['restore-me'] });
    expect([...items(watchlist).values()].map((v) => v.ExclusionId)).toEqual(['restore-me']);
  });

  test('sync creates a missing watchlist; a failure on one item is reported and the others go on', async () => {
    const watchlist = freshWatchlist();
    const { mirror } = mirrorOf(watchlist);
    fixture.arm.beforeNextWrite(() => fixture.arm.failNextWrite({ kind: 'queryError', message: 'The item is not valid.' }));

    const report = await mirror.sync([exclusion('first'), exclusion('second')]);

    expect(report.createdWatchlist).toBe(true);
    expect(report.added).toEqual(['second']);
    expect(report.failures).toEqual([{ exclusionId: 'first', error: expect.objectContaining({ failure: 'invalid' }) }]);
  });

  test('without the Contributor role, sync stops with the forbidden error', async () => {
    const watchlist = freshWatchlist();
    await watchlist.ensure();
    fixture.arm.deny('watchlists');
    const { mirror } = mirrorOf(watchlist);

    const error = await mirror.sync([exclusion('a'), exclusion('b')]).catch((e: unknown) => e);

    expect(error).toMatchObject({ failure: 'forbidden', role: 'Microsoft Sentinel Contributor' });
    expect(fixture.arm.requests.filter((r) => r.method === 'PUT' && r.path.includes(watchlist.alias)).length).toBe(2);
  });
});
