/**
 * The real bot, in-process: restify + CloudAdapter (anonymous) + the core, on a free loopback port,
 * posting to a {@link FakeConnector}. Tests POST Teams-shaped activities and read what the bot sent.
 */
import type { AddressInfo } from 'node:net';
import type { Backend } from '../../src/backends/backend';
import type { Log } from '../../src/core/log';
import { SILENT_LOG } from '../../src/core/log';
import { createHuntOps } from '../../src/huntops';
import { createAdapter } from '../../src/teams/adapter';
import { HuntOpsBot } from '../../src/teams/huntops-bot';
import { InFlight } from '../../src/teams/in-flight';
import { createServer, listen } from '../../src/teams/server';
import { FakeConnector, type ConnectorCall } from './fake-connector';

/** A running bot and its fake connector. */
export interface BotHarness {
  readonly connector: FakeConnector;
  readonly inFlight: InFlight;
  /** POSTs an activity; resolves with the HTTP status and body. */
  post(activity: object): Promise<{ status: number; body: any; ms: number }>;
  stop(): Promise<void>;
}

/** Starts the bot against `backend`. */
export async function startBot(options: { backend: Backend; log?: Log; now?: () => Date }): Promise<BotHarness> {
  const log = options.log ?? SILENT_LOG;
  const connector = await new FakeConnector().start();
  const app = createHuntOps({ backend: options.backend, log, ...(options.now ? { now: options.now } : {}) });
  const adapter = createAdapter({ mode: 'anonymous' }, log);
  const inFlight = new InFlight();
  const bot = new HuntOpsBot({ app, adapter, appId: '', inFlight, log });
  const server = createServer({ adapter, bot, health: async () => ({ ok: true }) });
  await listen(server, '127.0.0.1', 0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/messages`;
  return {
    connector,
    inFlight,
    async post(activity) {
      const started = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, ms: performance.now() - started };
    },
    async stop() {
      await inFlight.drain(10_000);
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connector.stop();
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
