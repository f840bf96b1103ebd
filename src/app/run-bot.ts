/**
 * The bot process: configuration → store → adapter → HuntOps → Teams host → listening, and a
 * clean stop on SIGTERM/SIGINT that lets in-flight hunts finish.
 */
import { ConfigError, describeConfig, loadConfig } from '../config';
import { OutboxWorker } from '../core/outbox-worker';
import { createLogger } from '../logger';
import { openParsedStore } from '../store/open-store';
import { createAdapter } from '../teams/adapter';
import { TeamsOutboxPoster } from '../teams/outbox-poster';
import { listen } from '../teams/server';
import { storedReference } from '../teams/stored-reference';
import { createTeamsHost } from '../teams/teams-host';
import { createHuntOps } from './create-huntops';
import { huntOpsOptions } from './huntops-options';

const DRAIN_MS = 25_000;

async function start(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  log.info({ config: describeConfig(config) }, 'starting');
  const store = await openParsedStore(config.store);
  const adapter = createAdapter(config.bot, log);
  const appId = config.bot.mode === 'app' ? config.bot.appId : '';
  const outbox = new OutboxWorker({ store, poster: new TeamsOutboxPoster(adapter, appId), log, maxAgeMs: config.outbox.maxAgeMs });
  const huntOps = createHuntOps(await huntOpsOptions(config, { store, log, instanceId: config.instanceId, notifyOutbox: () => outbox.notify() }));
  const { server, updater, inFlight } = createTeamsHost({
    app: huntOps.app,
    adapter,
    appId,
    log,
    health: async () => {
      const [storeHealth, backends] = await Promise.all([
        store.health().catch((error: unknown) => ({ ok: false, detail: String(error) })),
        Promise.all(
          huntOps.targets.all.map(async (t) => ({ kind: t.backend.kind, source: t.backend.source, ...(t.ready ? await t.ready() : { ok: true, detail: 'no check' }) })),
        ),
      ]);
      return { ok: storeHealth.ok && backends.every((b) => b.ok), backends, store: storeHealth, inFlight: inFlight.size };
    },
  });

  for (const interrupted of await huntOps.interruptUnfinished()) {
    inFlight.track(
      Promise.resolve()
        .then(() => updater.update(storedReference(interrupted.reference), interrupted.messageId, interrupted.view))
        .catch((error: unknown) => log.warn({ err: error, huntId: interrupted.huntId }, 'could not mark the interrupted hunt')),
    );
  }
  outbox.start();
  const port = await listen(server, config.host, config.port);
  log.info({ url: `http://${config.host}:${port}/api/messages` }, 'listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const hardStop = setTimeout(() => process.exit(1), DRAIN_MS + 5_000);
    hardStop.unref();
    let code = 1;
    try {
      log.info({ signal, inFlight: inFlight.size }, 'stopping: finishing in-flight work');
      server.close();
      const drained = await inFlight.drain(DRAIN_MS);
      await outbox.stop();
      await store.close();
      log.info({ drained }, 'stopped');
      code = drained ? 0 : 1;
    } catch (error) {
      log.error({ err: error }, 'could not stop cleanly');
    } finally {
      log.flush(() => process.exit(code));
    }
  };
  // A closed stdout (the log's reader went away) must not keep the bot from stopping.
  process.stdout.on('error', () => undefined);
  process.on('SIGTERM', (s) => void stop(s));
  process.on('SIGINT', (s) => void stop(s));
}

/** Starts the bot; a configuration problem or a failed start ends the process with code 1. */
export function runBot(): void {
  start().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`huntops: ${error.message}\n`);
    } else {
      process.stderr.write(`huntops: could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  });
}
