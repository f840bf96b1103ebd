/**
 * The watch scheduler with a moved clock, on a real SQLite store file: baseline, new devices,
 * nothing new, exclusions and sanctions, unsanctioned instances, late data, catch-up after downtime,
 * failures and a run that died before posting.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/open-store';
import type { Actor, NewWatch, Store } from '../../src/store/store';
import type { ClassifyRequest, SanctionClassifier } from '../../src/watch/sanction-classifier';
import type { SanctionStatus } from '../../src/watch/sanction-instances';
import { WatchInputError, WatchScheduler, type WatchSchedulerOptions } from '../../src/watch/watch-scheduler';
import { lastRunSummary } from '../../src/watch/watch-summary';
import { TestClock } from '../store/store-contract';
import { AuditRecorder, posts, present, Telemetry } from './watch-fixtures';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TENANT = 'tenant-contoso';
const alice: Actor = { aadObjectId: 'aad-alice', name: 'Alice Analyst' };
const CHANNEL = { conversation: { id: '19:soc@thread.tacv2' }, serviceUrl: 'https://smba.example/emea/' };

const root = mkdtempSync(join(tmpdir(), 'huntops-watch-'));
let counter = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

let clock: TestClock;
let store: Store;
let telemetry: Telemetry;
let audit: AuditRecorder;
let classified: ClassifyRequest[];
/** What the network evidence says of each device (by DeviceId) of a tool sanctioned with instances. */
let evidence: Map<string, SanctionStatus>;

const classify: SanctionClassifier = async (request) => {
  classified.push(request);
  return new Map(request.devices.filter((d) => evidence.has(d.deviceId)).map((d) => [d.deviceId, evidence.get(d.deviceId)!]));
};

function scheduler(options: Partial<WatchSchedulerOptions> = {}): WatchScheduler {
  return new WatchScheduler({ store, runner: telemetry, classify, present, audit: audit.record, now: clock.now, ...options });
}

function watch(overrides: Partial<NewWatch> = {}): NewWatch {
  return {
    key: `activity-${++counter}`,
    tenant: TENANT,
    spec: { version: 1, hunt: { tools: ['kaseya'], subject: 'Kaseya' } },
    intervalMs: HOUR,
    baselineWindowMs: 5 * DAY,
    conversation: CHANNEL,
    createdBy: alice,
    ...overrides,
  };
}

beforeEach(async () => {
  clock = new TestClock();
  store = await openStore(`sqlite:${join(root, `case-${++counter}.db`)}`, { clock: clock.now });
  telemetry = new Telemetry(clock.now);
  audit = new AuditRecorder();
  classified = [];
  evidence = new Map();
});

afterEach(async () => {
  await store.close();
});

describe('a watch', () => {
  it('posts a baseline first, then only devices new to it, and nothing when nothing is new', async () => {
    for (const device of ['WS-1', 'WS-2', 'WS-3', 'WS-4']) telemetry.add(device, 'kaseya', { agoMs: 2 * DAY });
    telemetry.add('WS-OLD', 'kaseya', { agoMs: 6 * DAY });
    telemetry.add('WS-AD', 'anydesk', { agoMs: HOUR });
    const watches = scheduler();
    const { record } = await watches.createWatch(watch());

    const [baseline, ...none] = await watches.runDue();
    expect(none).toEqual([]);
    expect(baseline).toMatchObject({ id: record.id, kind: 'baseline', posts: 1, finished: true });
    expect(baseline!.window.start).toEqual(new Date(clock.now().getTime() - 5 * DAY));
    let outbox = await posts(store, TENANT);
    expect(outbox.map((p) => p.payload.text)).toEqual(['Kaseya: 4 devices now — you will hear about new ones.']);
    expect(outbox[0]).toMatchObject({ kind: 'post', target: CHANNEL, key: 'watch:1:baseline' });
    expect(await watches.runDue()).toEqual([]);

    clock.advance(HOUR - 1);
    expect(await watches.runDue()).toEqual([]);
    clock.advance(1);
    telemetry.add('WS-3', 'kaseya', { agoMs: 10 * MINUTE });
    telemetry.add('WS-5', 'kaseya', { agoMs: 20 * MINUTE, name: 'WS-5.contoso.local' });
    const [second] = await watches.runDue();
    expect(second).toMatchObject({ kind: 'new-devices', posts: 1 });
    outbox = await posts(store, TENANT);
    expect(outbox.map((p) => p.payload.text)).toEqual(['Kaseya: 4 devices now — you will hear about new ones.', 'Kaseya: 1 new device.']);
    expect(outbox[1]?.payload.devices).toEqual(['WS-5.contoso.local']);

    clock.advance(HOUR);
    telemetry.add('WS-5', 'kaseya', { agoMs: MINUTE });
    telemetry.add('WS-1', 'kaseya', { agoMs: MINUTE });
    // WS-3's sighting 70 minutes ago is inside the 30-minute overlap with the previous run: seen again, not new.
    const [third] = await watches.runDue();
    expect(third).toMatchObject({ kind: 'nothing-new', posts: 0 });
    expect(await posts(store, TENANT)).toHaveLength(2);
    const stored = await store.getWatch(TENANT, record.id);
    expect(stored).toMatchObject({ runs: 3, windowEnd: clock.now(), nextRunAt: new Date(clock.now().getTime() + HOUR) });
    expect(lastRunSummary(stored!)).toMatchObject({ kind: 'nothing-new', found: 3, reported: 0, posts: 0 });
    expect(audit.events.map((e) => e.action)).toEqual(['watch-create', 'watch-post', 'watch-post']);
    expect(audit.events[2]).toMatchObject({ action: 'watch-post', kind: 'new-devices', devices: 1, outboxId: outbox[1]!.id });
  });

  it('covers the time since the previous run plus the ingestion overlap, and sees late data', async () => {
    const watches = scheduler({ overlapMs: 30 * MINUTE });
    await watches.createWatch(watch({ intervalMs: 15 * MINUTE }));
    await watches.runDue();
    const baselineEnd = clock.now();
    telemetry.add('WS-LATE', 'kaseya', { agoMs: 2 * MINUTE, delayMs: 20 * MINUTE });

    clock.advance(15 * MINUTE);
    const [first] = await watches.runDue();
    expect(first).toMatchObject({ kind: 'nothing-new' });
    expect(first!.window).toEqual({ start: new Date(baselineEnd.getTime() - 30 * MINUTE), end: clock.now(), ms: 45 * MINUTE, truncated: false });

    clock.advance(15 * MINUTE);
    const [second] = await watches.runDue();
    expect(second).toMatchObject({ kind: 'new-devices', posts: 1 });
    expect((await posts(store, TENANT)).map((p) => p.payload.devices)).toEqual([[], ['WS-LATE']]);
  });

  it('does not report excluded devices, nor tools sanctioned without instances', async () => {
    const watches = scheduler();
    await watches.createWatch(watch({ spec: { version: 1, hunt: { tools: ['kaseya', 'anydesk'], subject: 'Kaseya and AnyDesk' } } }));
    await watches.runDue();
    await store.addExclusion({ key: 'x1', pattern: 'IT-ADM-*', scope: { kind: 'all' }, reason: 'admin workstations', createdBy: alice, expiresAt: null });
    await store.addExclusion({ key: 'x2', pattern: 'WS-9', scope: { kind: 'tool', toolId: 'anydesk' }, reason: 'help desk', createdBy: alice, expiresAt: null });
    await store.setSanction({ tenant: TENANT, toolId: 'anydesk', instances: [], reason: 'help desk tool', by: alice });
    await store.setSanction({ tenant: 'tenant-fabrikam', toolId: 'kaseya', instances: [], reason: 'another tenant', by: alice });

    clock.advance(HOUR);
    telemetry.add('IT-ADM-07', 'kaseya', { agoMs: MINUTE, name: 'it-adm-07.corp.example' });
    telemetry.add('WS-9', 'anydesk', { agoMs: MINUTE });
    telemetry.add('WS-10', 'anydesk', { agoMs: MINUTE });
    telemetry.add('WS-9', 'kaseya', { agoMs: MINUTE });
    const [run] = await watches.runDue();
    expect(run).toMatchObject({ kind: 'new-devices', posts: 1 });
    expect((await posts(store, TENANT)).at(-1)?.payload.devices).toEqual(['WS-9']);
    expect(lastRunSummary((await store.getWatch(TENANT, 1))!)).toMatchObject({ found: 4, reported: 1, excluded: 2, sanctioned: 1 });
    expect(classified).toEqual([]);

    await store.removeSanction(TENANT, 'anydesk');
    clock.advance(HOUR);
    telemetry.add('WS-10', 'anydesk', { agoMs: MINUTE });
    await watches.runDue();
    expect((await posts(store, TENANT)).at(-1)?.payload.devices).toEqual(['WS-10']);
  });

  it('reports a device whose agent talks to another instance of a sanctioned tool, once, and again when a quiet one starts to', async () => {
    const watches = scheduler();
    await store.setSanction({ tenant: TENANT, toolId: 'kaseya', instances: ['vsa.contoso.com'], reason: 'our RMM', by: alice });
    for (const device of ['WS-1', 'WS-2', 'WS-3']) telemetry.add(device, 'kaseya', { agoMs: DAY });
    evidence.set('id-WS-2', { status: 'unsanctioned-instance', instances: ['evil.kaseya.net', 'EVIL.kaseya.net', 'https://x.example:8443/p'] });
    evidence.set('id-WS-1', { status: 'sanctioned' });
    await watches.createWatch(watch());

    await watches.runDue();
    let outbox = await posts(store, TENANT);
    expect(outbox.map((p) => [p.payload.text, p.payload.devices])).toEqual([
      ['Kaseya: 1 device now — you will hear about new ones.', ['WS-2 → evil.kaseya.net x.example']],
    ]);
    expect(classified).toHaveLength(1);
    expect(classified[0]).toMatchObject({ tenant: TENANT, toolId: 'kaseya', sanction: { instances: ['vsa.contoso.com'] } });
    expect(classified[0]!.devices.map((d) => d.deviceId).sort()).toEqual(['id-WS-1', 'id-WS-2', 'id-WS-3']);

    clock.advance(HOUR);
    for (const device of ['WS-1', 'WS-2', 'WS-3']) telemetry.add(device, 'kaseya', { agoMs: MINUTE });
    evidence.set('id-WS-3', { status: 'unsanctioned-instance', instances: ['attacker.screenconnect.com'] });
    evidence.set('id-WS-2', { status: 'unsanctioned-instance', instances: ['other.kaseya.net'] });
    await watches.runDue();
    outbox = await posts(store, TENANT);
    expect(outbox.map((p) => [p.payload.text, p.payload.devices]).at(-1)).toEqual([
      'Kaseya: 1 new device (1 talks to an unsanctioned instance).',
      ['WS-3 → attacker.screenconnect.com'],
    ]);

    clock.advance(HOUR);
    await store.setSanction({ tenant: TENANT, toolId: 'kaseya', instances: ['vsa.contoso.com', 'attacker.screenconnect.com'], reason: 'oops, it is ours', by: alice });
    evidence.clear();
    telemetry.add('WS-1', 'kaseya', { agoMs: MINUTE });
    telemetry.add('WS-7', 'kaseya', { agoMs: MINUTE });
    evidence.set('id-WS-7', { status: 'not-sanctioned' });
    await watches.runDue();
    expect((await posts(store, TENANT)).at(-1)?.payload.devices).toEqual(['WS-7']);

    clock.advance(HOUR);
    telemetry.add('WS-7', 'kaseya', { agoMs: MINUTE });
    evidence.set('id-WS-7', { status: 'unsanctioned-instance', instances: ['203.0.113.50'] });
    await watches.runDue();
    clock.advance(HOUR);
    telemetry.add('WS-7', 'kaseya', { agoMs: MINUTE });
    await watches.runDue();
    outbox = await posts(store, TENANT);
    expect(outbox.slice(2).map((p) => p.payload.devices)).toEqual([['WS-7'], ['WS-7 → 203.0.113.50']]);
  });

  it('catches up after downtime with one run over the whole gap, not one per missed interval', async () => {
    const watches = scheduler({ overlapMs: 30 * MINUTE });
    await watches.createWatch(watch({ intervalMs: 15 * MINUTE }));
    await watches.runDue();
    const before = clock.now();

    clock.advance(3 * DAY);
    telemetry.add('WS-DAY1', 'kaseya', { agoMs: 2 * DAY + 20 * HOUR });
    telemetry.add('WS-DAY2', 'kaseya', { agoMs: DAY });
    telemetry.add('WS-DAY3', 'kaseya', { agoMs: HOUR });
    const runs = await watches.runDue();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ kind: 'new-devices', posts: 1 });
    expect(runs[0]!.window.start).toEqual(new Date(before.getTime() - 30 * MINUTE));
    expect(await watches.runDue()).toEqual([]);
    expect(telemetry.windows).toHaveLength(2);
    expect((await posts(store, TENANT)).at(-1)?.payload).toMatchObject({ text: 'Kaseya: 3 new devices.', devices: ['WS-DAY1', 'WS-DAY2', 'WS-DAY3'] });
    expect((await store.getWatch(TENANT, 1))?.nextRunAt).toEqual(new Date(clock.now().getTime() + 15 * MINUTE));
  });

  it('caps a catch-up window at the longest window and says so', async () => {
    const watches = scheduler({ maxWindowMs: 7 * DAY });
    await watches.createWatch(watch());
    await watches.runDue();
    clock.advance(20 * DAY);
    const [run] = await watches.runDue();
    expect(run!.window).toMatchObject({ start: new Date(clock.now().getTime() - 7 * DAY), truncated: true });
    expect(lastRunSummary((await store.getWatch(TENANT, 1))!)).toMatchObject({ truncated: true });
  });

  it('retries a failed run without losing its window, and posts nothing for it', async () => {
    const watches = scheduler({ retryMs: 5 * MINUTE });
    await watches.createWatch(watch());
    await watches.runDue();
    const baselineEnd = clock.now();
    clock.advance(HOUR);
    telemetry.add('WS-NEW', 'kaseya', { agoMs: 30 * MINUTE });
    telemetry.failWith = new Error('Log Analytics answered 429');
    const [failed] = await watches.runDue();
    expect(failed).toMatchObject({ kind: 'failed', posts: 0, finished: true });
    const stored = await store.getWatch(TENANT, 1);
    expect(stored).toMatchObject({ runs: 1, windowEnd: baselineEnd, nextRunAt: new Date(clock.now().getTime() + 5 * MINUTE) });
    expect(lastRunSummary(stored!)).toMatchObject({ kind: 'failed', error: 'Log Analytics answered 429' });

    telemetry.failWith = undefined;
    clock.advance(5 * MINUTE);
    const [retried] = await watches.runDue();
    expect(retried).toMatchObject({ kind: 'new-devices', posts: 1 });
    expect(retried!.window.start).toEqual(new Date(baselineEnd.getTime() - 30 * MINUTE));
    expect((await posts(store, TENANT)).map((p) => p.payload.devices)).toEqual([[], ['WS-NEW']]);
  });

  it('posts a run that died after recording its devices exactly once, with the next run', async () => {
    let failPresent = false;
    const watches = scheduler({
      present: (w, batch) => {
        if (failPresent) throw new Error('the card renderer crashed');
        return present(w, batch);
      },
    });
    await watches.createWatch(watch());
    await watches.runDue();
    clock.advance(HOUR);
    telemetry.add('WS-NEW', 'kaseya', { agoMs: MINUTE });
    failPresent = true;
    expect((await watches.runDue())[0]).toMatchObject({ kind: 'failed', posts: 0 });
    expect(await posts(store, TENANT)).toHaveLength(1);

    failPresent = false;
    clock.advance(5 * MINUTE);
    telemetry.add('WS-NEWER', 'kaseya', { agoMs: MINUTE });
    expect((await watches.runDue())[0]).toMatchObject({ kind: 'new-devices', posts: 2 });
    clock.advance(HOUR);
    await watches.runDue();
    expect((await posts(store, TENANT)).map((p) => p.payload.devices)).toEqual([[], ['WS-NEW'], ['WS-NEWER']]);
  });

  it('runs no more once stopped, and audits the stop', async () => {
    const watches = scheduler();
    await watches.createWatch(watch());
    await watches.runDue();
    const stopped = await watches.stopWatch({ tenant: TENANT, id: 1 }, alice);
    expect(stopped?.stopped).toBe(true);
    expect((await watches.stopWatch({ tenant: TENANT, id: 1 }, alice))?.stopped).toBe(false);
    expect(await watches.stopWatch({ tenant: TENANT, id: 9 }, alice)).toBeUndefined();
    clock.advance(DAY);
    telemetry.add('WS-NEW', 'kaseya', { agoMs: MINUTE });
    expect(await watches.runDue()).toEqual([]);
    expect(audit.events.map((e) => e.action)).toEqual(['watch-create', 'watch-post', 'watch-stop']);
  });

  it('refuses intervals outside its bounds, and accepts seconds when the minimum allows', async () => {
    const watches = scheduler();
    await expect(watches.createWatch(watch({ intervalMs: 14 * MINUTE }))).rejects.toThrow(new WatchInputError('A watch runs at most every 15 minutes.'));
    await expect(watches.createWatch(watch({ intervalMs: 8 * DAY }))).rejects.toThrow(new WatchInputError('A watch runs at least every 7 days.'));
    expect(await store.listWatches()).toEqual([]);
    const demo = scheduler({ minIntervalMs: 5_000 });
    const { record } = await demo.createWatch(watch({ intervalMs: 5_000 }));
    await demo.runDue();
    clock.advance(5_000);
    telemetry.add('WS-NEW', 'kaseya');
    expect((await demo.runDue()).map((r) => [r.id, r.kind])).toEqual([[record.id, 'new-devices']]);
  });

  it('keeps each tenant to its own sanctions and numbering', async () => {
    const watches = scheduler();
    await store.setSanction({ tenant: 'tenant-fabrikam', toolId: 'kaseya', instances: [], reason: 'theirs', by: alice });
    telemetry.add('WS-1', 'kaseya', { agoMs: HOUR });
    await watches.createWatch(watch());
    await watches.createWatch(watch({ tenant: 'tenant-fabrikam' }));
    await watches.runDue();
    expect((await posts(store, TENANT)).map((p) => p.payload.text)).toEqual(['Kaseya: 1 device now — you will hear about new ones.']);
    expect((await posts(store, 'tenant-fabrikam')).map((p) => p.payload.text)).toEqual(['Kaseya: no devices now — you will hear about new ones.']);
  });
});

describe('the timer', () => {
  it('runs the baseline of a new watch at once and keeps polling until stopped', async () => {
    const watches = scheduler({ pollMs: 20 });
    watches.start();
    await watches.createWatch(watch());
    const deadline = Date.now() + 5_000;
    while ((await posts(store, TENANT)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await posts(store, TENANT)).toHaveLength(1);
    clock.advance(HOUR);
    telemetry.add('WS-NEW', 'kaseya');
    while ((await posts(store, TENANT)).length === 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await posts(store, TENANT)).toHaveLength(2);
    await watches.stop();
    clock.advance(HOUR);
    telemetry.add('WS-NEWER', 'kaseya');
    await new Promise((r) => setTimeout(r, 100));
    expect(await posts(store, TENANT)).toHaveLength(2);
  });
});

describe('the scheduler started', () => {
  it('runs a watch created in a turn outside that turn (its runs are not the turn\'s work)', async () => {
    const turn = new AsyncLocalStorage<string>();
    const seen: Array<string | undefined> = [];
    const runner = { runHunt: async (...args: Parameters<Telemetry['runHunt']>) => (seen.push(turn.getStore()), telemetry.runHunt(...args)) };
    const watches = scheduler({ runner, pollMs: 60_000 });
    watches.start();
    try {
      // The first look (nothing due) is over; the next is a minute away: only the new watch wakes it.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await turn.run('turn-1', () => watches.createWatch(watch()));
      const deadline = Date.now() + 5_000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(seen).toEqual([undefined]);
    } finally {
      await watches.stop();
    }
  });
});
