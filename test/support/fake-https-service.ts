/**
 * The machinery the local HTTPS fakes of cloud services share: an HTTPS server on 127.0.0.1 (a free
 * port) with the test CA's server certificate, a record of every request, a count of requests in
 * flight (and the most ever in flight), programmable faults, a gate that holds answers until a test
 * releases them, and a clean stop. Each fake speaks its service's wire protocol in `handle`.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestCertificates } from './tls';

/** A fault a fake injects into its next answer (or every answer, see `failAlways`). */
export type Fault =
  /** 429 with Retry-After (seconds). */
  | { readonly kind: 'throttle'; readonly retryAfterSeconds: number }
  /** Any error status (500, 502, 503, 504...), optionally with Retry-After (seconds). */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
  /** Answers normally, but only after `ms` (or the service's own time limit, whichever is first). */
  | { readonly kind: 'slow'; readonly ms: number }
  /** Answers 200 with the first `keepRows` rows and the service's way of saying the result is partial. */
  | { readonly kind: 'partial'; readonly message: string; readonly keepRows: number }
  /** Answers 200 with a body that is not JSON. */
  | { readonly kind: 'malformed' }
  /** Answers 401 whatever the token. */
  | { readonly kind: 'unauthorized' }
  /** Answers 403: the token is valid but lacks the permission. */
  | { readonly kind: 'forbidden' }
  /** Answers 400: the service could not run the query, with this message. */
  | { readonly kind: 'queryError'; readonly message: string }
  /** Drops the connection without an answer. */
  | { readonly kind: 'reset' };

/** The largest request body a fake reads. */
const MAX_BODY = 1024 * 1024;

/** Base of the HTTPS fakes; `R` is what a fake records of each request. */
export abstract class FakeHttpsService<R> {
  /** Every request that reached the service's route, in order of arrival. */
  readonly requests: R[] = [];
  /** The most requests ever answered at once. */
  maxInFlight = 0;
  private inFlightCount = 0;
  private readonly faults: Fault[] = [];
  private standingFault: Fault | undefined;
  private held = false;
  private readonly heldAnswers = new Set<() => void>();
  private readonly changeListeners = new Set<() => void>();
  private readonly answered = new WeakSet<ServerResponse>();
  private server: Server | undefined;

  /** Requests being answered right now. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** `https://127.0.0.1:<port>`. */
  get origin(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('fake service is not listening');
    return `https://127.0.0.1:${address.port}`;
  }

  /** Starts listening on 127.0.0.1, on a free port. */
  protected async listen(certificates: TestCertificates): Promise<void> {
    const server = createServer({ key: certificates.key, cert: certificates.cert }, (req, res) => {
      void this.serve(req, res);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
  }

  /** Injects these faults, one per answer, into the next answers. */
  failNext(...faults: Fault[]): void {
    this.faults.push(...faults);
  }

  /** Injects this fault into every answer from now on (after any `failNext` faults). */
  failAlways(fault: Fault): void {
    this.standingFault = fault;
  }

  /** Removes every pending fault. */
  clearFaults(): void {
    this.faults.length = 0;
    this.standingFault = undefined;
  }

  /** Holds answers (requests are received and recorded) until {@link releaseAnswers}. */
  holdAnswers(): void {
    this.held = true;
  }

  /** Lets held answers go, and stops holding. */
  releaseAnswers(): void {
    this.held = false;
    for (const release of [...this.heldAnswers]) release();
    this.heldAnswers.clear();
  }

  /** Resolves once `condition` holds (checked on every request arrival and answer); rejects after `timeoutMs`. */
  waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.changeListeners.delete(check);
        reject(new Error(`fake service: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.changeListeners.delete(check);
        resolve();
      };
      this.changeListeners.add(check);
    });
  }

  /** Stops the server, dropping open connections and held answers. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.releaseAnswers();
    const closed = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await closed;
  }

  /** Answers one request of the service's protocol; `body` is the raw request body. */
  protected abstract handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;

  /** The fault for this answer, if any. */
  protected takeFault(): Fault | undefined {
    return this.faults.shift() ?? this.standingFault;
  }

  /** Records a request and tells waiters. */
  protected record(request: R): void {
    this.requests.push(request);
    this.changed();
  }

  /** Waits while answers are held; false when the client left meanwhile. */
  protected async gate(res: ServerResponse): Promise<boolean> {
    if (this.held) {
      await new Promise<void>((resolve) => {
        this.heldAnswers.add(resolve);
        res.once('close', resolve);
      });
    }
    return !res.destroyed && !res.writableEnded;
  }

  /** Waits `ms`; false when the client left (or the server stopped) first. */
  protected async pause(res: ServerResponse, ms: number): Promise<boolean> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      res.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return !res.destroyed && !res.writableEnded;
  }

  /** Sends a JSON answer. */
  protected sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.sendText(res, status, JSON.stringify(body), headers);
  }

  /** Sends a text answer labelled as JSON (malformed answers use it too). */
  protected sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    this.settle(res);
    res.end(text);
  }

  /** A request stops counting as in flight once its answer is written (or its connection is gone). */
  private settle(res: ServerResponse): void {
    if (this.answered.has(res)) return;
    this.answered.add(res);
    this.inFlightCount -= 1;
    this.changed();
  }

  private changed(): void {
    for (const listener of [...this.changeListeners]) listener();
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlightCount += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlightCount);
    res.once('close', () => this.settle(res));
    try {
      const body = await readBody(req);
      if (body === undefined) {
        this.sendJson(res, 413, { error: { code: 'RequestTooLarge', message: 'The request body is too large.' } });
        return;
      }
      await this.handle(req, res, body);
    } catch (error) {
      this.sendJson(res, 500, { error: { code: 'FakeServiceError', message: String(error) } });
    }
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON object body; undefined when it is not one. */
export function parseJsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `Bearer <token>` → token. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  return match?.[1];
}

const ISO_DURATION = /^P(?=\d|T\d)(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;

function isIsoDateTime(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(text) && Number.isFinite(Date.parse(text));
}

/** True for an ISO 8601 duration (`P5D`) or interval (`start/end`, `start/P5D`, `P5D/end`), as the services take a timespan. */
export function isIsoTimespan(text: string): boolean {
  const parts = text.split('/');
  if (parts.length === 1) return ISO_DURATION.test(text);
  const [from, to] = parts as [string, string];
  if (parts.length !== 2) return false;
  return (isIsoDateTime(from) && (isIsoDateTime(to) || ISO_DURATION.test(to))) || (ISO_DURATION.test(from) && isIsoDateTime(to));
}
