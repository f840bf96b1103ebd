/**
 * The HTTP server: `POST /api/messages` for the Bot Framework, `GET /healthz` for probes.
 */
import restify from 'restify';
import type { ActivityHandler, CloudAdapter } from 'botbuilder';

/** What the server serves. */
export interface ServerDeps {
  readonly adapter: CloudAdapter;
  readonly bot: ActivityHandler;
  /** Body of `/healthz`; `ok: false` answers 503. */
  readonly health: () => Promise<{ readonly ok: boolean } & Record<string, unknown>>;
}

/** A restify server wired to the adapter; not yet listening. */
export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'huntops', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 256 * 1024, mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await deps.adapter.process(req, res, (context) => deps.bot.run(context));
  });
  server.get('/healthz', async (_req, res) => {
    const body = await deps.health();
    res.json(body.ok ? 200 : 503, body);
  });
  return server;
}

/** Starts listening; resolves with the bound port. */
export function listen(server: restify.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
