/**
 * Composition root: configuration → dependencies → server. Run with `npm start`.
 */
import { createBackend } from './backends/create-backend';
import { ConfigError, describeConfig, loadConfig } from './config';
import { createHuntOps } from './huntops';
import { createLogger } from './logger';
import { createAdapter } from './teams/adapter';
import { HuntOpsBot } from './teams/huntops-bot';
import { InFlight } from './teams/in-flight';
import { createServer, listen } from './teams/server';

const DRAIN_MS = 25_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  log.info({ config: describeConfig(config) }, 'starting');
  const backend = createBackend(config.backend);
  const app = createHuntOps({ backend, log });
  const adapter = createAdapter(config.bot, log);
  const inFlight = new InFlight();
  const bot = new HuntOpsBot({ app, adapter, appId: config.bot.mode === 'app' ? config.bot.appId : '', inFlight, log });
  const server = createServer({
    adapter,
    bot,
    health: async () => ({ ok: true, backend: { kind: backend.kind, source: backend.source }, inFlight: inFlight.size }),
  });
  const port = await listen(server, config.host, config.port);
  log.info({ url: `http://${config.host}:${port}/api/messages` }, 'listening');

  const stop = async (signal: string) => {
    log.info({ signal, inFlight: inFlight.size }, 'stopping: finishing in-flight hunts');
    server.close();
    const drained = await inFlight.drain(DRAIN_MS);
    log.info({ drained }, 'stopped');
    process.exit(drained ? 0 : 1);
  };
  process.once('SIGTERM', (s) => void stop(s));
  process.once('SIGINT', (s) => void stop(s));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`huntops: ${error.message}\n`);
  } else {
    process.stderr.write(`huntops: could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
