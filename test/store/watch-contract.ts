/**
 * The store contract for watches, sightings, sanctions and `post` outbox items: every {@link Store}
 * implementation passes it (registered by `sqlite.test.ts` and `azure-tables.test.ts` beside the
 * main contract). Several store instances on one storage stand for several bot instances.
 */
import type { Actor, NewWatch, NewWatchSighting, Store, WatchRef } from '../../src/store/store';
import { StoreError } from '../../src/store/store-error';
import { TestClock, type ContractHarness, type StoreLocation } from './store-contract';

const MINUTE = 60_000;
const DAY = 86_400_000;
const alice: Actor = { aadObjectId: 'aad-alice', name: 'Alice Analyst' };
const bob: Actor = { aadObjectId: 'aad-bob', name: 'Bob Responder' };
const TENANT = 'tenant-contoso';
const CHANNEL = { conversation: { id: '19:soc@thread.tacv2', tenantId: TENANT }, serviceUrl: 'https://smba.example/emea/', bot: { id: 'b' } };

function newWatch(overrides: Partial<NewWatch> = {}): NewWatch {
  return {
    key: 'activity-1',
    tenant: TENANT,
    spec: { version: 1, hunt: { toolId: 'kaseya', kind: 'file-signature', note: 'ünïcode ✓' } },
    intervalMs: 15 * MINUTE,
    baselineWindowMs: 5 * DAY,
    conversation: CHANNEL,
    createdBy: alice,
    ...overrides,
  };
}

function sighting(i: number, overrides: Partial<NewWatchSighting> = {}): NewWatchSighting {
  return {
    deviceId: `dev-${String(i).padStart(3, '0')}`,
    deviceName: `WS-FIN-${String(i).padStart(3, '0')}.contoso.local`,
    toolId: 'kaseya',
    firstSeen: new Date(Date.UTC(2026, 0, 10, 0, 0, i)),
    lastSeen: new Date(Date.UTC(2026, 0, 14, 0, 0, i)),
    count: 3_000_000_000 + i,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('expected a StoreError, but the call succeeded');
}

/** Registers the watch contract for one implementation. */
export function describeWatchContract(name: string, harness: () => ContractHarness): void {
  describe(`${name} store contract: watches and sanctions`, () => {
    jest.setTimeout(60_000);
    let location: StoreLocation;
    let clock: TestClock;
    const opened: Store[] = [];

    async function open(): Promise<Store> {
      const store = await location.open({ clock: clock.now });
      opened.push(store);
      return store;
    }

    beforeEach(async () => {
      location = await harness().fresh();
      clock = new TestClock();
    });

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    describe('watches', () => {
      it('numbers watches per tenant, creates each once per key, and reads them back', async () => {
        const store = await open();
        const first = await store.createWatch(newWatch());
        expect(first.created).toBe(true);
        expect(first.record).toEqual({
          ...newWatch(),
          id: 1,
          createdAt: clock.now(),
          nextRunAt: clock.now(),
          runs: 0,
        });
        clock.advance(1000);
        expect(await store.createWatch(newWatch({ intervalMs: DAY, createdBy: bob }))).toEqual({ record: first.record, created: false });
        const second = await store.createWatch(newWatch({ key: 'activity-2', firstRunAt: new Date(clock.now().getTime() + MINUTE) }));
        expect(second.record).toMatchObject({ id: 2, createdAt: clock.now(), nextRunAt: new Date(clock.now().getTime() + MINUTE) });
        const other = await store.createWatch(newWatch({ tenant: 'tenant-fabrikam' }));
        expect(other.record.id).toBe(1);
        expect(await store.getWatch(TENANT, 1)).toEqual(first.record);
        expect(await store.getWatch('tenant-fabrikam', 2)).toBeUndefined();
        for (const bad of [0, -1, 1.5, Number.NaN, 99]) expect(await store.getWatch(TENANT, bad)).toBeUndefined();
        expect((await store.listWatches({ tenant: TENANT })).map((w) => w.id)).toEqual([1, 2]);
        expect((await store.listWatches()).map((w) => `${w.tenant}/${w.id}`)).toEqual([`${TENANT}/1`, `${TENANT}/2`, 'tenant-fabrikam/1']);
      });

      it('refuses malformed watches', async () => {
        const store = await open();
        for (const bad of [
          newWatch({ key: '' }),
          newWatch({ tenant: '' }),
          newWatch({ intervalMs: 0 }),
          newWatch({ intervalMs: 1.5 }),
          newWatch({ baselineWindowMs: -1 }),
          newWatch({ spec: { version: 0, hunt: {} } }),
          newWatch({ firstRunAt: new Date(Number.NaN) }),
        ]) {
          expect((await rejection(store.createWatch(bad))).code).toBe('invalid');
        }
        expect(await store.listWatches()).toEqual([]);
      });

      it('claims a due watch once, and gives it to another claimer only when the lease has expired', async () => {
        const [a, b] = [await open(), await open()];
        const { record } = await a.createWatch(newWatch({ firstRunAt: new Date(clock.now().getTime() + MINUTE) }));
        expect(await a.claimDueWatches()).toEqual([]);
        clock.advance(MINUTE);
        const [held, ...none] = await a.claimDueWatches({ leaseMs: 10 * MINUTE });
        expect(none).toEqual([]);
        expect(held).toMatchObject({ id: record.id, tenant: TENANT, lease: { tenant: TENANT, id: record.id, expiresAt: new Date(clock.now().getTime() + 10 * MINUTE) } });
        expect(await b.claimDueWatches()).toEqual([]);
        clock.advance(10 * MINUTE - 1);
        expect(await b.claimDueWatches()).toEqual([]);
        clock.advance(1);
        const [taken] = await b.claimDueWatches({ leaseMs: 10 * MINUTE });
        expect(taken?.lease.token).not.toBe(held!.lease.token);
        const windowEnd = clock.now();
        const done = { status: 'done' as const, windowEnd, nextRunAt: new Date(windowEnd.getTime() + 15 * MINUTE), result: { devices: 4 } };
        expect(await a.finishWatchRun(held!.lease, done)).toBe(false);
        expect(await b.finishWatchRun(taken!.lease, done)).toBe(true);
        expect(await b.finishWatchRun(taken!.lease, done)).toBe(false);
        expect(await a.getWatch(TENANT, record.id)).toMatchObject({ runs: 1, windowEnd, lastRunAt: clock.now(), nextRunAt: done.nextRunAt, lastResult: { devices: 4 } });
        expect(await a.claimDueWatches()).toEqual([]);
        clock.advance(15 * MINUTE);
        expect((await a.claimDueWatches()).map((w) => w.id)).toEqual([record.id]);
      });

      it('lets a holder finish after its lease expired when nobody took the watch over', async () => {
        const store = await open();
        await store.createWatch(newWatch());
        const [held] = await store.claimDueWatches({ leaseMs: MINUTE });
        clock.advance(5 * MINUTE);
        const next = new Date(clock.now().getTime() + 15 * MINUTE);
        expect(await store.finishWatchRun(held!.lease, { status: 'done', windowEnd: clock.now(), nextRunAt: next, result: null })).toBe(true);
        expect(await store.claimDueWatches()).toEqual([]);
      });

      it('keeps the window of a failed run, so that the next run covers it too', async () => {
        const store = await open();
        await store.createWatch(newWatch());
        let [held] = await store.claimDueWatches();
        const baselineEnd = clock.now();
        await store.finishWatchRun(held!.lease, { status: 'done', windowEnd: baselineEnd, nextRunAt: new Date(baselineEnd.getTime() + 15 * MINUTE), result: { kind: 'baseline' } });
        clock.advance(15 * MINUTE);
        [held] = await store.claimDueWatches();
        expect(held?.windowEnd).toEqual(baselineEnd);
        const retryAt = new Date(clock.now().getTime() + 5 * MINUTE);
        expect(await store.finishWatchRun(held!.lease, { status: 'failed', nextRunAt: retryAt, result: { error: 'throttled' } })).toBe(true);
        expect(await store.getWatch(TENANT, 1)).toMatchObject({ runs: 1, windowEnd: baselineEnd, nextRunAt: retryAt, lastRunAt: clock.now(), lastResult: { error: 'throttled' } });
        expect((await rejection(store.finishWatchRun(held!.lease, { status: 'failed', nextRunAt: new Date(Number.NaN), result: null }))).code).toBe('invalid');
      });

      it('stops a watch once: it is never claimed again, and its runs post nothing more', async () => {
        const store = await open();
        await store.createWatch(newWatch());
        await store.createWatch(newWatch({ key: 'activity-2' }));
        const [held] = await store.claimDueWatches({ limit: 1 });
        await store.recordWatchSightings({ tenant: TENANT, id: 1 }, { runKey: 'baseline', kind: 'baseline' }, [sighting(1)]);
        clock.advance(1000);
        const stopped = await store.stopWatch({ tenant: TENANT, id: 1 }, bob);
        expect(stopped).toMatchObject({ stopped: true, record: { id: 1, stoppedAt: clock.now(), stoppedBy: bob } });
        clock.advance(1000);
        expect(await store.stopWatch({ tenant: TENANT, id: 1 }, alice)).toEqual({ record: stopped!.record, stopped: false });
        expect(await store.stopWatch({ tenant: TENANT, id: 7 }, alice)).toBeUndefined();
        expect(await store.enqueueWatchPost({ tenant: TENANT, id: 1 }, 'baseline', { target: CHANNEL, payload: { text: 'x' } })).toBeUndefined();
        expect(await store.listOutbox()).toEqual([]);
        expect(await store.finishWatchRun(held!.lease, { status: 'done', windowEnd: clock.now(), nextRunAt: clock.now(), result: null })).toBe(true);
        clock.advance(DAY);
        expect((await store.claimDueWatches()).map((w) => w.id)).toEqual([2]);
        expect((await store.listWatches({ tenant: TENANT, active: true })).map((w) => w.id)).toEqual([2]);
        expect((await store.listWatches({ tenant: TENANT })).map((w) => w.id)).toEqual([1, 2]);
      });

      it('never gives one due run to two instances claiming at once', async () => {
        const [a, b] = [await open(), await open()];
        for (let i = 0; i < 24; i++) await a.createWatch(newWatch({ key: `k-${i}`, tenant: `tenant-${i % 3}` }));
        const claims = await Promise.all([a, b, a, b].map((store) => store.claimDueWatches({ limit: 4 })));
        const more = await Promise.all([b, a].map((store) => store.claimDueWatches({ limit: 100 })));
        const ids = [...claims, ...more].flat().map((w) => `${w.tenant}/${w.id}`);
        expect(ids).toHaveLength(24);
        expect(new Set(ids).size).toBe(24);
      });
    });

    describe('sightings and posts', () => {
      const ref: WatchRef = { tenant: TENANT, id: 1 };

      it('records each device once per watch and tool, and once more when it gains unsanctioned instances', async () => {
        const store = await open();
        await store.createWatch(newWatch());
        await store.createWatch(newWatch({ key: 'activity-2' }));
        expect(await store.recordWatchSightings(ref, { runKey: 'baseline', kind: 'baseline' }, [sighting(1), sighting(2)])).toEqual({ recorded: 2 });
        clock.advance(1000);
        const run2 = [sighting(2, { deviceName: 'renamed' }), sighting(3), sighting(1, { toolId: 'anydesk' })];
        expect(await store.recordWatchSightings(ref, { runKey: 'run-2', kind: 'new-devices' }, run2)).toEqual({ recorded: 2 });
        expect(await store.recordWatchSightings(ref, { runKey: 'run-2', kind: 'new-devices' }, run2)).toEqual({ recorded: 0 });
        clock.advance(1000);
        const foreign = sighting(2, { unsanctionedInstances: ['evil.screenconnect.com', '203.0.113.9'] });
        expect(await store.recordWatchSightings(ref, { runKey: 'run-3', kind: 'new-devices' }, [foreign, sighting(3, { unsanctionedInstances: ['x.example'] })])).toEqual({ recorded: 2 });
        expect(await store.recordWatchSightings(ref, { runKey: 'run-4', kind: 'new-devices' }, [sighting(2), sighting(3, { unsanctionedInstances: ['y.example'] })])).toEqual({ recorded: 0 });
        expect(await store.recordWatchSightings({ tenant: TENANT, id: 2 }, { runKey: 'run-2', kind: 'new-devices' }, [sighting(1)])).toEqual({ recorded: 1 });

        const seen = await store.listWatchSightings(ref);
        expect(seen.map((x) => `${x.toolId}/${x.deviceId}@${x.runKey}`)).toEqual([
          'anydesk/dev-001@run-2',
          'kaseya/dev-001@baseline',
          'kaseya/dev-002@run-3',
          'kaseya/dev-003@run-3',
        ]);
        expect(seen[2]).toEqual({ ...foreign, runKey: 'run-3', recordedAt: clock.now() });
        expect(seen[1]).toEqual({ ...sighting(1), runKey: 'baseline', recordedAt: new Date(clock.now().getTime() - 2000) });
      });

      it('keeps a batch pending until its post is enqueued, and enqueues each post once', async () => {
        const store = await open();
        await store.createWatch(newWatch());
        await store.recordWatchSightings(ref, { runKey: 'baseline', kind: 'baseline' }, []);
        clock.advance(1000);
        await store.recordWatchSightings(ref, { runKey: 'run-2', kind: 'new-devices' }, [sighting(5), sighting(4)]);
        await store.recordWatchSightings(ref, { runKey: 'run-3', kind: 'new-devices' }, [sighting(4)]);
        const pending = await store.listPendingWatchBatches(ref);
        expect(pending.map((b) => [b.runKey, b.kind, b.status, b.sightings.map((x) => x.deviceId)])).toEqual([
          ['baseline', 'baseline', 'pending', []],
          ['run-2', 'new-devices', 'pending', ['dev-004', 'dev-005']],
        ]);
        expect(pending[1]?.createdAt).toEqual(clock.now());

        const message = { target: CHANNEL, payload: { text: '2 new devices', devices: ['dev-004', 'dev-005'] } };
        const first = await store.enqueueWatchPost(ref, 'run-2', message);
        expect(first).toMatchObject({ created: true, record: { team: TENANT, kind: 'post', key: 'watch:1:run-2', target: CHANNEL, payload: message.payload, status: 'pending' } });
        expect(first?.record.incidentNumber).toBeUndefined();
        expect(await store.enqueueWatchPost(ref, 'run-2', { target: CHANNEL, payload: { text: 'again' } })).toEqual({ record: first!.record, created: false });
        expect((await store.listPendingWatchBatches(ref)).map((b) => b.runKey)).toEqual(['baseline']);
        expect(await store.enqueueWatchPost(ref, 'no-such-run', message)).toBeUndefined();
        expect(await store.enqueueWatchPost({ tenant: 'tenant-fabrikam', id: 1 }, 'run-2', message)).toBeUndefined();
        expect((await rejection(store.recordWatchSightings(ref, { runKey: 'run-2', kind: 'new-devices' }, [sighting(9)]))).code).toBe('conflict');

        const [claimed] = await store.claimOutbox();
        expect(claimed).toMatchObject({ id: first!.record.id, kind: 'post', payload: message.payload });
        expect(await store.completeOutbox(claimed!.lease, { activityId: 'posted-1' })).toBe(true);
        expect(await store.enqueueWatchPost(ref, 'run-2', message)).toMatchObject({ created: false, record: { status: 'sent', activityId: 'posted-1' } });
        expect(await store.listOutbox({ team: TENANT })).toHaveLength(1);
      });

      it('refuses malformed runs and devices, and an unknown watch', async () => {
        const store = await open();
        await store.createWatch(newWatch());
        const batch = { runKey: 'run-1', kind: 'new-devices' as const };
        for (const [bad, devices] of [
          [{ runKey: 'a/b', kind: 'new-devices' as const }, [sighting(1)]],
          [{ runKey: '', kind: 'new-devices' as const }, [sighting(1)]],
          [{ runKey: 'r', kind: 'later' as 'baseline' }, [sighting(1)]],
          [batch, [sighting(1), sighting(1)]],
          [batch, [sighting(1, { deviceId: '' })]],
          [batch, [sighting(1, { count: -1 })]],
          [batch, [sighting(1, { lastSeen: new Date(Number.NaN) })]],
          [batch, [sighting(1, { unsanctionedInstances: ['https://evil.example/'] })]],
        ] as const) {
          expect((await rejection(store.recordWatchSightings(ref, bad, devices))).code).toBe('invalid');
        }
        expect((await rejection(store.recordWatchSightings({ tenant: TENANT, id: 2 }, batch, [sighting(1)]))).code).toBe('not-found');
        expect(await store.listWatchSightings(ref)).toEqual([]);
        expect(await store.listPendingWatchBatches(ref)).toEqual([]);
      });

      it('records each device once when two instances record overlapping runs at once', async () => {
        const [a, b] = [await open(), await open()];
        await a.createWatch(newWatch());
        const devices = Array.from({ length: 60 }, (_, i) => sighting(i));
        const results = await Promise.all([
          a.recordWatchSightings(ref, { runKey: 'run-a', kind: 'new-devices' }, devices.slice(0, 45)),
          b.recordWatchSightings(ref, { runKey: 'run-b', kind: 'new-devices' }, devices.slice(15)),
          a.recordWatchSightings(ref, { runKey: 'run-c', kind: 'new-devices' }, devices.filter((_, i) => i % 2 === 0)),
        ]);
        expect(results.reduce((sum, r) => sum + r.recorded, 0)).toBe(60);
        const pending = await b.listPendingWatchBatches(ref);
        const reported = pending.flatMap((batch) => batch.sightings.map((x) => x.deviceId));
        expect(reported.sort()).toEqual(devices.map((d) => d.deviceId).sort());
        await Promise.all(pending.flatMap((batch) => [a, b].map((store) => store.enqueueWatchPost(ref, batch.runKey, { target: CHANNEL, payload: { run: batch.runKey } }))));
        expect((await a.listOutbox({ team: TENANT })).map((item) => item.key).sort()).toEqual(pending.map((batch) => `watch:1:${batch.runKey}`).sort());
        expect(await a.listPendingWatchBatches(ref)).toEqual([]);
      });
    });

    describe('sanctions', () => {
      it('sets, replaces, lists per tenant and removes sanctioned tools', async () => {
        const store = await open();
        const first = await store.setSanction({ tenant: TENANT, toolId: 'kaseya', instances: ['vsa.contoso.com'], reason: 'our RMM', by: alice });
        expect(first).toEqual({ record: { tenant: TENANT, toolId: 'kaseya', instances: ['vsa.contoso.com'], reason: 'our RMM', by: alice, at: clock.now() } });
        clock.advance(1000);
        const replaced = await store.setSanction({ tenant: TENANT, toolId: 'kaseya', instances: ['vsa.contoso.com', 'xn--krmer-gra.example', '10.1.2.3'], reason: 'second site', by: bob });
        expect(replaced).toEqual({
          record: { tenant: TENANT, toolId: 'kaseya', instances: ['vsa.contoso.com', 'xn--krmer-gra.example', '10.1.2.3'], reason: 'second site', by: bob, at: clock.now() },
          replaced: first.record,
        });
        await store.setSanction({ tenant: TENANT, toolId: 'anydesk', instances: [], reason: 'help desk', by: bob });
        await store.setSanction({ tenant: 'tenant-fabrikam', toolId: 'kaseya', instances: [], reason: 'theirs', by: bob });
        expect((await store.listSanctions(TENANT)).map((x) => x.toolId)).toEqual(['anydesk', 'kaseya']);
        expect(await store.getSanction(TENANT, 'kaseya')).toEqual(replaced.record);
        expect(await store.getSanction(TENANT, 'splashtop')).toBeUndefined();
        expect(await store.removeSanction(TENANT, 'kaseya')).toEqual(replaced.record);
        expect(await store.removeSanction(TENANT, 'kaseya')).toBeUndefined();
        expect((await store.listSanctions(TENANT)).map((x) => x.toolId)).toEqual(['anydesk']);
        expect((await store.listSanctions('tenant-fabrikam')).map((x) => x.reason)).toEqual(['theirs']);
      });

      it('refuses instances that are not canonical host names or IPv4 addresses', async () => {
        const store = await open();
        const base = { tenant: TENANT, toolId: 'kaseya', reason: 'ours', by: alice };
        for (const instances of [
          ['VSA.contoso.com'],
          ['https://vsa.contoso.com'],
          ['vsa.contoso.com/path'],
          ['-bad.example'],
          ['a..b'],
          ['999.1.1.1'],
          ['krämer.example'],
          ['x.example', 'x.example'],
          Array.from({ length: 51 }, (_, i) => `h${i}.example`),
        ]) {
          expect((await rejection(store.setSanction({ ...base, instances }))).code).toBe('invalid');
        }
        expect((await rejection(store.setSanction({ ...base, instances: [], reason: '' }))).code).toBe('invalid');
        expect(await store.listSanctions(TENANT)).toEqual([]);
      });
    });

    describe('outbox posts', () => {
      it('enqueues and delivers a plain post, and refuses one that names an incident', async () => {
        const store = await open();
        const { record } = await store.enqueueOutbox({ key: 'post-1', team: TENANT, kind: 'post', target: CHANNEL, payload: { text: 'hello' } });
        expect(record).toMatchObject({ kind: 'post', status: 'pending' });
        expect((await rejection(store.enqueueOutbox({ key: 'post-2', team: TENANT, kind: 'post', incidentNumber: 1, target: CHANNEL, payload: {} }))).code).toBe('invalid');
        expect((await rejection(store.enqueueOutbox({ key: 'post-3', team: TENANT, kind: 'shout' as 'post', target: CHANNEL, payload: {} }))).code).toBe('invalid');
        const [claimed] = await store.claimOutbox();
        expect(claimed?.id).toBe(record.id);
        expect(await store.completeOutbox(claimed!.lease, { activityId: 'a-1' })).toBe(true);
      });
    });
  });
}
