/**
 * The load bench's HTTP client: an undici `Pool` with keep-alive, the same settings for every bot,
 * and the two arrival patterns. Both are open-loop: each POST is sent at its scheduled time whether
 * or not earlier ones were answered, and its latency counts from that scheduled time, so a stalled
 * bot shows as latency rather than as fewer requests (no coordinated omission).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

/** Epoch milliseconds with sub-millisecond precision; comparable across processes on this machine. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** One request to send: the incoming activity's id (to match what the bot posts) and its JSON. */
export interface Outgoing {
  readonly id: string;
  readonly json: string;
}

/** One request's fate. */
export interface Acknowledgement {
  readonly id: string;
  /** When it was due (epoch ms): latency counts from here. */
  readonly scheduled: number;
  /** When the client actually started it: later than `scheduled` if the generator lagged. */
  readonly sent: number;
  /** When the response had been read in full, or the request failed. */
  readonly done: number;
  readonly status?: number;
  readonly error?: string;
}

/** Client settings, identical for every bot. */
export interface ClientOptions {
  /** Most sockets to one bot; at least the burst size, so a burst is sent at once. */
  readonly connections: number;
}

/** Sends activities to one bot's `/api/messages`. */
export class LoadClient {
  private readonly pool: Pool;

  constructor(origin: string, options: ClientOptions) {
    this.pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
  }

  /** Opens `count` keep-alive sockets (concurrent `GET /healthz`), so a burst measures the bot, not TCP handshakes. */
  async prime(count: number): Promise<void> {
    await Promise.all(
      Array.from({ length: count }, async () => {
        const res = await this.pool.request({ path: '/healthz', method: 'GET' });
        await res.body.dump();
      }),
    );
  }

  /** POSTs one activity, due at `scheduled`. Never rejects: failures are recorded. */
  async post(outgoing: Outgoing, scheduled: number): Promise<Acknowledgement> {
    const sent = now();
    try {
      const res = await this.pool.request({
        path: '/api/messages',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: outgoing.json,
      });
      await res.body.dump();
      return { id: outgoing.id, scheduled, sent, done: now(), status: res.statusCode };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { id: outgoing.id, scheduled, sent, done: now(), error: typeof code === 'string' ? code : String(error) };
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** Sends every request at the same instant. */
export async function sendBurst(client: LoadClient, requests: readonly Outgoing[]): Promise<Acknowledgement[]> {
  const at = now();
  return Promise.all(requests.map((r) => client.post(r, at)));
}

/** Sends `requests` at `perSecond`, evenly spaced, starting shortly after the call; stops early once `until()` says so. */
export async function sendSteady(client: LoadClient, requests: readonly Outgoing[], perSecond: number, until?: () => boolean): Promise<Acknowledgement[]> {
  const interval = 1000 / perSecond;
  const start = now() + 10;
  const pending: Array<Promise<Acknowledgement>> = [];
  for (let i = 0; i < requests.length && !until?.(); ) {
    const due = start + i * interval;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    // Everything due by now goes out, so a late timer does not shift the schedule.
    for (const t = now(); i < requests.length && start + i * interval <= t; i += 1) {
      pending.push(client.post(requests[i]!, start + i * interval));
    }
  }
  return Promise.all(pending);
}
