/**
 * A fake Bot Connector service on loopback: the REST API the botbuilder connector client calls
 * (send, reply, update, create conversation), recording every call. Unknown routes answer 404 and
 * are recorded as such, so a test sees anything unexpected. Programmable failures (429, 5xx) for
 * retry tests, and Teams' message size limit: over it a message is refused with 413 and the error
 * code `MessageSizeTooBig`, as Teams answers (the size is the request's JSON counted in UTF-16).
 */
import { once, EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the bot made. */
export interface ConnectorCall {
  readonly method: string;
  readonly path: string;
  readonly conversationId?: string;
  readonly activityId?: string;
  readonly kind: 'send' | 'reply' | 'update' | 'createConversation' | 'unknown';
  readonly body: any;
  readonly status: number;
  /** The activity id the service answered with (sends, replies, updates). */
  readonly responseId?: string;
}

/** A failure to answer the next matching calls with. */
export interface InjectedFailure {
  readonly status: number;
  readonly times: number;
  readonly retryAfterSeconds?: number;
  readonly kind?: ConnectorCall['kind'];
}

const ROUTES: Array<{ method: string; pattern: RegExp; kind: ConnectorCall['kind'] }> = [
  { method: 'POST', pattern: /^\/v3\/conversations\/?$/, kind: 'createConversation' },
  { method: 'POST', pattern: /^\/v3\/conversations\/([^/]+)\/activities\/?$/, kind: 'send' },
  { method: 'POST', pattern: /^\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/, kind: 'reply' },
  { method: 'PUT', pattern: /^\/v3\/conversations\/([^/]+)\/activities\/([^/]+)$/, kind: 'update' },
];

/** The fake service. */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private readonly events = new EventEmitter();
  private readonly failures: Array<InjectedFailure & { left: number }> = [];
  private nextId = 1;
  private maxMessageBytes = Infinity;
  private server?: http.Server;

  /** The `serviceUrl` to put on activities. */
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** Refuses messages (sends, replies, updates, new conversations) over `bytes` in UTF-16 with 413 `MessageSizeTooBig`. */
  limitMessageSize(bytes: number): void {
    this.maxMessageBytes = bytes;
  }

  /** Drops the failures not yet answered: the service recovers. */
  recover(): void {
    this.failures.length = 0;
  }

  /** Answers the next `times` calls (of `kind`, if given) with `status`. */
  fail(failure: InjectedFailure): void {
    this.failures.push({ ...failure, left: failure.times });
  }

  /** Resolves when at least `count` calls match `predicate` (rejects after `timeoutMs`). */
  async waitFor(predicate: (call: ConnectorCall) => boolean, count = 1, timeoutMs = 10_000): Promise<ConnectorCall[]> {
    const matching = () => this.calls.filter(predicate);
    if (matching().length >= count) return matching();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('call', check);
        reject(new Error(`timed out waiting for ${count} matching connector call(s); saw ${JSON.stringify(this.calls.map((c) => `${c.method} ${c.path} ${c.status}`))}`));
      }, timeoutMs);
      const check = () => {
        if (matching().length >= count) {
          clearTimeout(timer);
          this.events.off('call', check);
          resolve(matching());
        }
      };
      this.events.on('call', check);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const path = (req.url ?? '').split('?')[0]!;
    const route = ROUTES.map((r) => ({ r, m: req.method === r.method ? r.pattern.exec(path) : null })).find((x) => x.m);
    const kind = route?.r.kind ?? 'unknown';
    const conversationId = route?.m?.[1] ? decodeURIComponent(route.m[1]) : undefined;
    const activityId = route?.m?.[2] ? decodeURIComponent(route.m[2]) : undefined;
    const failure = this.failures.find((f) => f.left > 0 && (!f.kind || f.kind === kind));
    let status: number;
    let answer: unknown;
    if (!route) {
      status = 404;
      answer = { error: { code: 'NotFound', message: `no route ${req.method} ${path}` } };
    } else if (text.length * 2 > this.maxMessageBytes) {
      status = 413;
      answer = { error: { code: 'MessageSizeTooBig', message: 'Message size too large.' } };
    } else if (failure) {
      failure.left -= 1;
      status = failure.status;
      answer = { error: { code: 'Injected', message: `injected ${failure.status}` } };
      if (failure.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(failure.retryAfterSeconds));
    } else if (kind === 'createConversation') {
      status = 201;
      const id = `a${this.nextId++}`;
      answer = { id: `${body?.channelData?.channel?.id ?? 'conv'};messageid=${id}`, activityId: id };
    } else {
      status = 200;
      answer = { id: kind === 'update' ? activityId : `a${this.nextId++}` };
    }
    const responseId = (answer as { id?: unknown }).id;
    this.calls.push({
      method: req.method ?? '',
      path,
      kind,
      body,
      status,
      ...(conversationId ? { conversationId } : {}),
      ...(activityId ? { activityId } : {}),
      ...(status < 300 && typeof responseId === 'string' ? { responseId } : {}),
    });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
    this.events.emit('call');
  }
}
