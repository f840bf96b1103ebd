/**
 * The store contract for the incident life cycle and Sentinel: closing an incident with its reason
 * and the messages that go with it (all or nothing, once), an escalation's Sentinel item enqueued
 * with it, `sentinel` items waiting for the thread root like replies, claims by kind, and the
 * exclusion mirror's ledger. Every {@link Store} implementation passes it (registered by
 * `sqlite.test.ts` and `azure-tables.test.ts` beside the main contract).
 */
import type { Actor, NewEscalation, Store } from '../../src/store/store';
import { StoreError } from '../../src/store/store-error';
import { TestClock, type ContractHarness, type StoreLocation } from './store-contract';

const DAY = 86_400_000;
const alice: Actor = { aadObjectId: 'aad-alice', name: 'Alice Analyst' };
const bob: Actor = { aadObjectId: 'aad-bob', name: 'Bob Responder' };
const TEAM = 'tenant-contoso';
const CHANNEL = { channelId: '19:incidents@thread.tacv2', reference: { conversation: { id: '19:incidents@thread.tacv2' } } };

async function doneHunt(store: Store): Promise<string> {
  const hunt = await store.createHunt({
    request: { toolId: 'kaseya', windowMs: 5 * DAY, kind: 'file-signature' },
    kql: "DeviceFileCertificateInfo\n| where Signer has 'Kaseya'",
    source: 'sample data',
    conversation: {},
    requestedBy: alice,
  });
  const findings = [0, 1, 2].map((i) => ({
    rowKey: String(i),
    deviceId: `dev-${i}`,
    deviceName: `WS-FIN-${i}`,
    firstSeen: new Date(Date.UTC(2026, 0, 10)),
    lastSeen: new Date(Date.UTC(2026, 0, 14)),
    count: i + 1,
    reportIds: [`r${i}`],
    toolId: 'kaseya',
  }));
  expect(await store.finishHunt(hunt.id, { status: 'done', findings })).toBe(true);
  return hunt.id;
}

function escalation(huntId: string, overrides: Partial<NewEscalation> = {}): NewEscalation {
  return {
    key: `esc-${huntId}-0`,
    team: TEAM,
    huntId,
    rowKey: '0',
    note: 'not deployed by IT',
    by: bob,
    incident: { kind: 'new', title: 'Kaseya on WS-FIN-0', channel: CHANNEL },
    message: ({ incident, kind }) => ({ target: incident.channel, payload: { post: incident.number, kind } }),
    sentinel: ({ incident, escalationId, kind }) => ({ target: incident.channel, payload: { sentinel: incident.number, escalationId, opened: kind === 'new-thread' } }),
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

/** Registers the incident and Sentinel contract for one implementation. */
export function describeIncidentContract(name: string, harness: () => ContractHarness): void {
  describe(`${name} store contract: incident life cycle and Sentinel`, () => {
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

    it('enqueues an escalation\'s Sentinel item with its post, once, waiting for the thread root', async () => {
      const store = await open();
      const huntId = await doneHunt(store);
      const first = await store.escalate(escalation(huntId));
      expect(first.sentinel).toMatchObject({
        kind: 'sentinel',
        incidentNumber: 1,
        status: 'pending',
        key: `sentinel:esc-${huntId}-0`,
        target: CHANNEL,
        payload: { sentinel: 1, escalationId: first.record.id, opened: true },
      });
      expect(first.sentinel!.threadRootActivityId).toBeUndefined();
      const again = await store.escalate(escalation(huntId));
      expect(again.created).toBe(false);
      expect(again.sentinel?.id).toBe(first.sentinel!.id);
      const later = await store.escalate(escalation(huntId, { key: 'later', rowKey: '1', incident: { kind: 'existing', number: 1 } }));
      expect(later.sentinel).toMatchObject({ kind: 'sentinel', payload: { opened: false } });
      clock.advance(1000);
      const withoutSentinel = await store.escalate(escalation(huntId, { key: 'plain', rowKey: '2', sentinel: undefined }));
      expect(withoutSentinel.sentinel).toBeUndefined();
      expect(await store.listOutbox({ team: TEAM })).toHaveLength(5);

      // Only the new threads are due; the Sentinel items wait for their incident's thread root.
      expect((await store.listDueOutbox()).map((i) => i.kind)).toEqual(['new-thread', 'new-thread']);
      const [root] = await store.claimOutbox({ kinds: ['new-thread'], limit: 1 });
      expect(root?.id).toBe(first.outbox.id);
      expect(await store.claimOutbox({ kinds: ['sentinel'] })).toEqual([]);
      expect(await store.completeOutbox(root!.lease, { activityId: 'root-1' })).toBe(true);

      const sentinel = await store.claimOutbox({ kinds: ['sentinel'] });
      expect(sentinel.map((i) => i.id).sort()).toEqual([first.sentinel!.id, later.sentinel!.id].sort());
      expect(sentinel.every((i) => i.threadRootActivityId === 'root-1')).toBe(true);
      // Claims by kind leave the other kinds alone: the reply and the other incident's root.
      expect((await store.claimOutbox({ kinds: ['reply', 'new-thread'] })).map((i) => i.kind).sort()).toEqual(['new-thread', 'reply']);
      expect(await store.completeOutbox(sentinel.find((i) => i.id === first.sentinel!.id)!.lease, { activityId: 'sentinel-incident-id' })).toBe(true);
      expect(await store.getOutboxItem(TEAM, first.sentinel!.id)).toMatchObject({ status: 'sent', activityId: 'sentinel-incident-id', threadRootActivityId: 'root-1' });
      expect((await store.getIncident(TEAM, 1))?.threadRootActivityId).toBe('root-1');
    });

    it('enqueues a Sentinel item for no incident (an exclusion) that is due at once', async () => {
      const store = await open();
      const { record } = await store.enqueueOutbox({ key: 'sentinel:exclusion:x:added', team: 'sentinel', kind: 'sentinel', target: null, payload: { exclusionId: 'x' } });
      const [claimed] = await store.claimOutbox({ kinds: ['sentinel'] });
      expect(claimed).toMatchObject({ id: record.id, kind: 'sentinel', attempts: 1 });
      expect(claimed!.threadRootActivityId).toBeUndefined();
      expect((await rejection(store.enqueueOutbox({ key: 'bad', team: 't', kind: 'forged' as never, target: null, payload: {} }))).code).toBe('invalid');
    });

    it('closes an incident once with its reason and note, enqueuing its messages with the close', async () => {
      const store = await open();
      const huntId = await doneHunt(store);
      await store.escalate(escalation(huntId));
      clock.advance(DAY);
      const built: number[] = [];
      const close = {
        reason: 'expected',
        note: 'IT confirmed the deployment',
        messages: (incident: { number: number; status: string; closeReason?: string }) => {
          built.push(incident.number);
          expect(incident).toMatchObject({ status: 'closed', closeReason: 'expected' });
          return [
            { kind: 'reply' as const, target: CHANNEL, payload: { note: `incident ${incident.number} closed` } },
            { kind: 'sentinel' as const, target: CHANNEL, payload: { close: incident.number } },
          ];
        },
      };
      expect(await store.closeIncident(TEAM, 1, alice, close)).toBe(true);
      expect(await store.getIncident(TEAM, 1)).toMatchObject({
        status: 'closed',
        closedBy: alice,
        closedAt: clock.now(),
        closeReason: 'expected',
        closeNote: 'IT confirmed the deployment',
      });
      const followUps = (await store.listOutbox({ team: TEAM })).filter((i) => i.key.startsWith('close:'));
      expect(followUps.map((i) => [i.key, i.kind, i.incidentNumber, i.payload]).sort()).toEqual([
        ['close:1:0', 'reply', 1, { note: 'incident 1 closed' }],
        ['close:1:1', 'sentinel', 1, { close: 1 }],
      ]);

      // The second close changes nothing and enqueues nothing.
      expect(await store.closeIncident(TEAM, 1, bob, { ...close, reason: 'malicious' })).toBe(false);
      expect(await store.getIncident(TEAM, 1)).toMatchObject({ closedBy: alice, closeReason: 'expected' });
      expect((await store.listOutbox({ team: TEAM })).filter((i) => i.key.startsWith('close:'))).toHaveLength(2);
      expect(built.length).toBeGreaterThanOrEqual(1);
      expect(await store.listOpenIncidents(TEAM)).toEqual([]);

      // The close messages wait for the thread root like replies.
      expect((await store.claimOutbox({ kinds: ['reply', 'sentinel'] })).filter((i) => i.key.startsWith('close:'))).toEqual([]);
      await store.setIncidentThreadRoot(TEAM, 1, 'root-1');
      const claimed = await store.claimOutbox({ kinds: ['reply'] });
      expect(claimed).toHaveLength(1);
      expect(claimed[0]).toMatchObject({ key: 'close:1:0', threadRootActivityId: 'root-1' });
    });

    it('closes without a reason as before, and refuses bad closes without changing the incident', async () => {
      const store = await open();
      const huntId = await doneHunt(store);
      await store.escalate(escalation(huntId));
      await store.escalate(escalation(huntId, { key: 'second', rowKey: '1' }));
      expect((await rejection(store.closeIncident(TEAM, 1, alice, { reason: '' }))).code).toBe('invalid');
      const forged = { reason: 'expected', messages: () => [{ kind: 'post' as never, target: {}, payload: {} }] };
      expect((await rejection(store.closeIncident(TEAM, 1, alice, forged))).code).toBe('invalid');
      expect(await store.getIncident(TEAM, 1)).toMatchObject({ status: 'open' });
      expect((await store.getIncident(TEAM, 1))?.closeReason).toBeUndefined();
      expect((await rejection(store.closeIncident(TEAM, 9, alice, { reason: 'expected' }))).code).toBe('not-found');

      expect(await store.closeIncident(TEAM, 2, alice)).toBe(true);
      const closed = await store.getIncident(TEAM, 2);
      expect(closed).toMatchObject({ status: 'closed', closedBy: alice });
      expect(closed?.closeReason).toBeUndefined();
      expect(closed?.closeNote).toBeUndefined();
      expect((await store.listOpenIncidents(TEAM)).map((i) => i.number)).toEqual([1]);
    });

    it('closes an incident once when two instances close it at the same time', async () => {
      const [a, b] = [await open(), await open()];
      const huntId = await doneHunt(a);
      await a.escalate(escalation(huntId));
      const close = (by: Actor) => ({ reason: by.name, messages: () => [{ kind: 'reply' as const, target: CHANNEL, payload: { by: by.name } }] });
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).closeIncident(TEAM, 1, i % 2 ? alice : bob, close(i % 2 ? alice : bob))));
      expect(results.filter(Boolean)).toHaveLength(1);
      const incident = (await a.getIncident(TEAM, 1))!;
      const notes = (await b.listOutbox({ team: TEAM })).filter((i) => i.key.startsWith('close:'));
      expect(notes).toHaveLength(1);
      expect(notes[0]!.payload).toEqual({ by: incident.closedBy!.name });
      expect(incident.closeReason).toBe(incident.closedBy!.name);
    });

    it('keeps the mirror ledger: marks, unmarks, idempotent, shared by instances', async () => {
      const [a, b] = [await open(), await open()];
      expect(await a.listMirroredExclusions()).toEqual([]);
      await a.markExclusionMirrored('ex-2');
      await a.markExclusionMirrored('ex-1');
      await b.markExclusionMirrored('ex-1');
      expect(await b.listMirroredExclusions()).toEqual(['ex-1', 'ex-2']);
      await b.markExclusionUnmirrored('ex-2');
      await a.markExclusionUnmirrored('ex-2');
      await a.markExclusionUnmirrored('never-marked');
      expect(await a.listMirroredExclusions()).toEqual(['ex-1']);
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).markExclusionMirrored('ex-3')));
      expect(await b.listMirroredExclusions()).toEqual(['ex-1', 'ex-3']);
      expect((await rejection(a.markExclusionMirrored(''))).code).toBe('invalid');
    });
  });
}
