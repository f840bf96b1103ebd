/**
 * Two bot instances on one store (a SQLite file, and Azure Tables on Azurite), each with its own
 * store connection and watch scheduler, run the same watches round after round at the same moments:
 * each due run happens once, each watch posts one baseline, and each new device is posted exactly
 * once. A run held up past its lease is taken over, and the late holder posts nothing twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store';
import type { Actor, Store } from '../../src/store/store';
import type { WatchHuntRunner } from '../../src/watch/hunt-runner';
import { WatchScheduler, type WatchRunReport } from '../../src/watch/watch-scheduler';
import { startAzurite, type Azurite } from '../support/azurite';
import { TestClock } from '../store/store-contract';
import { posts, present, Telemetry } from './watch-fixtures';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const alice: Actor = { aadObjectId: 'aad-alice', name: 'Alice Analyst' };
const WATCHES = [
  { tenant: 'tenant-contoso', tools: ['kaseya'], subject: 'Kaseya' },
  { tenant: 'tenant-contoso', tools: ['anydesk', 'screenconnect'], subject: 'AnyDesk and ScreenConnect' },
  { tenant: 'tenant-fabrikam', tools: ['kaseya'], subject: 'Kaseya' },
];

const root = mkdtempSync(join(tmpdir(), 'huntops-two-schedulers-'));
let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
  rmSync(root, { recursive: true, force: true });
});

const storages: Array<[string, () => (clock: () => Date) => Promise<Store>]> = [
  [
    'a SQLite file',
    () => {
      const path = join(root, `${randomBytes(4).toString('hex')}.db`);
      return (clock) => openStore(`sqlite:${path}`, { clock });
    },
  ],
  [
    'Azure Tables (Azurite)',
    () => {
      const tablePrefix = `t${randomBytes(6).toString('hex')}`;
      return (clock) => openStore(`azuretables:${azurite.connectionString}`, { clock, tablePrefix });
    },
  ],
];

describe.each(storages)('two schedulers on %s', (_, storage) => {
  jest.setTimeout(120_000);
  let clock: TestClock;
  let stores: Store[];

  beforeEach(async () => {
    clock = new TestClock();
    const open = storage();
    stores = [await open(clock.now), await open(clock.now)];
  });

  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });

  function scheduler(store: Store, runner: WatchHuntRunner): WatchScheduler {
    return new WatchScheduler({ store, runner, classify: async () => new Map(), present, now: clock.now, overlapMs: 30 * MINUTE });
  }

  it('runs each due run once and posts each new device exactly once', async () => {
    const telemetry = new Telemetry(clock.now);
    const [a, b] = stores.map((store) => scheduler(store, telemetry)) as [WatchScheduler, WatchScheduler];
    for (const [i, w] of WATCHES.entries()) {
      await a.createWatch({
        key: `watch-${i}`,
        tenant: w.tenant,
        spec: { version: 1, hunt: { tools: w.tools, subject: w.subject } },
        intervalMs: HOUR,
        baselineWindowMs: 2 * HOUR,
        conversation: { conversation: { id: `19:channel-${i}@thread.tacv2` } },
        createdBy: alice,
      });
    }
    const added = new Map<string, Set<string>>();
    const add = (device: string, tool: string): void => {
      telemetry.add(device, tool, { agoMs: 5 * MINUTE });
      added.set(tool, (added.get(tool) ?? new Set()).add(device));
    };
    add('WS-BASE-1', 'kaseya');
    add('WS-BASE-2', 'anydesk');

    const reports: WatchRunReport[] = [];
    for (let round = 0; round < 6; round++) {
      if (round > 0) {
        clock.advance(HOUR);
        for (let d = 0; d < 4; d++) add(`WS-${round}-${d}`, ['kaseya', 'anydesk', 'screenconnect', 'kaseya'][d]!);
        add(`WS-${round - 1}-0`, 'kaseya');
      }
      const ran = await Promise.all([a.runDue(), b.runDue(), a.runDue(), b.runDue()]);
      reports.push(...ran.flat());
      expect(ran.flat()).toHaveLength(WATCHES.length);
    }
    expect(reports.every((report) => report.finished)).toBe(true);

    for (const [i, w] of WATCHES.entries()) {
      const of = (await posts(stores[0]!, w.tenant)).filter((post) => post.payload.watch === (w.tenant === 'tenant-fabrikam' ? 1 : i + 1));
      expect(of.filter((post) => post.key.endsWith(':baseline'))).toHaveLength(1);
      const devices = of.flatMap((post) => post.payload.devices);
      const expected = w.tools.flatMap((tool) => [...(added.get(tool) ?? [])]);
      expect(devices.sort()).toEqual(expected.sort());
    }
  });

  it('lets a run held past its lease be taken over, and the late holder posts nothing twice', async () => {
    const telemetry = new Telemetry(clock.now);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding = false;
    let entered: () => void = () => undefined;
    const claimed = new Promise<void>((resolve) => (entered = resolve));
    const slow: WatchHuntRunner = {
      async runHunt(spec, window) {
        if (holding) {
          entered();
          await held;
        }
        return telemetry.runHunt(spec, window);
      },
    };
    const leaseMs = 10 * MINUTE;
    const a = new WatchScheduler({ store: stores[0]!, runner: slow, classify: async () => new Map(), present, now: clock.now, leaseMs });
    const b = new WatchScheduler({ store: stores[1]!, runner: telemetry, classify: async () => new Map(), present, now: clock.now, leaseMs });
    await a.createWatch({
      key: 'w',
      tenant: 'tenant-contoso',
      spec: { version: 1, hunt: { tools: ['kaseya'], subject: 'Kaseya' } },
      intervalMs: HOUR,
      baselineWindowMs: HOUR,
      conversation: { conversation: { id: '19:c@thread.tacv2' } },
      createdBy: alice,
    });
    await a.runDue();
    clock.advance(HOUR);
    telemetry.add('WS-NEW', 'kaseya', { agoMs: MINUTE });
    holding = true;
    const late = a.runDue();
    await claimed;
    expect(await b.runDue()).toEqual([]);
    clock.advance(leaseMs);
    const [takeover] = await b.runDue();
    expect(takeover).toMatchObject({ kind: 'new-devices', posts: 1, finished: true });
    release();
    const [lateReport] = await late;
    expect(lateReport).toMatchObject({ kind: 'nothing-new', posts: 0, finished: false });
    expect((await posts(stores[0]!, 'tenant-contoso')).map((post) => post.payload.devices)).toEqual([[], ['WS-NEW']]);
    expect((await stores[1]!.getWatch('tenant-contoso', 1))?.nextRunAt).toEqual(new Date(clock.now().getTime() + HOUR));
  });
});
