/**
 * The Teams side of HuntOps put together: the bot on the adapter, its in-place updates, the gate
 * that lets follow-up work wait for turns, and the HTTP server. One assembly for the composition
 * root and for tests that run the real stack in-process.
 */
import type { CloudAdapter } from 'botbuilder';
import type { Server } from 'restify';
import { CardRenderer } from '../cards/card-renderer';
import type { HuntOpsApp } from '../core/app';
import type { Log } from '../core/log';
import { HuntOpsBot } from './huntops-bot';
import { InFlight } from './in-flight';
import { MessageUpdater } from './message-updater';
import { createServer, type ServerDeps } from './server';
import { TurnGate } from './turn-gate';

/** What the host is built from. */
export interface TeamsHostOptions {
  readonly app: HuntOpsApp;
  readonly adapter: CloudAdapter;
  /** The bot's app id; empty when anonymous. */
  readonly appId: string;
  readonly log: Log;
  readonly health: ServerDeps['health'];
}

/** The assembled host; the server is not yet listening. */
export interface TeamsHost {
  readonly server: Server;
  readonly bot: HuntOpsBot;
  readonly updater: MessageUpdater;
  /** Work still running after its turn (drained on shutdown). */
  readonly inFlight: InFlight;
  /** Stops the host's own threads (after the in-flight work has drained). */
  close(): Promise<void>;
}

/** Builds the host. */
export function createTeamsHost(options: TeamsHostOptions): TeamsHost {
  const inFlight = new InFlight();
  const gate = new TurnGate();
  const renderer = new CardRenderer();
  const updater = new MessageUpdater(options.adapter, options.appId, (view) => renderer.render(view));
  const bot = new HuntOpsBot({ app: options.app, updater, inFlight, gate, log: options.log });
  const server = createServer({ adapter: options.adapter, bot, gate, health: options.health });
  return { server, bot, updater, inFlight, close: () => renderer.close() };
}
