/**
 * The store contract of issue #11, run by `sqlite.test.ts` and `azure-tables.test.ts` beside the
 * main contract: exclusions bind device ids and belong to tenants, hunts keep where they were asked,
 * findings count their reports, the outbox re-roots incidents whose opening post died and gives up
 * on posts after an age, and the audit counts repeats and lists per tenant. Through the interface only.
 */
import type { OutboxPolicy, Store } from '../../src/store/store';
import { alice, bob, doneHunt, escalation, findings, newHunt, rejection, TestClock, type ContractHarness, type StoreLocation } from './store-contract';

const HOUR = 3_600_000;

/** Registers the suite for one implementation. */
export function describeTrustContract(name: string, harness: () => ContractHarness): void {
  describe(`${name} store contract: bindings, tenants, outbox reliability, counted audit`, () => {
    jest.setTimeout(60_000);
    let location: StoreLocation;
    let clock: TestClock;
    const opened: Store[] = [];

    async function open(options: { readonly outbox?: Partial<OutboxPolicy> } = {}): Promise<Store> {
      const store = await location.open({ clock: clock.now, ...options });
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

    describe('exclusions', () => {
      const base = { scope: { kind: 'all' as const }, reason: 'r', createdBy: alice, expiresAt: null };

      it('binds the source finding\'s device id and records the name shown as given, wildcards and spaces included', async () => {
        const store = await open();
        const { huntId, rows } = await doneHunt(store);
        const made = await store.addExclusion({ ...base, key: 'bound', pattern: 'ws* [x](https://evil.example/)', deviceId: rows[1]!.deviceId, source: { huntId, rowKey: '1' } });
        expect(made.record).toMatchObject({ deviceId: 'dev-1', pattern: 'ws* [x](https://evil.example/)' });
        expect(await store.getExclusion(made.record.id)).toEqual(made.record);
        expect((await rejection(store.addExclusion({ ...base, key: 'wrong', pattern: 'x', deviceId: 'dev-2', source: { huntId, rowKey: '1' } }))).code).toBe('invalid');
        expect((await rejection(store.addExclusion({ ...base, key: 'long', pattern: 'x'.repeat(1025), deviceId: 'dev-1' }))).code).toBe('invalid');
        expect((await rejection(store.addExclusion({ ...base, key: 'typed', pattern: 'ws* [x]' }))).code).toBe('invalid');
        expect(await store.listExclusions()).toEqual([made.record]);
      });

      it('keeps exclusions per tenant: a tenant lists its own and those stored without a tenant', async () => {
        const store = await open();
        const a = await store.addExclusion({ ...base, key: 'a', pattern: 'IT-ADM-*', tenant: 'tenant-a' });
        clock.advance(1000);
        const b = await store.addExclusion({ ...base, key: 'b', pattern: 'IT-ADM-*', tenant: 'tenant-b' });
        clock.advance(1000);
        const old = await store.addExclusion({ ...base, key: 'old', pattern: 'LAB-*' });
        expect(a.record.tenant).toBe('tenant-a');
        expect(old.record.tenant).toBeUndefined();
        expect((await store.listExclusions({ tenant: 'tenant-a' })).map((x) => x.key)).toEqual(['a', 'old']);
        expect((await store.listExclusions({ tenant: 'tenant-b', activeAt: clock.now() })).map((x) => x.key)).toEqual(['b', 'old']);
        expect((await store.listExclusions({ tenant: 'tenant-c' })).map((x) => x.key)).toEqual(['old']);
        expect((await store.listExclusions()).map((x) => x.key)).toEqual(['a', 'b', 'old']);
        await store.removeExclusion(b.record.id, bob);
        expect((await store.listExclusions({ tenant: 'tenant-b', activeAt: clock.now() })).map((x) => x.key)).toEqual(['old']);
      });
    });

    describe('hunts and findings', () => {
      it('keeps where a hunt was asked; a hunt recorded without says so', async () => {
        const store = await open();
        const origin = { tenant: '72f988bf-86f1-41af-91ab-2d7cd011db47', conversationId: '19:abc@thread.tacv2;messageid=1700000000001' };
        const asked = await store.createHunt(newHunt({ origin }));
        expect(asked.origin).toEqual(origin);
        expect((await store.getHunt(asked.id))?.origin).toEqual(origin);
        const unknown = await store.createHunt(newHunt());
        expect((await store.getHunt(unknown.id))?.origin).toBeUndefined();
      });

      it('round-trips how many reports a finding had beside its bounded sample', async () => {
        const store = await open();
        const hunt = await store.createHunt(newHunt());
        const [first, second] = findings(2);
        const rows = [{ ...first!, reportIds: ['1', '2'], reportCount: 3_412 }, second!];
        await store.finishHunt(hunt.id, { status: 'done', findings: rows });
        expect(await store.listFindings(hunt.id)).toEqual(rows);
        expect((await store.getFinding(hunt.id, '0'))?.reportCount).toBe(3_412);
        expect((await store.getFinding(hunt.id, '1'))?.reportCount).toBeUndefined();
        const bad = await store.createHunt(newHunt());
        expect((await rejection(store.finishHunt(bad.id, { status: 'done', findings: [{ ...first!, reportCount: -1 }] }))).code).toBe('invalid');
      });
    });

    describe('outbox: an incident always gets a thread, and no post waits forever', () => {
      it('re-roots an incident whose opening post died: its oldest pending reply opens the thread, the others reply in it', async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        const root = await store.escalate(escalation(huntId));
        clock.advance(1000);
        const first = await store.escalate(escalation(huntId, { key: 'r1', rowKey: '1', incident: { kind: 'existing', number: 1 } }));
        clock.advance(1000);
        const second = await store.escalate(escalation(huntId, { key: 'r2', rowKey: '2', incident: { kind: 'existing', number: 1 } }));
        expect([first.outbox.kind, second.outbox.kind]).toEqual(['reply', 'reply']);

        const [claim] = await store.claimOutbox();
        expect(claim?.id).toBe(root.outbox.id);
        expect(await store.failOutbox(claim!.lease, { error: 'Teams answered 413: MessageSizeTooBig', permanent: true })).toBe('dead');
        expect(await store.getOutboxItem('team-1', first.outbox.id)).toMatchObject({ kind: 'new-thread', status: 'pending' });
        expect(await store.getOutboxItem('team-1', second.outbox.id)).toMatchObject({ kind: 'reply', status: 'pending' });

        const [opener, ...none] = await store.claimOutbox();
        expect(none).toEqual([]);
        expect(opener).toMatchObject({ id: first.outbox.id, kind: 'new-thread' });
        expect(await store.completeOutbox(opener!.lease, { activityId: 'new-root' })).toBe(true);
        expect((await store.getIncident('team-1', 1))?.threadRootActivityId).toBe('new-root');
        const [reply] = await store.claimOutbox();
        expect(reply).toMatchObject({ id: second.outbox.id, kind: 'reply', threadRootActivityId: 'new-root' });
      });

      it('re-roots when the opening post\'s lease expires after its last attempt', async () => {
        const store = await open({ outbox: { maxAttempts: 1, leaseMs: 1000 } });
        const { huntId } = await doneHunt(store);
        await store.escalate(escalation(huntId));
        const reply = await store.escalate(escalation(huntId, { key: 'r1', rowKey: '1', incident: { kind: 'existing', number: 1 } }));
        expect(await store.claimOutbox()).toHaveLength(1);
        clock.advance(1000);
        await store.claimOutbox();
        expect((await store.listOutbox({ status: 'dead' })).map((i) => i.kind)).toEqual(['new-thread']);
        expect(await store.getOutboxItem('team-1', reply.outbox.id)).toMatchObject({ kind: 'new-thread', status: 'pending' });
        const [opener] = await store.claimOutbox();
        expect(opener).toMatchObject({ id: reply.outbox.id, kind: 'new-thread' });
      });

      it('enqueues a later escalation into an incident whose opening post died as a new thread root', async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        await store.escalate(escalation(huntId));
        const [claim] = await store.claimOutbox();
        expect(await store.failOutbox(claim!.lease, { error: 'Teams answered 403', permanent: true })).toBe('dead');
        const later = await store.escalate(escalation(huntId, { key: 'later', rowKey: '1', incident: { kind: 'existing', number: 1 } }));
        expect(later.outbox).toMatchObject({ kind: 'new-thread', incidentNumber: 1, payload: { kind: 'new-thread' } });
        const afterThat = await store.escalate(escalation(huntId, { key: 'after', rowKey: '2', incident: { kind: 'existing', number: 1 } }));
        expect(afterThat.outbox.kind).toBe('reply');
      });

      it('gives up on posts older than asked — due, waiting for a thread root, or holding an expired lease — once', async () => {
        const store = await open({ outbox: { leaseMs: 1000 } });
        const { huntId } = await doneHunt(store);
        const root = await store.escalate(escalation(huntId));
        const reply = await store.escalate(escalation(huntId, { key: 'r1', rowKey: '1', incident: { kind: 'existing', number: 1 } }));
        const held = await store.enqueueOutbox({ key: 'held', team: 'team-2', kind: 'new-thread', target: {}, payload: {} });
        expect((await store.claimOutbox()).map((c) => c.id).sort()).toEqual([root.outbox.id, held.record.id].sort());
        clock.advance(HOUR);
        const fresh = await store.enqueueOutbox({ key: 'fresh', team: 'team-2', kind: 'new-thread', target: {}, payload: {} });
        const given = await store.giveUpOutbox({ createdBefore: new Date(clock.now().getTime() - HOUR + 1), error: 'gave up after 1 hour' });
        expect(given.map((i) => i.id).sort()).toEqual([root.outbox.id, reply.outbox.id, held.record.id].sort());
        expect(given.every((i) => i.status === 'dead' && i.lastError === 'gave up after 1 hour')).toBe(true);
        expect(await store.getOutboxItem('team-2', fresh.record.id)).toMatchObject({ status: 'pending' });
        clock.advance(1);
        expect(await store.giveUpOutbox({ createdBefore: clock.now(), error: 'again' })).toEqual([
          expect.objectContaining({ id: fresh.record.id, status: 'dead' }),
        ]);
      });

      it('does not give up on a post whose lease is still held', async () => {
        const store = await open({ outbox: { leaseMs: 10 * HOUR } });
        const held = await store.enqueueOutbox({ key: 'held', team: 't', kind: 'new-thread', target: {}, payload: {} });
        await store.claimOutbox();
        clock.advance(2 * HOUR);
        expect(await store.giveUpOutbox({ createdBefore: clock.now(), error: 'x' })).toEqual([]);
        expect(await store.getOutboxItem('t', held.record.id)).toMatchObject({ status: 'sending' });
      });
    });

    describe('outbox: where Sentinel calls and incident closes meet re-rooting and giving up', () => {
      const withSentinel = (huntId: string, overrides: Parameters<typeof escalation>[1] = {}) =>
        escalation(huntId, { sentinel: ({ incident, kind }) => ({ target: incident.channel, payload: { sentinel: incident.number, opened: kind === 'new-thread' } }), ...overrides });

      it('gives up only items of the kinds asked: a Teams worker leaves Sentinel calls to theirs', async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        const made = await store.escalate(withSentinel(huntId));
        const post = await store.enqueueOutbox({ key: 'watch:1:baseline', team: 'team-1', kind: 'post', target: {}, payload: {} });
        clock.advance(2 * HOUR);
        const given = await store.giveUpOutbox({ createdBefore: clock.now(), error: 'gave up after 1 hour', kinds: ['new-thread', 'reply', 'post'] });
        expect(given.map((i) => i.id).sort()).toEqual([made.outbox.id, post.record.id].sort());
        expect(await store.getOutboxItem('team-1', made.sentinel!.id)).toMatchObject({ kind: 'sentinel', status: 'pending' });
      });

      it("holds an incident's Sentinel call while its opening post is on its way, and lets it go (without a root) once that post died", async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        const made = await store.escalate(withSentinel(huntId));
        expect(await store.claimOutbox({ kinds: ['sentinel'] })).toEqual([]);
        const [opening] = await store.claimOutbox({ kinds: ['new-thread', 'reply', 'post'] });
        expect(await store.claimOutbox({ kinds: ['sentinel'] })).toEqual([]);
        expect(await store.failOutbox(opening!.lease, { error: 'Teams answered 403', permanent: true })).toBe('dead');
        const [call] = await store.claimOutbox({ kinds: ['sentinel'] });
        expect(call).toMatchObject({ id: made.sentinel!.id, kind: 'sentinel', incidentNumber: 1 });
        expect(call!.threadRootActivityId).toBeUndefined();
      });

      it('lets the Sentinel call wait for the re-rooted opening post, then go with its root', async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        const made = await store.escalate(withSentinel(huntId));
        const reply = await store.escalate(withSentinel(huntId, { key: 'r1', rowKey: '1', incident: { kind: 'existing', number: 1 } }));
        const [opening] = await store.claimOutbox({ kinds: ['new-thread', 'reply', 'post'] });
        await store.failOutbox(opening!.lease, { error: 'Teams answered 413', permanent: true });
        expect(await store.getOutboxItem('team-1', reply.outbox.id)).toMatchObject({ kind: 'new-thread', status: 'pending' });
        expect(await store.claimOutbox({ kinds: ['sentinel'] })).toEqual([]);
        const [opener] = await store.claimOutbox({ kinds: ['new-thread', 'reply', 'post'] });
        await store.completeOutbox(opener!.lease, { activityId: 'new-root' });
        const calls = await store.claimOutbox({ kinds: ['sentinel'] });
        expect(calls.map((c) => c.id).sort()).toEqual([made.sentinel!.id, reply.sentinel!.id].sort());
        expect(calls.every((c) => c.threadRootActivityId === 'new-root')).toBe(true);
      });

      it("enqueues the closing note of an incident whose opening post died as its thread's root", async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        await store.escalate(escalation(huntId));
        const [opening] = await store.claimOutbox();
        await store.failOutbox(opening!.lease, { error: 'Teams answered 403', permanent: true });
        const note = { kind: 'reply' as const, target: {}, payload: { note: 1 } };
        expect(await store.closeIncident('team-1', 1, bob, { reason: 'FalsePositive', messages: () => [note, { ...note, payload: { note: 2 } }] })).toBe(true);
        const pending = (await store.listOutbox({ team: 'team-1', status: 'pending' })).sort((a, b) => a.key.localeCompare(b.key));
        expect(pending.map((i) => [i.kind, i.payload])).toEqual([
          ['new-thread', { note: 1 }],
          ['reply', { note: 2 }],
        ]);
      });

      it("enqueues an open thread's closing note as a reply", async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        await store.escalate(escalation(huntId));
        const [opening] = await store.claimOutbox();
        await store.completeOutbox(opening!.lease, { activityId: 'root' });
        await store.closeIncident('team-1', 1, bob, { reason: 'FalsePositive', messages: () => [{ kind: 'reply', target: {}, payload: { note: 1 } }] });
        expect((await store.listOutbox({ team: 'team-1', status: 'pending' })).map((i) => i.kind)).toEqual(['reply']);
      });
    });

    describe('audit', () => {
      it("purges every tenant's entries, and counted ones last counted, before the cut-off", async () => {
        const store = await open();
        const entry = (tenant: string | undefined, i: number) => ({ ...(tenant ? { tenant } : {}), actor: alice, conversationId: 'c', action: 'hunt', details: { i }, outcome: 'ok' as const });
        await store.appendAudit(entry('tenant-a', 1));
        await store.appendAudit(entry('tenant-b', 2));
        await store.appendAudit(entry(undefined, 3));
        await store.countAudit({ ...entry('tenant-a', 4), key: 'old-count' });
        await store.countAudit({ ...entry(undefined, 5), key: 'still-counting' });
        clock.advance(2 * HOUR);
        const cutoff = clock.now();
        await store.countAudit({ ...entry(undefined, 5), key: 'still-counting' });
        await store.appendAudit(entry('tenant-b', 6));
        expect(await store.purge({ huntsBefore: new Date(0), auditBefore: cutoff })).toEqual({ hunts: 0, outboxItems: 0, auditEntries: 4 });
        expect((await store.listAudit({ limit: 100 })).map((e) => (e.details as { i: number }).i).sort()).toEqual([5, 6]);
      });

      const refusal = (tenant: string, hour: number) => ({
        key: `use-refused:${tenant}:${hour}`,
        actor: { aadObjectId: 'outsider', name: 'Unknown tenant' },
        conversationId: `tenant:${tenant}`,
        action: 'use',
        details: { tenant },
        outcome: 'refused' as const,
      });

      it('counts repeats in one entry per key, and a moved clock starts the next', async () => {
        const [a, b] = [await open(), await open()];
        const tenant = '11111111-2222-3333-4444-555555555555';
        const hourOf = () => Math.floor(clock.now().getTime() / HOUR);
        const first = await a.countAudit(refusal(tenant, hourOf()));
        expect(first).toMatchObject({ count: 1, at: clock.now(), lastAt: clock.now(), action: 'use', outcome: 'refused', details: { tenant } });
        clock.advance(60_000);
        await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).countAudit(refusal(tenant, hourOf()))));
        const [counted, ...rest] = await a.listAudit({ limit: 100 });
        expect(rest).toEqual([]);
        expect(counted).toMatchObject({ id: first.id, count: 31, at: first.at, lastAt: clock.now() });

        clock.advance(HOUR);
        const next = await b.countAudit(refusal(tenant, hourOf()));
        expect(next.id).not.toBe(first.id);
        expect(next.count).toBe(1);
        await b.countAudit(refusal('99999999-2222-3333-4444-555555555555', hourOf()));
        expect((await a.listAudit({ limit: 100 })).map((e) => e.count)).toEqual([1, 1, 31]);
        expect((await rejection(a.countAudit({ ...refusal(tenant, 1), key: '' }))).code).toBe('invalid');
      });

      it('lists a tenant its own entries and those without a tenant, newest first, counted ones by their first time', async () => {
        const store = await open();
        const entry = (tenant: string | undefined, i: number) => ({
          ...(tenant ? { tenant } : {}),
          actor: alice,
          conversationId: 'c',
          action: 'hunt',
          details: { i },
          outcome: 'ok' as const,
        });
        await store.appendAudit(entry('tenant-a', 1));
        clock.advance(1000);
        await store.countAudit({ ...entry(undefined, 2), key: 'outsiders' });
        clock.advance(1000);
        await store.appendAudit(entry('tenant-b', 3));
        clock.advance(1000);
        await store.appendAudit(entry(undefined, 4));
        clock.advance(1000);
        await store.countAudit({ ...entry('tenant-b', 5), key: 'b-limits' });
        clock.advance(1000);
        await store.appendAudit(entry('tenant-a', 6));
        clock.advance(1000);
        await store.countAudit({ ...entry(undefined, 2), key: 'outsiders' });
        const order = async (tenant?: string) => (await store.listAudit({ limit: 100, ...(tenant ? { tenant } : {}) })).map((e) => (e.details as { i: number }).i);
        expect(await order('tenant-a')).toEqual([6, 4, 2, 1]);
        expect(await order('tenant-b')).toEqual([5, 4, 3, 2]);
        expect(await order()).toEqual([6, 5, 4, 3, 2, 1]);
        expect((await store.listAudit({ limit: 2, tenant: 'tenant-a' })).map((e) => (e.details as { i: number }).i)).toEqual([6, 4]);
        expect((await store.listAudit({ tenant: 'tenant-a' }))[0]).toMatchObject({ tenant: 'tenant-a' });
      });
    });
  });
}
