/**
 * The HTTP server: `POST /api/messages` for the Bot Framework, `GET /healthz` for probes.
 */
import restify from 'restify';
import type { ActivityHandler, CloudAdapter } from 'botbuilder';
import { inTurn } from '../logger';
import type { TurnGate } from './turn-gate';

/** What the server serves. */
export interface ServerDeps {
  readonly adapter: CloudAdapter;
  readonly bot: ActivityHandler;
  /** Counts the turns being handled, so follow-up work waits for them. */
  readonly gate: TurnGate;
  /** Body of `/healthz`; `ok: false` answers 503. */
  readonly health: () => Promise<{ readonly ok: boolean } & Record<string, unknown>>;
}

/** The largest activity accepted (Teams' own messages are far smaller). */
export const MAX_BODY_BYTES = 256 * 1024;

/** A restify server wired to the adapter; not yet listening. */
export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'huntops', handleUncaughtExceptions: false });
  const json: restify.plugins.JsonBodyParserOptions & { readonly maxBodySize: number } = { mapParams: false, maxBodySize: MAX_BODY_BYTES };
  server.use(restify.plugins.jsonBodyParser(json));
  server.post('/api/messages', async (req, res) => {
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || typeof (body as { type?: unknown }).type !== 'string') {
      res.json(400, { error: 'the body must be a Bot Framework activity with a type' });
      return;
    }
    await inTurn(() => deps.gate.turn(() => deps.adapter.process(req, res, (context) => deps.bot.run(context))));
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
