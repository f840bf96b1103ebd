/**
 * Two processes, each with its own store connection and watch scheduler, tick at the same moments
 * on one store (a SQLite file, and Azure Tables on Azurite): every due run happens in one of them,
 * and each new device is posted exactly once.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type OpenStoreOptions } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { startAzurite, type Azurite } from '../support/azurite';
import { TestClock } from '../store/store-contract';
import type { SchedulerChildConfig } from './fixtures/scheduler-child';
import { posts, type TelemetryEvent } from './watch-fixtures';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const CHILD = join(__dirname, 'fixtures', 'scheduler-child.ts');

/** A scheduler process and its output lines. */
class SchedulerProcess {
  readonly lines: string[] = [];
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly waiters: Array<() => void> = [];
  private stderr = '';

  constructor(config: SchedulerChildConfig) {
    this.process = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD, JSON.stringify(config)], { stdio: 'pipe' });
    let partial = '';
    this.process.stdout.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.process.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.process.once('close', () => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  async waitForLines(count: number): Promise<void> {
    while (this.lines.length < count) {
      if (this.process.exitCode !== null || this.process.signalCode !== null) throw new Error(`scheduler process exited early:\n${this.stderr}`);
      await new Promise<void>((wake) => this.waiters.push(wake));
    }
  }

  send(line: string): void {
    this.process.stdin.write(`${line}\n`);
  }

  async close(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const closed = new Promise((resolve) => this.process.once('close', resolve));
    this.process.stdin.end();
    await closed;
  }
}

const root = mkdtempSync(join(tmpdir(), 'huntops-two-processes-'));
let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
  rmSync(root, { recursive: true, force: true });
});

const storages: Array<[string, () => { spec: string; options: Pick<OpenStoreOptions, 'tablePrefix'> }]> = [
  ['a SQLite file', () => ({ spec: `sqlite:${join(root, `${randomBytes(4).toString('hex')}.db`)}`, options: {} })],
  ['Azure Tables (Azurite)', () => ({ spec: `azuretables:${azurite.connectionString}`, options: { tablePrefix: `t${randomBytes(6).toString('hex')}` } })],
];

describe.each(storages)('two scheduler processes on %s', (_, storage) => {
  jest.setTimeout(120_000);

  it('run each due run once and post each new device exactly once', async () => {
    const { spec, options } = storage();
    const clock = new TestClock();
    const store: Store = await openStore(spec, { ...options, clock: clock.now });
    const telemetryFile = join(root, `${randomBytes(4).toString('hex')}.json`);
    const events: Array<Omit<TelemetryEvent, 'ingestedAt'>> = [];
    const add = (device: string, toolId: string): void => {
      events.push({ deviceId: `id-${device}`, deviceName: device, toolId, at: new Date(clock.now().getTime() - 5 * MINUTE) });
    };
    const children = [1, 2].map(() => new SchedulerProcess({ spec, telemetry: telemetryFile, ...options }));
    try {
      for (const [i, tools] of [['kaseya'], ['anydesk'], ['kaseya', 'anydesk']].entries()) {
        await store.createWatch({
          key: `watch-${i}`,
          tenant: 'tenant-contoso',
          spec: { version: 1, hunt: { tools, subject: tools.join(' and ') } },
          intervalMs: HOUR,
          baselineWindowMs: 2 * HOUR,
          conversation: { conversation: { id: `19:channel-${i}@thread.tacv2` } },
          createdBy: { aadObjectId: 'aad-alice', name: 'Alice' },
        });
      }
      await Promise.all(children.map((child) => child.waitForLines(1)));
      add('WS-BASE', 'kaseya');
      const runs: string[] = [];
      for (let round = 0; round < 5; round++) {
        if (round > 0) {
          clock.advance(HOUR);
          add(`WS-K-${round}`, 'kaseya');
          add(`WS-A-${round}`, 'anydesk');
          add(`WS-BASE`, 'kaseya');
        }
        writeFileSync(telemetryFile, JSON.stringify(events));
        for (const child of children) child.send(`tick ${clock.now().getTime()}`);
        await Promise.all(children.map((child) => child.waitForLines(round + 2)));
        for (const child of children) {
          const ran = JSON.parse(child.lines[round + 1]!.slice('ran '.length)) as Array<[string, number, string, number]>;
          runs.push(...ran.map(([, id]) => `${round}:${id}`));
        }
      }
      expect(runs.sort()).toEqual([0, 1, 2, 3, 4].flatMap((round) => [1, 2, 3].map((id) => `${round}:${id}`)).sort());

      const outbox = await posts(store, 'tenant-contoso');
      const byWatch = (id: number) => outbox.filter((post) => post.payload.watch === id);
      for (const id of [1, 2, 3]) expect(byWatch(id).filter((post) => post.key.endsWith(':baseline'))).toHaveLength(1);
      const kaseya = ['WS-BASE', 'WS-K-1', 'WS-K-2', 'WS-K-3', 'WS-K-4'];
      const anydesk = ['WS-A-1', 'WS-A-2', 'WS-A-3', 'WS-A-4'];
      expect(byWatch(1).flatMap((post) => post.payload.devices).sort()).toEqual(kaseya);
      expect(byWatch(2).flatMap((post) => post.payload.devices).sort()).toEqual(anydesk);
      expect(byWatch(3).flatMap((post) => post.payload.devices).sort()).toEqual([...anydesk, ...kaseya].sort());
    } finally {
      await Promise.all(children.map((child) => child.close()));
      await store.close();
    }
  });
});
