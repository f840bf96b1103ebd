/**
 * The real bot in-process for security tests: restify + CloudAdapter as `createAdapter` builds it for
 * a given identity (anonymous, or an app registration with the offline test endpoints), the core on
 * a real local backend whose queries are recorded, and a temp SQLite store. Tests POST activities
 * with whatever Authorization header they like and look at what reached the backend, the store and
 * the connectors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { CloudAdapter } from 'botbuilder';
import type { Backend, QueryRequest, QueryResult } from '../../src/backends/backend';
import type { AccessConfig, BotAuth } from '../../src/config';
import { HuntTargets } from '../../src/core/hunt-targets';
import { SILENT_LOG, type Log } from '../../src/core/log';
import { createHuntOps } from '../../src/app/create-huntops';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { createAdapter } from '../../src/teams/adapter';
import type { InFlight } from '../../src/teams/in-flight';
import { TeamsOutboxPoster } from '../../src/teams/outbox-poster';
import type { MessageUpdater } from '../../src/teams/message-updater';
import { listen } from '../../src/teams/server';
import { createTeamsHost } from '../../src/teams/teams-host';

/** A backend that records every query it is asked to run, then runs it on the real one. */
export class RecordingBackend implements Backend {
  readonly queries: string[] = [];
  readonly kind: string;
  readonly source: string;
  readonly dialect: Backend['dialect'];
  readonly maxWindow: Backend['maxWindow'];

  constructor(private readonly inner: Backend) {
    this.kind = inner.kind;
    this.source = inner.source;
    this.dialect = inner.dialect;
    this.maxWindow = inner.maxWindow;
  }

  run(request: QueryRequest): Promise<QueryResult> {
    this.queries.push(request.kql);
    return this.inner.run(request);
  }
}

/** A running bot. */
export interface SecuredBot {
  readonly url: string;
  readonly adapter: CloudAdapter;
  readonly store: Store;
  readonly backend: RecordingBackend;
  readonly inFlight: InFlight;
  readonly updater: MessageUpdater;
  readonly poster: TeamsOutboxPoster;
  /** POSTs `activity` with `headers`; resolves with the status and the body text. */
  post(activity: object, headers?: Record<string, string>): Promise<{ status: number; text: string }>;
  stop(): Promise<void>;
}

/** How to start it. */
export interface SecuredBotOptions {
  readonly bot: BotAuth;
  readonly backend: Backend;
  readonly access?: AccessConfig;
  readonly now?: () => Date;
  /** Where the adapter and the core log (default: nowhere). */
  readonly log?: Log;
}

/** Starts the bot on 127.0.0.1 (a free port). */
export async function startSecuredBot(options: SecuredBotOptions): Promise<SecuredBot> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'huntops-security-'));
  const store = await openStore(`sqlite:${path.join(dir, 'huntops.db')}`, options.now ? { clock: options.now } : {});
  const backend = new RecordingBackend(options.backend);
  const log = options.log ?? SILENT_LOG;
  const adapter = createAdapter(options.bot, log);
  const appId = options.bot.mode === 'app' ? options.bot.appId : '';
  const core = createHuntOps({
    targets: new HuntTargets({ backend, appliesWindow: false }),
    store,
    access: options.access ?? { allowedTenants: '*', responders: '*' },
    log,
    instanceId: 'security-test',
    ...(options.now ? { now: options.now } : {}),
  });
  const host = createTeamsHost({ app: core.app, adapter, appId, log, health: async () => ({ ok: true }) });
  const { server, inFlight, updater } = host;
  await listen(server, '127.0.0.1', 0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  return {
    url,
    adapter,
    store,
    backend,
    inFlight,
    updater,
    poster: new TeamsOutboxPoster(adapter, appId),
    async post(activity, headers = {}) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
      return { status: res.status, text: await res.text() };
    },
    async stop() {
      await inFlight.drain(10_000);
      await host.close();
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
