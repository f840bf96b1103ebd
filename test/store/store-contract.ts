/**
 * The store contract: one suite that every {@link Store} implementation passes (run by
 * `sqlite.test.ts` and `azure-tables.test.ts`). It drives the store only through its interface and
 * through `openStore` in child processes, never through implementation details.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { findExclusion } from '../../src/store/exclusion-match';
import type { OpenStoreOptions } from '../../src/store/open-store';
import type { Actor, NewEscalation, NewHunt, OutboxPolicy, Store, StoredFinding } from '../../src/store/store';
import { StoreError } from '../../src/store/store-error';
import type { ChildConfig } from './fixtures/store-child';

/** One empty storage (a file, a set of tables) that several store instances can open. */
export interface StoreLocation {
  /** Opens another store instance on this storage. */
  open(options?: { readonly clock?: () => Date; readonly outbox?: Partial<OutboxPolicy> }): Promise<Store>;
  /** What a child process passes to `openStore` to reach the same storage. */
  readonly spec: string;
  readonly openOptions: Pick<OpenStoreOptions, 'tablePrefix'>;
}

/** How the suite gets fresh storage. */
export interface ContractHarness {
  fresh(): Promise<StoreLocation>;
}

/** A clock tests move by hand. */
export class TestClock {
  constructor(private ms = Date.UTC(2026, 0, 15, 9, 0, 0)) {}
  readonly now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

const DAY = 86_400_000;
export const alice: Actor = { aadObjectId: 'aad-alice', name: 'Alice Analyst' };
export const bob: Actor = { aadObjectId: 'aad-bob', name: 'Bob Responder' };
const clicker = (i: number): Actor => ({ aadObjectId: `aad-clicker-${i}`, name: `Clicker ${i}` });
const CHILD = join(__dirname, 'fixtures', 'store-child.ts');

export function newHunt(overrides: Partial<NewHunt> = {}): NewHunt {
  return {
    request: { toolId: 'kaseya', windowMs: 5 * DAY, kind: 'file-signature' },
    kql: "DeviceFileCertificateInfo\n| where Signer has 'Kaseya'",
    source: 'local sample data',
    conversation: { conversation: { id: '19:abc@thread.tacv2' }, serviceUrl: 'https://smba.example/amer/', bot: { id: 'b' } },
    requestedBy: alice,
    ...overrides,
  };
}

export function findings(count: number, toolId = 'kaseya'): StoredFinding[] {
  return Array.from({ length: count }, (_, i) => ({
    rowKey: String(i),
    deviceId: `dev-${i}`,
    deviceName: `WS-FIN-${String(i).padStart(3, '0')}.contoso.local`,
    firstSeen: new Date(Date.UTC(2026, 0, 10, 0, 0, i)),
    lastSeen: new Date(Date.UTC(2026, 0, 14, 0, 0, i)),
    count: i + 1,
    reportIds: [`${1000 + i}`, `${2000 + i}`],
    toolId,
  }));
}

export async function doneHunt(store: Store, rows = 3): Promise<{ readonly huntId: string; readonly rows: StoredFinding[] }> {
  const hunt = await store.createHunt(newHunt());
  const rowsOf = findings(rows);
  expect(await store.finishHunt(hunt.id, { status: 'done', findings: rowsOf })).toBe(true);
  return { huntId: hunt.id, rows: rowsOf };
}

export function escalation(huntId: string, overrides: Partial<NewEscalation> = {}): NewEscalation {
  return {
    key: `esc-${huntId}-0`,
    team: 'team-1',
    huntId,
    rowKey: '0',
    note: 'looks like hands-on-keyboard',
    by: bob,
    incident: { kind: 'new', title: 'Kaseya on WS-FIN-000', channel: { conversation: { id: '19:incidents@thread.tacv2' } } },
    message: ({ incident, kind, escalationId }) => ({
      target: incident.channel,
      payload: { text: `incident ${incident.number}`, kind, escalationId },
    }),
    ...overrides,
  };
}

export async function rejection(promise: Promise<unknown>): Promise<StoreError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('expected a StoreError, but the call succeeded');
}

/** A child process running `fixtures/store-child.ts`, with its output as lines. */
class Child {
  readonly lines: string[] = [];
  private readonly waiters: Array<() => void> = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';
  private readonly process: ChildProcessWithoutNullStreams;

  constructor(config: ChildConfig) {
    this.process = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD, JSON.stringify(config)], { stdio: 'pipe' });
    let partial = '';
    this.process.stdout.on('data', (chunk: Buffer) => {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.process.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.exited = new Promise((resolveExit) =>
      this.process.once('close', (code, signal) => {
        for (const wake of this.waiters.splice(0)) wake();
        resolveExit({ code, signal });
      }),
    );
  }

  /** Resolves once `predicate` holds for the lines so far; rejects if the child exits first. */
  async waitFor(predicate: (lines: readonly string[]) => boolean): Promise<void> {
    while (!predicate(this.lines)) {
      if (this.process.exitCode !== null || this.process.signalCode !== null) {
        throw new Error(`child exited (${this.process.exitCode ?? this.process.signalCode}) before expected output:\n${this.stderr}`);
      }
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }

  send(line: string): void {
    this.process.stdin.write(`${line}\n`);
  }

  kill(): void {
    this.process.kill('SIGKILL');
  }
}

/** Registers the contract suite for one implementation. */
export function describeStoreContract(name: string, harness: () => ContractHarness): void {
  describe(`${name} store contract`, () => {
    jest.setTimeout(60_000);
    let location: StoreLocation;
    let clock: TestClock;
    const opened: Store[] = [];

    async function open(options: { readonly clock?: () => Date; readonly outbox?: Partial<OutboxPolicy> } = {}): Promise<Store> {
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

    describe('hunts', () => {
      it('records a running hunt with a short unguessable id and reads it back', async () => {
        const store = await open();
        const hunt = await store.createHunt(newHunt({ request: { toolId: 'anydesk', windowMs: 30 * DAY, device: 'WS-FIN-014', kind: 'process' }, instanceId: 'bot-a' }));
        expect(hunt.id).toMatch(/^[A-Za-z0-9_-]{12}$/);
        expect(hunt.status).toBe('running');
        expect(hunt.createdAt).toEqual(clock.now());
        const read = await store.getHunt(hunt.id);
        expect(read).toEqual(hunt);
        expect(read).toMatchObject({
          request: { toolId: 'anydesk', windowMs: 30 * DAY, device: 'WS-FIN-014', kind: 'process' },
          instanceId: 'bot-a',
          findingCount: 0,
          conversation: newHunt().conversation,
          requestedBy: alice,
        });
        expect(await store.getHunt('nope-not-an-id')).toBeUndefined();
      });

      it('gives every hunt a different id', async () => {
        const store = await open();
        const hunts = await Promise.all(Array.from({ length: 40 }, () => store.createHunt(newHunt())));
        expect(new Set(hunts.map((h) => h.id)).size).toBe(40);
      });

      it('sets the message id, and refuses an unknown hunt', async () => {
        const store = await open();
        const hunt = await store.createHunt(newHunt());
        await store.setHuntMessage(hunt.id, '1700000000001');
        expect((await store.getHunt(hunt.id))?.messageId).toBe('1700000000001');
        expect((await rejection(store.setHuntMessage('missing-hunt', 'x'))).code).toBe('not-found');
      });

      it('stores findings with the finished hunt and looks them up by hunt id and row key', async () => {
        const store = await open();
        const hunt = await store.createHunt(newHunt());
        const rows = findings(5);
        expect(await store.getFinding(hunt.id, '0')).toBeUndefined();
        clock.advance(1234);
        const meta = { total: 1234, partial: 'Only part of the result: ünïcode ✓', workspace: 'emea' };
        expect(await store.finishHunt(hunt.id, { status: 'done', findings: rows, hiddenCount: 2, meta })).toBe(true);
        const done = await store.getHunt(hunt.id);
        expect(done).toMatchObject({ status: 'done', findingCount: 5, hiddenCount: 2, meta, finishedAt: clock.now() });
        expect(await store.listFindings(hunt.id)).toEqual(rows);
        expect(await store.getFinding(hunt.id, '3')).toEqual(rows[3]);
        expect(await store.getFinding(hunt.id, '5')).toBeUndefined();
        for (const forged of ["0' or '1'='1", '../0', '0/1', '', '#0', 'x'.repeat(200)]) {
          expect(await store.getFinding(hunt.id, forged)).toBeUndefined();
        }
        const other = await store.createHunt(newHunt());
        expect(await store.getFinding(other.id, '0')).toBeUndefined();
        for (const forged of ["x'/#?..abcd", '../../etc/p', `${hunt.id}x`, hunt.id.slice(1), '']) {
          expect(await store.getHunt(forged)).toBeUndefined();
          expect(await store.getFinding(forged, '0')).toBeUndefined();
          expect(await store.listFindings(forged)).toEqual([]);
        }
      });

      it('keeps findings in the given order, not in key order', async () => {
        const store = await open();
        const hunt = await store.createHunt(newHunt());
        const rows = ['b', 'a', '10', '9'].map((rowKey, i) => ({ ...findings(1)[0]!, rowKey, deviceId: `d${i}` }));
        await store.finishHunt(hunt.id, { status: 'done', findings: rows });
        expect((await store.listFindings(hunt.id)).map((f) => f.rowKey)).toEqual(['b', 'a', '10', '9']);
      });

      it('reads a range of a hunt: a card reads its page, in the hunt\'s order', async () => {
        const store = await open();
        const hunt = await store.createHunt(newHunt());
        const rows = findings(150).map((f, i) => ({ ...f, rowKey: `k${149 - i}` }));
        await store.finishHunt(hunt.id, { status: 'done', findings: rows });
        expect(await store.listFindings(hunt.id, { offset: 0, limit: 10 })).toEqual(rows.slice(0, 10));
        expect(await store.listFindings(hunt.id, { offset: 70, limit: 10 })).toEqual(rows.slice(70, 80));
        expect(await store.listFindings(hunt.id, { offset: 145, limit: 10 })).toEqual(rows.slice(145));
        expect(await store.listFindings(hunt.id, { offset: 150, limit: 10 })).toEqual([]);
        expect(await store.listFindings(hunt.id, { offset: 3, limit: 0 })).toEqual([]);
        expect(await store.listFindings(hunt.id)).toEqual(rows);
        const running = await store.createHunt(newHunt());
        expect(await store.listFindings(running.id, { offset: 0, limit: 10 })).toEqual([]);
      });

      it('never shows part of a hunt\'s findings while they are written', async () => {
        const store = await open();
        const hunt = await store.createHunt(newHunt());
        const rows = findings(300);
        let finished = false;
        const finishing = store.finishHunt(hunt.id, { status: 'done', findings: rows }).finally(() => (finished = true));
        let seenRunning = 0;
        while (!finished) {
          const [read, page, last] = await Promise.all([store.getHunt(hunt.id), store.listFindings(hunt.id, { offset: 0, limit: 10 }), store.getFinding(hunt.id, '299')]);
          if (read?.status === 'running') {
            seenRunning += 1;
            expect([page, last]).toEqual([[], undefined]);
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
        expect(await finishing).toBe(true);
        expect(seenRunning).toBeGreaterThan(0);
        expect(await store.listFindings(hunt.id)).toEqual(rows);
      });

      it('a hunt ended otherwise while its findings are written keeps none of them', async () => {
        const store = await open();
        const hunt = await store.createHunt(newHunt());
        const rows = findings(300);
        const [done, interrupted] = await Promise.all([
          store.finishHunt(hunt.id, { status: 'done', findings: rows }),
          (async () => {
            await new Promise((resolve) => setImmediate(resolve));
            return store.finishHunt(hunt.id, { status: 'interrupted' });
          })(),
        ]);
        expect([done, interrupted].filter(Boolean)).toHaveLength(1);
        const read = await store.getHunt(hunt.id);
        if (interrupted) {
          expect(read).toMatchObject({ status: 'interrupted', findingCount: 0 });
          expect(await store.listFindings(hunt.id)).toEqual([]);
          expect(await store.getFinding(hunt.id, '0')).toBeUndefined();
        } else {
          expect(read).toMatchObject({ status: 'done', findingCount: 300 });
          expect(await store.listFindings(hunt.id)).toEqual(rows);
        }
      });

      it('round-trips large hunts: hundreds of findings, long report lists and a long query', async () => {
        const store = await open();
        const kql = `DeviceFileCertificateInfo | where Signer has_any (${Array.from({ length: 5000 }, (_, i) => `'Signer ${i}'`).join(', ')})`;
        expect(kql.length).toBeGreaterThan(64_000);
        const hunt = await store.createHunt(newHunt({ kql }));
        const rows = findings(250).map((f, i) =>
          i === 7 ? { ...f, count: 3_000_000_000, reportIds: Array.from({ length: 3000 }, (_, r) => `report-${r}-ÄÖÜ-😀`) } : f,
        );
        await store.finishHunt(hunt.id, { status: 'done', findings: rows });
        expect((await store.getHunt(hunt.id))?.kql).toBe(kql);
        expect(await store.listFindings(hunt.id)).toEqual(rows);
        expect((await store.getFinding(hunt.id, '7'))?.reportIds).toHaveLength(3000);
      });

      it('ends a hunt once: a later finish changes nothing', async () => {
        const store = await open();
        const hunt = await store.createHunt(newHunt());
        expect(await store.finishHunt(hunt.id, { status: 'interrupted' })).toBe(true);
        clock.advance(5000);
        expect(await store.finishHunt(hunt.id, { status: 'done', findings: findings(2) })).toBe(false);
        const read = await store.getHunt(hunt.id);
        expect(read).toMatchObject({ status: 'interrupted', findingCount: 0 });
        expect(read?.finishedAt).toEqual(new Date(clock.now().getTime() - 5000));
        expect(await store.listFindings(hunt.id)).toEqual([]);
        expect(await store.getFinding(hunt.id, '0')).toBeUndefined();
        expect((await rejection(store.finishHunt('missing-hunt', { status: 'interrupted' }))).code).toBe('not-found');
      });

      it('records a failed hunt with its error', async () => {
        const store = await open();
        const hunt = await store.createHunt(newHunt());
        expect(await store.finishHunt(hunt.id, { status: 'failed', error: 'Log Analytics throttled the query' })).toBe(true);
        expect(await store.getHunt(hunt.id)).toMatchObject({ status: 'failed', error: 'Log Analytics throttled the query' });
      });

      it('refuses malformed or duplicate row keys and leaves the hunt running', async () => {
        const store = await open();
        const hunt = await store.createHunt(newHunt());
        const row = findings(1)[0]!;
        expect((await rejection(store.finishHunt(hunt.id, { status: 'done', findings: [row, row] }))).code).toBe('invalid');
        expect((await rejection(store.finishHunt(hunt.id, { status: 'done', findings: [{ ...row, rowKey: 'a/b' }] }))).code).toBe('invalid');
        expect((await store.getHunt(hunt.id))?.status).toBe('running');
      });

      it('lists running hunts, oldest first, by instance and age', async () => {
        const store = await open();
        const first = await store.createHunt(newHunt({ instanceId: 'bot-a' }));
        clock.advance(1000);
        const second = await store.createHunt(newHunt({ instanceId: 'bot-b' }));
        clock.advance(1000);
        const third = await store.createHunt(newHunt({ instanceId: 'bot-a' }));
        const finished = await store.createHunt(newHunt({ instanceId: 'bot-a' }));
        await store.finishHunt(finished.id, { status: 'done', findings: [] });
        expect((await store.listRunningHunts()).map((h) => h.id)).toEqual([first.id, second.id, third.id]);
        expect((await store.listRunningHunts({ instanceId: 'bot-a' })).map((h) => h.id)).toEqual([first.id, third.id]);
        expect((await store.listRunningHunts({ createdBefore: third.createdAt })).map((h) => h.id)).toEqual([first.id, second.id]);
      });
    });

    describe('exclusions', () => {
      it('adds an exclusion once per key and reads it back', async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        const input = {
          key: `exclude:${huntId}:1`,
          pattern: 'WS-FIN-001',
          scope: { kind: 'tool' as const, toolId: 'kaseya' },
          reason: 'IT admin workstation',
          createdBy: alice,
          expiresAt: new Date(clock.now().getTime() + 30 * DAY),
          source: { huntId, rowKey: '1' },
        };
        const first = await store.addExclusion(input);
        expect(first.created).toBe(true);
        expect(first.record).toMatchObject({ ...input, createdAt: clock.now() });
        expect(first.record.removedAt).toBeUndefined();
        clock.advance(1000);
        const again = await store.addExclusion({ ...input, reason: 'a second submit', createdBy: bob });
        expect(again).toEqual({ record: first.record, created: false });
        expect(await store.getExclusion(first.record.id)).toEqual(first.record);
        expect(await store.listExclusions()).toEqual([first.record]);
        expect(await store.getExclusion('no-such-exclusion')).toBeUndefined();
      });

      it('refuses bad patterns and sources that are not findings', async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        const base = { key: 'k', pattern: 'IT-ADM-*', scope: { kind: 'all' as const }, reason: 'r', createdBy: alice, expiresAt: null };
        for (const pattern of ['*', '*.*', '', 'two words', 'tab\there']) {
          expect((await rejection(store.addExclusion({ ...base, key: `bad-${pattern}`, pattern }))).code).toBe('invalid');
        }
        expect((await rejection(store.addExclusion({ ...base, key: 'src-1', source: { huntId, rowKey: '99' } }))).code).toBe('not-found');
        expect((await rejection(store.addExclusion({ ...base, key: 'src-2', source: { huntId: 'forged', rowKey: '0' } }))).code).toBe('not-found');
        expect(await store.listExclusions()).toEqual([]);
      });

      it('stops applying an exclusion when it expires, by the injected clock', async () => {
        const store = await open();
        const start = clock.now();
        const weekly = await store.addExclusion({
          key: 'weekly', pattern: 'IT-ADM-*', scope: { kind: 'all' }, reason: 'IT admin workstations', createdBy: alice,
          expiresAt: new Date(start.getTime() + 7 * DAY),
        });
        clock.advance(1000);
        const forever = await store.addExclusion({
          key: 'forever', pattern: 'MGMT-SRV-01', scope: { kind: 'tool', toolId: 'kaseya' }, reason: 'management server', createdBy: alice, expiresAt: null,
        });
        const at = (ms: number): Date => new Date(start.getTime() + ms);
        expect((await store.listExclusions({ activeAt: at(0) })).map((x) => x.key)).toEqual(['weekly', 'forever']);
        expect((await store.listExclusions({ activeAt: at(7 * DAY - 1) })).map((x) => x.key)).toEqual(['weekly', 'forever']);
        expect((await store.listExclusions({ activeAt: at(7 * DAY) })).map((x) => x.key)).toEqual(['forever']);
        expect((await store.listExclusions({ activeAt: at(3650 * DAY) })).map((x) => x.key)).toEqual(['forever']);
        expect((await store.listExclusions()).map((x) => x.key)).toEqual(['weekly', 'forever']);

        const all = await store.listExclusions();
        expect(findExclusion(all, { deviceId: 'dev-x', deviceName: 'it-adm-07.corp.example', toolId: 'anydesk', now: at(DAY) })?.id).toBe(weekly.record.id);
        expect(findExclusion(all, { deviceId: 'dev-x', deviceName: 'it-adm-07.corp.example', toolId: 'anydesk', now: at(8 * DAY) })).toBeUndefined();
        expect(findExclusion(all, { deviceId: 'dev-x', deviceName: 'mgmt-srv-01.corp.example', toolId: 'kaseya', now: at(8 * DAY) })?.id).toBe(forever.record.id);
        expect(findExclusion(all, { deviceId: 'dev-x', deviceName: 'mgmt-srv-01.corp.example', toolId: 'anydesk', now: at(DAY) })).toBeUndefined();
      });

      it('removes an exclusion once, and a removed one no longer applies', async () => {
        const store = await open();
        const { record } = await store.addExclusion({ key: 'x', pattern: 'WS-FIN-0*', scope: { kind: 'all' }, reason: 'r', createdBy: alice, expiresAt: null });
        clock.advance(60_000);
        const removed = await store.removeExclusion(record.id, bob);
        expect(removed?.removed).toBe(true);
        expect(removed?.record).toMatchObject({ removedBy: bob, removedAt: clock.now() });
        clock.advance(60_000);
        const again = await store.removeExclusion(record.id, alice);
        expect(again?.removed).toBe(false);
        expect(again?.record.removedBy).toEqual(bob);
        expect(await store.listExclusions({ activeAt: clock.now() })).toEqual([]);
        expect((await store.listExclusions()).map((x) => x.removedBy)).toEqual([bob]);
        expect(await store.removeExclusion('no-such-exclusion', bob)).toBeUndefined();
      });

      it('takes 20 concurrent exclusions of different rows of one card from two instances: no lost write', async () => {
        const [a, b] = [await open(), await open()];
        const { huntId, rows } = await doneHunt(a, 20);
        const results = await Promise.all(
          rows.map((row, i) =>
            (i % 2 ? a : b).addExclusion({
              key: `exclude:${huntId}:${row.rowKey}`,
              pattern: row.deviceName,
              scope: { kind: 'tool', toolId: 'kaseya' },
              reason: `row ${row.rowKey}`,
              createdBy: clicker(i),
              expiresAt: null,
              source: { huntId, rowKey: row.rowKey },
              deviceId: row.deviceId,
            }),
          ),
        );
        expect(results.every((r) => r.created)).toBe(true);
        const stored = await b.listExclusions({ activeAt: clock.now() });
        expect(stored).toHaveLength(20);
        expect(new Set(stored.map((x) => x.source?.rowKey))).toEqual(new Set(rows.map((r) => r.rowKey)));
        for (const row of rows) {
          expect(findExclusion(stored, { deviceId: row.deviceId, deviceName: row.deviceName, toolId: 'kaseya', now: clock.now() })?.reason).toBe(`row ${row.rowKey}`);
        }
      });

      it('takes 20 concurrent clicks on the same row from two instances: one exclusion', async () => {
        const [a, b] = [await open(), await open()];
        const { huntId, rows } = await doneHunt(a, 3);
        const row = rows[2]!;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? a : b).addExclusion({
              key: `exclude:${huntId}:${row.rowKey}`,
              pattern: row.deviceName,
              scope: { kind: 'tool', toolId: 'kaseya' },
              reason: `clicker ${i}`,
              createdBy: clicker(i),
              expiresAt: null,
              source: { huntId, rowKey: row.rowKey },
            }),
          ),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const winner = results.find((r) => r.created)!.record;
        expect(results.every((r) => r.record.id === winner.id && r.record.reason === winner.reason)).toBe(true);
        expect(await a.listExclusions()).toEqual([winner]);
      });
    });

    describe('incidents and escalations', () => {
      it('escalates into a new incident, then into the open one, each with one outbox message', async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        const first = await store.escalate(escalation(huntId));
        expect(first.created).toBe(true);
        expect(first.incident).toMatchObject({ team: 'team-1', number: 1, status: 'open', title: 'Kaseya on WS-FIN-000', createdBy: bob });
        expect(first.incident.threadRootActivityId).toBeUndefined();
        expect(first.record).toMatchObject({ team: 'team-1', huntId, rowKey: '0', incidentNumber: 1, note: 'looks like hands-on-keyboard', by: bob, at: clock.now() });
        expect(first.outbox).toMatchObject({
          id: first.record.outboxId,
          team: 'team-1',
          kind: 'new-thread',
          status: 'pending',
          attempts: 0,
          incidentNumber: 1,
          target: { conversation: { id: '19:incidents@thread.tacv2' } },
          payload: { text: 'incident 1', kind: 'new-thread', escalationId: first.record.id },
        });

        const second = await store.escalate(escalation(huntId, { key: 'second', rowKey: '1', by: alice, incident: { kind: 'existing', number: 1 } }));
        expect(second.created).toBe(true);
        expect(second.incident.number).toBe(1);
        expect(second.outbox).toMatchObject({ kind: 'reply', incidentNumber: 1, payload: { text: 'incident 1', kind: 'reply' } });

        expect((await store.listOpenIncidents('team-1')).map((i) => i.number)).toEqual([1]);
        expect((await store.listEscalations({ huntId })).map((e) => e.rowKey).sort()).toEqual(['0', '1']);
        expect((await store.listEscalations({ team: 'team-1', incidentNumber: 1 })).map((e) => e.id).sort()).toEqual([first.record.id, second.record.id].sort());
        expect(await store.listEscalations({ team: 'team-2', incidentNumber: 1 })).toEqual([]);
        expect(await store.listOutbox({ team: 'team-1' })).toHaveLength(2);
      });

      it('records a double-clicked or retried escalation once, from 20 concurrent calls on two instances', async () => {
        const [a, b] = [await open(), await open()];
        const { huntId } = await doneHunt(a);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).escalate(escalation(huntId, { key: 'invoke-42' }))));
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(new Set(results.map((r) => r.record.id)).size).toBe(1);
        expect(new Set(results.map((r) => r.outbox.id)).size).toBe(1);
        expect(results.every((r) => r.incident.number === 1)).toBe(true);
        expect(await a.listOutbox()).toHaveLength(1);
        expect(await b.listOpenIncidents('team-1')).toHaveLength(1);
        expect(await a.getIncident('team-1', 2)).toBeUndefined();
      });

      it('numbers 20 concurrent new incidents 1..20 without gaps or duplicates, per team', async () => {
        const [a, b] = [await open(), await open()];
        const { huntId } = await doneHunt(a);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).escalate(escalation(huntId, { key: `new-${i}` }))));
        expect(results.map((r) => r.incident.number).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        for (const result of results) expect(result.outbox.payload).toMatchObject({ text: `incident ${result.incident.number}` });
        expect((await a.listOpenIncidents('team-1')).map((i) => i.number)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        const otherTeam = await a.escalate(escalation(huntId, { key: 'other-team', team: 'team-2' }));
        expect(otherTeam.incident.number).toBe(1);
      });

      it('refuses unknown findings, unknown and closed incidents, and enqueues nothing for them', async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        expect((await rejection(store.escalate(escalation(huntId, { key: 'a', rowKey: '99' })))).code).toBe('not-found');
        expect((await rejection(store.escalate(escalation('forged-hunt', { key: 'b' })))).code).toBe('not-found');
        expect((await rejection(store.escalate(escalation(huntId, { key: 'c', incident: { kind: 'existing', number: 1 } })))).code).toBe('not-found');
        await store.escalate(escalation(huntId, { key: 'd' }));
        expect(await store.closeIncident('team-1', 1, alice)).toBe(true);
        expect(await store.closeIncident('team-1', 1, alice)).toBe(false);
        expect(await store.getIncident('team-1', 1)).toMatchObject({ status: 'closed', closedBy: alice, closedAt: clock.now() });
        expect((await rejection(store.escalate(escalation(huntId, { key: 'e', incident: { kind: 'existing', number: 1 } })))).code).toBe('conflict');
        expect((await rejection(store.closeIncident('team-1', 7, alice))).code).toBe('not-found');
        expect(await store.listOpenIncidents('team-1')).toEqual([]);
        expect(await store.listOutbox()).toHaveLength(1);
        expect(await store.listEscalations({ huntId })).toHaveLength(1);
      });

      it('keeps the incident channel per team, with who set it', async () => {
        const store = await open();
        expect(await store.getIncidentChannel('team-1')).toBeUndefined();
        const set = await store.setIncidentChannel({ team: 'team-1', conversation: { conversation: { id: '19:soc@thread.tacv2' } }, setBy: alice });
        expect(set).toEqual({ team: 'team-1', conversation: { conversation: { id: '19:soc@thread.tacv2' } }, setBy: alice, setAt: clock.now() });
        clock.advance(1000);
        await store.setIncidentChannel({ team: 'team-1', conversation: { conversation: { id: '19:ir@thread.tacv2' } }, setBy: bob });
        expect(await store.getIncidentChannel('team-1')).toMatchObject({ conversation: { conversation: { id: '19:ir@thread.tacv2' } }, setBy: bob, setAt: clock.now() });
        expect(await store.getIncidentChannel('team-2')).toBeUndefined();
      });

      it('sets a thread root once: the first value wins', async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        await store.escalate(escalation(huntId));
        expect(await store.setIncidentThreadRoot('team-1', 1, 'root-1')).toBe('root-1');
        expect(await store.setIncidentThreadRoot('team-1', 1, 'root-2')).toBe('root-1');
        expect((await store.getIncident('team-1', 1))?.threadRootActivityId).toBe('root-1');
        expect((await rejection(store.setIncidentThreadRoot('team-1', 9, 'x'))).code).toBe('not-found');
      });
    });

    describe('outbox', () => {
      it('claims, leases and completes; a new thread sets the incident root, and replies wait for it', async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        const root = await store.escalate(escalation(huntId));
        const reply = await store.escalate(escalation(huntId, { key: 'reply', incident: { kind: 'existing', number: 1 } }));
        expect((await store.listDueOutbox()).map((i) => i.id)).toEqual([root.outbox.id]);

        const [claimed, ...more] = await store.claimOutbox();
        expect(more).toEqual([]);
        expect(claimed).toMatchObject({ id: root.outbox.id, status: 'sending', attempts: 1, payload: { text: 'incident 1' } });
        expect(claimed!.lease.expiresAt).toEqual(new Date(clock.now().getTime() + 60_000));
        expect(await store.claimOutbox()).toEqual([]);
        expect(await store.listDueOutbox()).toEqual([]);

        clock.advance(500);
        expect(await store.completeOutbox(claimed!.lease, { activityId: 'activity-root' })).toBe(true);
        expect(await store.getOutboxItem('team-1', root.outbox.id)).toMatchObject({ status: 'sent', activityId: 'activity-root', sentAt: clock.now() });
        expect((await store.getIncident('team-1', 1))?.threadRootActivityId).toBe('activity-root');
        expect(await store.completeOutbox(claimed!.lease, { activityId: 'again' })).toBe(false);

        const [replyClaim] = await store.claimOutbox();
        expect(replyClaim).toMatchObject({ id: reply.outbox.id, kind: 'reply', threadRootActivityId: 'activity-root' });
        expect(await store.completeOutbox(replyClaim!.lease, { activityId: 'activity-reply' })).toBe(true);
        expect(await store.listOutbox({ status: 'sent' })).toHaveLength(2);
        expect(await store.claimOutbox()).toEqual([]);
      });

      it('enqueues a direct message once per key, and checks its incident', async () => {
        const store = await open();
        const item = { key: 'notice-1', team: 'team-1', kind: 'new-thread' as const, target: { c: 1 }, payload: { text: 'hello' } };
        const first = await store.enqueueOutbox(item);
        expect(first.created).toBe(true);
        expect(first.record).toMatchObject({ ...item, status: 'pending', attempts: 0, nextAttemptAt: clock.now(), createdAt: clock.now() });
        expect(await store.enqueueOutbox({ ...item, payload: { text: 'changed' } })).toEqual({ record: first.record, created: false });
        expect((await store.enqueueOutbox({ ...item, key: 'notice-1', team: 'team-2' })).created).toBe(true);
        expect((await rejection(store.enqueueOutbox({ ...item, key: 'notice-2', incidentNumber: 4 }))).code).toBe('not-found');
        expect(await store.listOutbox()).toHaveLength(2);
        expect(await store.listOutbox({ team: 'team-2' })).toHaveLength(1);
      });

      it('lets another instance take an item whose lease expired, and refuses the old holder', async () => {
        const [a, b] = [await open(), await open()];
        const { record } = await a.enqueueOutbox({ key: 'k', team: 't', kind: 'new-thread', target: {}, payload: { n: 1 } });
        const [held] = await a.claimOutbox({ leaseMs: 10_000 });
        expect(held?.id).toBe(record.id);
        clock.advance(9_999);
        expect(await b.claimOutbox()).toEqual([]);
        clock.advance(1);
        expect((await b.listDueOutbox()).map((i) => i.id)).toEqual([record.id]);
        const [taken] = await b.claimOutbox();
        expect(taken).toMatchObject({ id: record.id, attempts: 2 });
        expect(await a.completeOutbox(held!.lease, { activityId: 'late' })).toBe(false);
        expect(await a.failOutbox(held!.lease, { error: 'late' })).toBeUndefined();
        expect(await b.completeOutbox(taken!.lease, { activityId: 'on-time' })).toBe(true);
        expect(await a.getOutboxItem('t', record.id)).toMatchObject({ status: 'sent', activityId: 'on-time', attempts: 2 });
      });

      it('lets a holder complete after its lease expired when nobody took the item', async () => {
        const store = await open();
        await store.enqueueOutbox({ key: 'k', team: 't', kind: 'new-thread', target: {}, payload: {} });
        const [held] = await store.claimOutbox({ leaseMs: 1000 });
        clock.advance(5000);
        expect(await store.completeOutbox(held!.lease, { activityId: 'slow' })).toBe(true);
        expect(await store.claimOutbox()).toEqual([]);
      });

      it('retries failures with backoff and Retry-After, and gives up after the policy', async () => {
        const store = await open({ outbox: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 60_000, leaseMs: 30_000 } });
        const { record } = await store.enqueueOutbox({ key: 'k', team: 't', kind: 'new-thread', target: {}, payload: {} });
        let [held] = await store.claimOutbox();
        expect(await store.failOutbox(held!.lease, { error: 'HTTP 503' })).toBe('pending');
        expect(await store.getOutboxItem('t', record.id)).toMatchObject({ status: 'pending', lastError: 'HTTP 503', nextAttemptAt: new Date(clock.now().getTime() + 1000) });
        clock.advance(999);
        expect(await store.claimOutbox()).toEqual([]);
        clock.advance(1);
        [held] = await store.claimOutbox();
        expect(held?.attempts).toBe(2);
        expect(await store.failOutbox(held!.lease, { error: 'HTTP 429', retryAfterMs: 7000 })).toBe('pending');
        clock.advance(6999);
        expect(await store.listDueOutbox()).toEqual([]);
        clock.advance(1);
        [held] = await store.claimOutbox();
        expect(held?.attempts).toBe(3);
        expect(await store.failOutbox(held!.lease, { error: 'HTTP 500' })).toBe('dead');
        clock.advance(3_600_000);
        expect(await store.claimOutbox()).toEqual([]);
        expect(await store.listOutbox({ status: 'dead' })).toHaveLength(1);
      });

      it('sends a permanently failed item to dead at once, and one whose leases keep expiring after the last attempt', async () => {
        const store = await open({ outbox: { maxAttempts: 2, leaseMs: 1000 } });
        const { record: poison } = await store.enqueueOutbox({ key: 'poison', team: 't', kind: 'new-thread', target: {}, payload: {} });
        const { record: bad } = await store.enqueueOutbox({ key: 'bad', team: 't', kind: 'new-thread', target: {}, payload: {} });
        const claims = await store.claimOutbox();
        const badClaim = claims.find((c) => c.id === bad.id)!;
        expect(await store.failOutbox(badClaim.lease, { error: 'HTTP 400', permanent: true })).toBe('dead');
        clock.advance(1000);
        expect((await store.claimOutbox()).map((c) => c.id)).toEqual([poison.id]);
        clock.advance(1000);
        expect(await store.claimOutbox()).toEqual([]);
        expect(await store.getOutboxItem('t', poison.id)).toMatchObject({ status: 'dead', attempts: 2 });
        expect(await store.getOutboxItem('t', bad.id)).toMatchObject({ status: 'dead', lastError: 'HTTP 400' });
      });

      it('never gives one item to two instances claiming concurrently', async () => {
        const [a, b] = [await open(), await open()];
        await Promise.all(Array.from({ length: 30 }, (_, i) => a.enqueueOutbox({ key: `m-${i}`, team: `t-${i % 3}`, kind: 'new-thread', target: {}, payload: { i } })));
        const claimedBy = new Map<string, string[]>();
        async function drain(store: Store, name: string): Promise<void> {
          for (;;) {
            const claims = await store.claimOutbox({ limit: 3 });
            if (claims.length === 0) return;
            for (const claim of claims) {
              claimedBy.set(claim.id, [...(claimedBy.get(claim.id) ?? []), name]);
              expect(await store.completeOutbox(claim.lease, { activityId: `${name}-${claim.id}` })).toBe(true);
            }
          }
        }
        await Promise.all([drain(a, 'a'), drain(b, 'b')]);
        expect(claimedBy.size).toBe(30);
        expect([...claimedBy.values()].every((holders) => holders.length === 1)).toBe(true);
        expect(await a.listOutbox({ status: 'sent' })).toHaveLength(30);
        expect(await b.listDueOutbox()).toEqual([]);
      });
    });

    describe('audit and conversation references', () => {
      it('appends audit entries and lists the latest first', async () => {
        const store = await open();
        for (let i = 0; i < 25; i++) {
          await store.appendAudit({
            actor: i % 2 ? alice : bob,
            conversationId: '19:abc@thread.tacv2',
            action: i % 5 === 0 ? 'exclude' : 'hunt',
            details: { i, query: "where Signer has 'Kaseya'" },
            outcome: i === 3 ? 'refused' : 'ok',
          });
          clock.advance(i % 3 === 0 ? 0 : 1000);
        }
        const latest = await store.listAudit({ limit: 10 });
        expect(latest.map((e) => (e.details as { i: number }).i)).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
        expect((await store.listAudit()).length).toBe(20);
        const all = await store.listAudit({ limit: 1000 });
        expect(all).toHaveLength(25);
        expect(all[21]).toMatchObject({ actor: alice, action: 'hunt', outcome: 'refused', conversationId: '19:abc@thread.tacv2' });
        expect(new Set(all.map((e) => e.id)).size).toBe(25);
        expect((await rejection(store.appendAudit({ actor: alice, conversationId: 'c', action: 'x', details: {}, outcome: 'maybe' as 'ok' }))).code).toBe('invalid');
      });
    });

    describe('operations', () => {
      it('reports health', async () => {
        const store = await open();
        const health = await store.health();
        expect(health).toMatchObject({ ok: true, kind: store.kind });
      });

      it('purges old hunts and finished outbox items, keeping the rest', async () => {
        const store = await open();
        const old = await doneHunt(store);
        const oldRunning = await store.createHunt(newHunt());
        const sent = await store.enqueueOutbox({ key: 'sent', team: 't', kind: 'new-thread', target: {}, payload: {} });
        const [claim] = await store.claimOutbox();
        await store.completeOutbox(claim!.lease, { activityId: 'x' });
        const pending = await store.enqueueOutbox({ key: 'pending', team: 't', kind: 'new-thread', target: {}, payload: {}, });
        await store.escalate(escalation(old.huntId));
        clock.advance(30 * DAY);
        const fresh = await doneHunt(store);
        const cutoff = new Date(clock.now().getTime() - DAY);
        expect(await store.purge({ huntsBefore: cutoff, auditBefore: cutoff })).toEqual({ hunts: 2, outboxItems: 1, auditEntries: 0 });
        expect(await store.getHunt(old.huntId)).toBeUndefined();
        expect(await store.getHunt(oldRunning.id)).toBeUndefined();
        expect(await store.listFindings(old.huntId)).toEqual([]);
        expect(await store.getFinding(old.huntId, '0')).toBeUndefined();
        expect((await store.getHunt(fresh.huntId))?.findingCount).toBe(3);
        expect(await store.listFindings(fresh.huntId)).toHaveLength(3);
        expect(await store.getOutboxItem('t', sent.record.id)).toBeUndefined();
        expect(await store.getOutboxItem('t', pending.record.id)).toBeDefined();
        expect(await store.listEscalations({ huntId: old.huntId })).toHaveLength(1);
        expect(await store.listOpenIncidents('team-1')).toHaveLength(1);
      });

      it('purges audit entries written before their own cut-off, to the millisecond, keeping the newer ones in order', async () => {
        const store = await open();
        const entry = (i: number) => ({ actor: alice, conversationId: 'c', action: 'hunt', details: { i }, outcome: 'ok' as const });
        for (let i = 0; i < 6; i++) {
          await store.appendAudit(entry(i));
          clock.advance(100 * DAY);
        }
        const boundary = new Date(Date.UTC(2026, 0, 15, 9, 0, 0) + 300 * DAY);
        const hunt = await doneHunt(store);
        expect(await store.purge({ huntsBefore: new Date(0), auditBefore: boundary })).toEqual({ hunts: 0, outboxItems: 0, auditEntries: 3 });
        expect((await store.listAudit({ limit: 1000 })).map((e) => (e.details as { i: number }).i)).toEqual([5, 4, 3]);
        expect((await store.listAudit({ limit: 1000 })).at(-1)!.at).toEqual(boundary);
        expect(await store.getHunt(hunt.huntId)).toBeDefined();
        expect(await store.purge({ huntsBefore: new Date(0), auditBefore: boundary })).toEqual({ hunts: 0, outboxItems: 0, auditEntries: 0 });
      });

      it('keeps exclusions (removed and expired too), incidents open and closed, escalations, undelivered posts, channel settings', async () => {
        const store = await open();
        const { huntId } = await doneHunt(store);
        const exclusion = (key: string, expiresAt: Date | null) => ({ key, pattern: key.toUpperCase(), scope: { kind: 'all' } as const, reason: 'r', createdBy: alice, expiresAt });
        const active = await store.addExclusion({ ...exclusion('ws-a', null), source: { huntId, rowKey: '0' } });
        const expired = await store.addExclusion(exclusion('ws-b', new Date(clock.now().getTime() + DAY)));
        const removed = await store.addExclusion(exclusion('ws-c', null));
        await store.removeExclusion(removed.record.id, bob);
        const first = await store.escalate(escalation(huntId));
        const second = await store.escalate(escalation(huntId, { key: 'esc-2', rowKey: '1', incident: { kind: 'new', title: 'second', channel: {} } }));
        await store.closeIncident('team-1', second.incident.number, bob);
        const [claim] = await store.claimOutbox({ limit: 1 });
        await store.failOutbox(claim!.lease, { error: 'HTTP 503' });
        await store.setIncidentChannel({ team: 'team-1', conversation: { conversation: { id: '19:incidents@thread.tacv2' } }, setBy: bob });
        clock.advance(1000 * DAY);
        expect(await store.purge({ huntsBefore: clock.now(), auditBefore: clock.now() })).toMatchObject({ hunts: 1, outboxItems: 0 });
        expect((await store.listExclusions()).map((x) => x.id).sort()).toEqual([active.record.id, expired.record.id, removed.record.id].sort());
        expect(await store.getIncident('team-1', first.incident.number)).toMatchObject({ status: 'open' });
        expect(await store.getIncident('team-1', second.incident.number)).toMatchObject({ status: 'closed' });
        expect((await store.listEscalations({ huntId })).map((e) => e.key).sort()).toEqual(['esc-2', `esc-${huntId}-0`].sort());
        expect((await store.listOutbox({ team: 'team-1' })).map((item) => item.status).sort()).toEqual(['pending', 'pending']);
        expect(await store.getIncidentChannel('team-1')).toBeDefined();
      });

      it('purges more than one batch, and two instances purging at once remove each record once', async () => {
        const a = await open();
        const b = await open();
        const hunts = await Promise.all(Array.from({ length: 70 }, () => doneHunt(a, 2)));
        for (let i = 0; i < 620; i += 20) {
          await Promise.all(Array.from({ length: 20 }, (_, j) => a.appendAudit({ actor: alice, conversationId: 'c', action: 'hunt', details: { i: i + j }, outcome: 'ok' })));
        }
        for (let i = 0; i < 3; i++) await a.enqueueOutbox({ key: `done-${i}`, team: 't', kind: 'new-thread', target: {}, payload: {} });
        for (const item of await a.claimOutbox({ limit: 3 })) await a.failOutbox(item.lease, { error: 'HTTP 400', permanent: true });
        clock.advance(DAY);
        const kept = await doneHunt(a);
        await a.appendAudit({ actor: alice, conversationId: 'c', action: 'hunt', details: { kept: true }, outcome: 'ok' });
        const cutoff = { huntsBefore: new Date(clock.now().getTime() - 1), auditBefore: new Date(clock.now().getTime() - 1) };
        const [first, second] = await Promise.all([a.purge(cutoff), b.purge(cutoff)]);
        expect([first.hunts + second.hunts, first.outboxItems + second.outboxItems, first.auditEntries + second.auditEntries]).toEqual([70, 3, 620]);
        for (const { huntId } of hunts) expect(await a.getHunt(huntId)).toBeUndefined();
        expect(await b.listFindings(hunts[69]!.huntId)).toEqual([]);
        expect(await a.listFindings(kept.huntId)).toHaveLength(3);
        expect(await a.listAudit({ limit: 1000 })).toEqual([expect.objectContaining({ details: { kept: true } })]);
        expect(await a.listOutbox({ team: 't' })).toEqual([]);
        expect(await a.purge(cutoff)).toEqual({ hunts: 0, outboxItems: 0, auditEntries: 0 });
      });
    });

    describe('processes', () => {
      it('keeps everything a killed process had acknowledged', async () => {
        const child = new Child({ spec: location.spec, mode: 'write', ...location.openOptions });
        await child.waitFor((lines) => lines.filter((l) => l.startsWith('ack ')).length >= 25);
        child.kill();
        const exit = await child.exited;
        expect(exit.signal).toBe('SIGKILL');
        const acked = child.lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' '));
        const running = child.lines.find((l) => l.startsWith('running '))!.split(' ')[1]!;

        const store = await open({ clock: () => new Date() });
        expect((await store.listRunningHunts({ instanceId: 'child' })).map((h) => h.id)).toEqual([running]);
        const exclusions = await store.listExclusions();
        const audit = await store.listAudit({ limit: 1000 });
        for (const [, i, huntId] of acked) {
          const hunt = await store.getHunt(huntId!);
          expect(hunt).toMatchObject({ status: 'done', findingCount: 3, kql: `hunt ${i}` });
          expect(await store.listFindings(huntId!)).toHaveLength(3);
          expect(exclusions.find((x) => x.key === `kill-${i}`)).toMatchObject({ pattern: `WS-KILL-${i}-0`, source: { huntId, rowKey: '0' } });
          expect(audit.some((e) => (e.details as { i: number }).i === Number(i))).toBe(true);
        }
        for (const hunt of await store.listRunningHunts()) {
          expect(await store.listFindings(hunt.id)).toEqual([]);
        }
        expect(exclusions.length).toBeGreaterThanOrEqual(acked.length);
        expect(exclusions.length).toBeLessThanOrEqual(acked.length + 1);
      });

      it('keeps escalations of a killed process whole: each with its incident and exactly one outbox message', async () => {
        const child = new Child({ spec: location.spec, mode: 'escalate', ...location.openOptions });
        await child.waitFor((lines) => lines.filter((l) => l.startsWith('ack ')).length >= 20);
        child.kill();
        expect((await child.exited).signal).toBe('SIGKILL');
        const huntId = child.lines.find((l) => l.startsWith('hunt '))!.split(' ')[1]!;
        const acked = child.lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' ').map(Number) as [number, number, number]);

        const store = await open({ clock: () => new Date() });
        const escalations = await store.listEscalations({ huntId });
        const keys = new Set(escalations.map((e) => e.key));
        for (const [, i, number] of acked) {
          expect(keys.has(`kill-esc-${i}`)).toBe(true);
          expect(escalations.find((e) => e.key === `kill-esc-${i}`)?.incidentNumber).toBe(number);
        }
        expect(escalations.length - acked.length).toBeGreaterThanOrEqual(0);
        expect(escalations.length - acked.length).toBeLessThanOrEqual(1);

        const outbox = await store.listOutbox({ team: 'kill-team' });
        expect(outbox).toHaveLength(escalations.length);
        const byId = new Map(outbox.map((item) => [item.id, item]));
        for (const e of escalations) {
          const item = byId.get(e.outboxId);
          expect(item?.payload).toEqual({ i: Number(e.key.slice('kill-esc-'.length)), number: e.incidentNumber, kind: item?.kind });
        }
        const incidents = await store.listOpenIncidents('kill-team');
        expect(incidents.map((i) => i.number)).toEqual(Array.from({ length: incidents.length }, (_, i) => i + 1));
        for (const incident of incidents) {
          const of = escalations.filter((e) => e.incidentNumber === incident.number);
          expect(of.length).toBeGreaterThanOrEqual(1);
          expect(of.filter((e) => byId.get(e.outboxId)?.kind === 'new-thread')).toHaveLength(1);
        }
      });

      it('delivers an item claimed by a killed process once its lease expires', async () => {
        const store = await open({ clock: () => new Date() });
        const { huntId } = await doneHunt(store);
        const { outbox } = await store.escalate(escalation(huntId));
        const child = new Child({ spec: location.spec, mode: 'claim-and-hang', ...location.openOptions });
        await child.waitFor((lines) => lines.some((l) => l.startsWith('claimed ')));
        expect(child.lines.find((l) => l.startsWith('claimed '))).toBe(`claimed ${outbox.id}`);
        child.kill();
        await child.exited;
        expect(await store.claimOutbox()).toEqual([]);
        const restarted = await open({ clock: () => new Date(Date.now() + 60_001) });
        const [retried, ...none] = await restarted.claimOutbox();
        expect(none).toEqual([]);
        expect(retried).toMatchObject({ id: outbox.id, attempts: 2, payload: { text: 'incident 1' } });
        expect(await restarted.completeOutbox(retried!.lease, { activityId: 'after-restart' })).toBe(true);
        expect(await restarted.claimOutbox()).toEqual([]);
        expect(await store.listOutbox({ status: 'sent' })).toHaveLength(1);
      });

      it('never gives one item to two processes draining the outbox at once', async () => {
        const store = await open({ clock: () => new Date() });
        const ids = (await Promise.all(Array.from({ length: 40 }, (_, i) => store.enqueueOutbox({ key: `p-${i}`, team: `t-${i % 4}`, kind: 'new-thread', target: {}, payload: { i } })))).map((r) => r.record.id);
        const children = ['p1', 'p2', 'p3'].map((childName) => new Child({ spec: location.spec, mode: 'drain', name: childName, ...location.openOptions }));
        await Promise.all(children.map((child) => child.waitFor((lines) => lines.includes('ready'))));
        for (const child of children) child.send('go');
        await Promise.all(children.map((child) => child.waitFor((lines) => lines.includes('done'))));
        await Promise.all(children.map((child) => child.exited));
        const claims = children.flatMap((child) => child.lines.filter((l) => l.startsWith('claimed ')).map((l) => l.slice('claimed '.length)));
        expect(claims.sort()).toEqual([...ids].sort());
        const sent = await store.listOutbox({ status: 'sent' });
        expect(sent).toHaveLength(40);
        for (const item of sent) expect(item.activityId).toMatch(new RegExp(`^p[123]:${item.id.replace(/[-]/g, '\\-')}$`));
      });
    });
  });
}
