/**
 * The bot process: configuration → store → adapter → HuntOps → Teams host → listening, the outbox
 * worker and the watch scheduler running, and a clean stop on SIGTERM/SIGINT that lets in-flight
 * hunts finish (a watch's run in flight is cancelled: it keeps its window and runs again later).
 */
import { ConfigError, describeConfig, loadConfig } from '../config';
import { RetentionScheduler } from '../core/retention-scheduler';
import { HealthCheck } from '../health';
import { createLogger } from '../logger';
import { openParsedStore } from '../store/open-store';
import { createAdapter } from '../teams/adapter';
import { TeamsOutboxPoster } from '../teams/outbox-poster';
import { listen } from '../teams/server';
import { storedReference } from '../teams/stored-reference';
import { createTeamsHost } from '../teams/teams-host';
import { createHuntOps } from './create-huntops';
import { huntOpsOptions } from './huntops-options';
import { createOutboxWorkers, type OutboxWorkers } from './outbox-workers';

const DRAIN_MS = 25_000;

async function start(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  log.info({ config: describeConfig(config) }, 'starting');
  const store = await openParsedStore(config.store);
  const adapter = createAdapter(config.bot, log);
  const appId = config.bot.mode === 'app' ? config.bot.appId : '';
  let outbox: OutboxWorkers | undefined;
  const options = await huntOpsOptions(config, { store, log, instanceId: config.instanceId, notifyOutbox: () => outbox?.notify() });
  outbox = createOutboxWorkers({ store, log, teams: new TeamsOutboxPoster(adapter, appId), maxAgeMs: config.outbox.maxAgeMs, ...(options.sentinel ? { sentinel: options.sentinel } : {}) });
  const huntOps = createHuntOps(options);
  const health = new HealthCheck({ store, targets: huntOps.targets.all, log });
  const host = createTeamsHost({
    app: huntOps.app,
    adapter,
    appId,
    log,
    health: async () => ({ ...(await health.report()), inFlight: host.inFlight.size }),
  });
  const { server, updater, inFlight } = host;

  for (const interrupted of await huntOps.interruptUnfinished()) {
    inFlight.track(
      Promise.resolve()
        .then(() => updater.update(storedReference(interrupted.reference), interrupted.messageId, interrupted.view))
        .catch((error: unknown) => log.warn({ err: error, huntId: interrupted.huntId }, 'could not mark the interrupted hunt')),
    );
  }
  outbox.start();
  huntOps.mirror?.start();
  const port = await listen(server, config.host, config.port);
  log.info({ url: `http://${config.host}:${port}/api/messages` }, 'listening');
  huntOps.watches.start();
  const retention = new RetentionScheduler({ store, policy: config.retention, log });
  retention.start();

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
      await huntOps.watches.stop();
      const drained = await inFlight.drain(DRAIN_MS);
      await Promise.all([outbox.stop(), huntOps.mirror?.stop(), host.close()]);
      await retention.stop();
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
