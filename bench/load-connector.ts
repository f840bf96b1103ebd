/**
 * The load bench's fake Bot Connector, run as its own process (`node --import tsx
 * bench/load-connector.ts`): the REST routes the botbuilder connector client calls (send, reply,
 * update), answered at once and recorded lean (time, route, ids, what the card shows; no bodies
 * kept). It runs apart from the load generator so neither one's event loop adds delay to the other's
 * timings: the bots' acknowledgement waits for this server's answer to the in-turn post.
 *
 * Protocol with the parent (IPC): it sends `{ type: 'listening', url }` once; on `{ type: 'drain' }`
 * it answers `{ type: 'records', records, loopDelayP99Ms }` with everything recorded since the last
 * drain. Updates of an activity id it never issued answer 404, as the real service does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

/** What a posted activity shows, as far as the bench cares. */
export type PostedKind = 'progress' | 'result' | 'empty' | 'failed' | 'text' | 'other';

/** One call a bot made. */
export interface ConnectorRecord {
  /** Epoch milliseconds (sub-millisecond precision) when the request was read. */
  readonly at: number;
  readonly route: 'send' | 'reply' | 'update' | 'unknown';
  readonly status: number;
  readonly conversationId?: string;
  /** The activity id in the path: the replied-to activity (reply) or the updated one (update). */
  readonly activityId?: string;
  /** The id this service gave the new activity (send, reply). */
  readonly responseId?: string;
  readonly shows: PostedKind;
}

/** Messages from the connector process to its parent. */
export type ConnectorMessage =
  | { readonly type: 'listening'; readonly url: string }
  | { readonly type: 'records'; readonly records: readonly ConnectorRecord[]; readonly loopDelayP99Ms: number };

/** Messages from the parent to the connector process. */
export type ConnectorCommand = { readonly type: 'drain' };

const ROUTES: ReadonlyArray<{ method: string; pattern: RegExp; route: ConnectorRecord['route'] }> = [
  { method: 'POST', pattern: /^\/v3\/conversations\/([^/]+)\/activities\/?$/, route: 'send' },
  { method: 'POST', pattern: /^\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/, route: 'reply' },
  { method: 'PUT', pattern: /^\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/, route: 'update' },
];

/** The `text` of every element of a card, in order: enough to tell the HuntOps views apart. */
function cardText(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) cardText(item, out);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'text' && typeof item === 'string') out.push(item);
      else cardText(item, out);
    }
  }
  return out;
}

/** Classifies a posted activity by its first card's headline (the HuntOps views) or as text. */
export function classify(activity: unknown): PostedKind {
  const body = activity as { text?: unknown; attachments?: Array<{ contentType?: unknown; content?: unknown }> } | undefined;
  const attachment = body?.attachments?.[0];
  if (attachment?.contentType !== 'application/vnd.microsoft.card.adaptive') {
    return typeof body?.text === 'string' && body.text.length > 0 ? 'text' : 'other';
  }
  const text = cardText((attachment.content as { body?: unknown } | undefined)?.body).join('\n');
  if (/^(Queued: )?Hunting /.test(text)) return 'progress';
  if (/ hunt failed\n|: the data is still loading\n|Something went wrong/.test(text)) return 'failed';
  if (/^[^\n]+: no devices\n/.test(text)) return 'empty';
  if (/^[^\n]+: \d+ devices?\n/.test(text)) return 'result';
  return 'other';
}

function main(): void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('load-connector runs as a child process with an IPC channel');
  let records: ConnectorRecord[] = [];
  const issued = new Set<string>();
  let nextId = 1;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      const path = (req.url ?? '').split('?')[0]!;
      const match = ROUTES.map((r) => ({ r, m: req.method === r.method ? r.pattern.exec(path) : null })).find((x) => x.m);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      const route = match?.r.route ?? 'unknown';
      const conversationId = match?.m?.[1] ? decodeURIComponent(match.m[1]) : undefined;
      const activityId = match?.m?.[2] ? decodeURIComponent(match.m[2]) : undefined;
      let status = 200;
      let responseId: string | undefined;
      if (route === 'unknown') status = 404;
      else if (route === 'update') status = activityId && issued.has(activityId) ? 200 : 404;
      else {
        responseId = `m${nextId++}`;
        issued.add(responseId);
      }
      records.push({
        at,
        route,
        status,
        shows: classify(body),
        ...(conversationId ? { conversationId } : {}),
        ...(activityId ? { activityId } : {}),
        ...(responseId ? { responseId } : {}),
      });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200 ? { id: responseId ?? activityId } : { error: { code: 'NotFound', message: `${req.method} ${path}` } }));
    });
  });

  process.on('message', (command: ConnectorCommand) => {
    if (command.type !== 'drain') return;
    const drained = records;
    records = [];
    const loopDelayP99Ms = loop.percentile(99) / 1e6;
    loop.reset();
    send({ type: 'records', records: drained, loopDelayP99Ms } satisfies ConnectorMessage);
  });
  process.on('disconnect', () => process.exit(0));
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    send({ type: 'listening', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` } satisfies ConnectorMessage);
  });
}

if (require.main === module) main();
