/**
 * The load bench's floor: a bare echo bot on HuntOps' own stack — the same restify server (body
 * parser, routes) from `src/teams/server.ts` and the same anonymous CloudAdapter from
 * `src/teams/adapter.ts` — answering every message with one text message, in the turn. Whatever
 * HuntOps' acknowledgement costs beyond this bot's is HuntOps' own work.
 *
 *   PORT=0 node --import tsx bench/echo-bot.ts    # logs {"url": ".../api/messages", "msg": "listening"}
 */
import { ActivityHandler, MessageFactory } from 'botbuilder';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import { createAdapter } from '../src/teams/adapter';
import { createServer, listen } from '../src/teams/server';
import { TurnGate } from '../src/teams/turn-gate';

/** Echoes each message's text back as one text message. */
export class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(MessageFactory.text(`echo: ${context.activity.text ?? ''}`));
      await next();
    });
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  if (config.bot.mode !== 'anonymous') throw new Error('the echo bot runs anonymous only (no MicrosoftAppId)');
  const adapter = createAdapter(config.bot, log);
  const server = createServer({ adapter, bot: new EchoBot(), gate: new TurnGate(), health: async () => ({ ok: true }) });
  const port = await listen(server, config.host, config.port);
  log.info({ url: `http://${config.host}:${port}/api/messages` }, 'listening');
  const stop = () => server.close(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`echo-bot: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
