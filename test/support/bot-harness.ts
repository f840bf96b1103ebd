/**
 * The real bot, in-process: restify + CloudAdapter (anonymous) + the core, on a free loopback port,
 * posting to a {@link FakeConnector}. Tests POST Teams-shaped activities and read what the bot sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Backend } from '../../src/backends/backend';
import type { AccessConfig } from '../../src/config';
import { HuntTargets } from '../../src/core/hunt-targets';
import type { Log } from '../../src/core/log';
import type { RuleBook } from '../../src/hunt/rule-book';
import { SILENT_LOG } from '../../src/core/log';
import { createHuntOps, type HuntOps } from '../../src/app/create-huntops';
import type { HuntOpsOptions } from '../../src/app/huntops-options';
import { createOutboxWorkers, type OutboxWorkers } from '../../src/app/outbox-workers';
import type { SentinelServices } from '../../src/core/sentinel-services';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { createAdapter } from '../../src/teams/adapter';
import type { InFlight } from '../../src/teams/in-flight';
import { TeamsOutboxPoster } from '../../src/teams/outbox-poster';
import { listen } from '../../src/teams/server';
import { createTeamsHost } from '../../src/teams/teams-host';
import { FakeConnector, type ConnectorCall } from './fake-connector';

/** A running bot and its fake connector. */
export interface BotHarness {
  readonly connector: FakeConnector;
  readonly inFlight: InFlight;
  readonly store: Store;
  readonly core: HuntOps;
  readonly outbox: OutboxWorkers;
  /** POSTs an activity; resolves with the HTTP status and body. */
  post(activity: object): Promise<{ status: number; body: any; ms: number }>;
  stop(): Promise<void>;
}

/** How to start the bot. */
export interface BotOptions {
  /** One backend (the local kind: it applies no window itself) or the targets to hunt on. */
  readonly backend: Backend | HuntTargets;
  /** `HUNT_RULES_DIR` rules. */
  readonly rules?: RuleBook;
  /** Most devices per hunt; default 500. */
  readonly maxDevices?: number;
  readonly log?: Log;
  readonly now?: () => Date;
  /** Default: everyone may use it and respond (anonymous, local). */
  readonly access?: AccessConfig;
  /** `HUNT_STORE`; default a SQLite file in a temp folder removed on stop. */
  readonly store?: string;
  readonly incidentChannel?: string;
  /** Outbox poll interval; default 100 ms. */
  readonly outboxPollMs?: number;
  /** How long an outbox post may stay unsent before it is given up; default the worker's. */
  readonly outboxMaxAgeMs?: number;
  /** How watches run; their scheduler is started only when `start` is set (tests otherwise tick it with `core.watches.runDue()`). */
  readonly watch?: HuntOpsOptions['watch'] & { readonly start?: boolean };
  /** Per-user rate and pending caps; default the documented ones (`HUNT_USER_RATE` 10 a minute…). */
  readonly limits?: HuntOpsOptions['limits'];
  /** Microsoft Sentinel on the bot's store (the caller builds it against its fake Resource Manager). */
  readonly sentinel?: (store: Store) => SentinelServices;
}

/** Starts the bot against `options.backend`. */
export async function startBot(options: BotOptions): Promise<BotHarness> {
  const log = options.log ?? SILENT_LOG;
  const connector = await new FakeConnector().start();
  const dir = options.store ? undefined : mkdtempSync(path.join(os.tmpdir(), 'huntops-store-'));
  const store = await openStore(options.store ?? `sqlite:${path.join(dir!, 'huntops.db')}`, options.now ? { clock: options.now } : {});
  const adapter = createAdapter({ mode: 'anonymous' }, log);
  const sentinel = options.sentinel?.(store);
  const outbox = createOutboxWorkers({
    store,
    log,
    teams: new TeamsOutboxPoster(adapter, ''),
    pollMs: options.outboxPollMs ?? 100,
    ...(options.now ? { now: options.now } : {}),
    ...(options.outboxMaxAgeMs ? { maxAgeMs: options.outboxMaxAgeMs } : {}),
    ...(sentinel ? { sentinel } : {}),
  });
  const core = createHuntOps({
    targets: options.backend instanceof HuntTargets ? options.backend : new HuntTargets({ backend: options.backend, appliesWindow: false }),
    ...(options.rules ? { rules: options.rules } : {}),
    ...(options.maxDevices ? { maxDevices: options.maxDevices } : {}),
    store,
    access: options.access ?? { allowedTenants: '*', responders: '*' },
    log,
    instanceId: 'test',
    notifyOutbox: () => outbox.notify(),
    ...(options.incidentChannel ? { incidentChannel: options.incidentChannel } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.watch ? { watch: options.watch } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(sentinel ? { sentinel } : {}),
  });
  const host = createTeamsHost({ app: core.app, adapter, appId: '', log, health: async () => ({ ok: true }) });
  const { server, inFlight } = host;
  outbox.start();
  if (options.watch?.start) core.watches.start();
  await listen(server, '127.0.0.1', 0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  return {
    connector,
    inFlight,
    store,
    core,
    outbox,
    async post(activity) {
      const started = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(activity) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started };
    },
    async stop() {
      await core.watches.stop();
      await inFlight.drain(10_000);
      await outbox.stop();
      await host.close();
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connector.stop();
      await store.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Adaptive Card an activity the bot sent carries. */
export function cardOf(call: ConnectorCall): any {
  const attachment = call.body?.attachments?.[0];
  if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive') {
    throw new Error(`not a card: ${JSON.stringify(call.body).slice(0, 300)}`);
  }
  return attachment.content;
}

/** Every string in a card, joined: what a reader would see (plus ids). */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(card);
  return out.join('\n');
}
