/**
 * A local HTTPS fake of Microsoft Graph's advanced hunting action,
 * `POST /v1.0/security/runHuntingQuery` with a bearer token and a JSON body `{ Query, Timespan }`,
 * answering `{ "@odata.context", schema: [{ name, type }], results: [{ column: value }] }` and errors
 * as Graph does, `{ error: { code, message, innerError: { date, request-id, client-request-id } } }`.
 * Like the service it caps results (the fault `partial` answers exactly `keepRows` rows). It fails
 * closed: unknown path 404, other methods 405, no or unknown token 401, unexpected body 400.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, FakeHttpsService, isIsoTimespan, parseJsonObject, type Fault } from './fake-https-service';
import type { TestCertificates } from './tls';

/** A hunting result as Graph sends it. */
export interface HuntingResult {
  readonly schema: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  readonly results: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/** What the fake saw of one request. */
export interface RecordedHuntingRequest {
  /** `Query` of the body, exactly as sent. */
  readonly query: string | undefined;
  /** `Timespan` of the body, exactly as sent. */
  readonly timespan: string | undefined;
  /** The bearer token, if any. */
  readonly token: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

/** How to start the fake. */
export interface FakeGraphOptions {
  readonly certificates: TestCertificates;
  /** Bearer tokens it accepts. */
  readonly acceptedTokens: readonly string[];
  /** What a query returns (default: no rows). */
  readonly answer?: (query: string) => HuntingResult;
  /** Graph's documentation shows the schema both as `{ name, type }` and `{ Name, Type }`. Default camel. */
  readonly schemaCase?: 'camel' | 'pascal';
}

const ROUTE = '/v1.0/security/runHuntingQuery';
const BODY_KEYS = new Set(['Query', 'Timespan']);

/** The fake Graph runHuntingQuery. */
export class FakeGraph extends FakeHttpsService<RecordedHuntingRequest> {
  private answer: (query: string) => HuntingResult;

  private constructor(private readonly options: FakeGraphOptions) {
    super();
    this.answer = options.answer ?? (() => ({ schema: [], results: [] }));
  }

  /** Starts a fake on 127.0.0.1 (a free port). */
  static async start(options: FakeGraphOptions): Promise<FakeGraph> {
    const fake = new FakeGraph(options);
    await fake.listen(options.certificates);
    return fake;
  }

  /** The Graph root to give the backend (`…/v1.0`). */
  get baseUrl(): string {
    return `${this.origin}/v1.0`;
  }

  /** Sets what queries return from now on. */
  answerWith(answer: HuntingResult | ((query: string) => HuntingResult)): void {
    this.answer = typeof answer === 'function' ? answer : () => answer;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://fake');
    if (url.pathname !== ROUTE) {
      this.sendError(res, 404, 'UnknownError', `Resource not found for the segment '${url.pathname.split('/').pop() ?? ''}'.`);
      return;
    }
    if (req.method !== 'POST') {
      this.sendError(res, 405, 'Request_BadRequest', `The method ${req.method ?? ''} is not allowed here.`);
      return;
    }
    const json = parseJsonObject(body);
    const token = bearerToken(req);
    this.record({
      query: typeof json?.Query === 'string' ? json.Query : undefined,
      timespan: typeof json?.Timespan === 'string' ? json.Timespan : undefined,
      token,
      headers: req.headers,
    });
    if (!token || !this.options.acceptedTokens.includes(token)) {
      this.sendError(res, 401, 'InvalidAuthenticationToken', token ? 'Access token validation failure.' : 'Access token is empty.');
      return;
    }
    const problem = bodyProblem(req, json);
    if (problem) {
      this.sendError(res, 400, 'BadRequest', problem);
      return;
    }
    if (!(await this.gate(res))) return;
    await this.respond(res, json!.Query as string, this.takeFault());
  }

  private async respond(res: ServerResponse, query: string, fault: Fault | undefined): Promise<void> {
    switch (fault?.kind) {
      case undefined:
        this.sendResult(res, this.answer(query));
        return;
      case 'throttle':
        this.sendError(res, 429, 'TooManyRequests', 'Too many requests, retry after the time given in Retry-After.', {
          'retry-after': String(fault.retryAfterSeconds),
        });
        return;
      case 'status':
        this.sendError(res, fault.status, statusCode(fault.status), `The service answered ${fault.status}.`, {
          ...(fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}),
        });
        return;
      case 'slow':
        if (!(await this.pause(res, fault.ms))) return;
        this.sendResult(res, this.answer(query));
        return;
      case 'partial': {
        const result = this.answer(query);
        this.sendResult(res, { ...result, results: result.results.slice(0, fault.keepRows) });
        return;
      }
      case 'malformed':
        this.sendText(res, 200, '{"schema":[{"name":"DeviceName","type":"String"}],"results":[{"DeviceName":');
        return;
      case 'unauthorized':
        this.sendError(res, 401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
        return;
      case 'forbidden':
        this.sendError(res, 403, 'Forbidden', "Missing role permissions on the request. API requires one of 'ThreatHunting.Read.All'.");
        return;
      case 'queryError':
        this.sendError(res, 400, 'BadRequest', fault.message);
        return;
      case 'reset':
        res.socket?.destroy();
        return;
    }
  }

  private sendResult(res: ServerResponse, result: HuntingResult): void {
    const pascal = this.options.schemaCase === 'pascal';
    this.sendJson(res, 200, {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults',
      schema: result.schema.map((column) => (pascal ? { Name: column.name, Type: column.type } : { name: column.name, type: column.type })),
      results: result.results,
    });
  }

  private sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    const requestId = randomUUID();
    this.sendJson(
      res,
      status,
      { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': requestId, 'client-request-id': requestId } } },
      headers,
    );
  }
}

function bodyProblem(req: IncomingMessage, json: Record<string, unknown> | undefined): string | undefined {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return 'Content-Type must be application/json.';
  if (!json) return 'The request body is not a JSON object.';
  const unknown = Object.keys(json).filter((key) => !BODY_KEYS.has(key));
  if (unknown.length) return `Unknown parameters: ${unknown.join(', ')}.`;
  if (typeof json.Query !== 'string' || json.Query.trim() === '') return 'Query is required.';
  if (json.Timespan !== undefined && (typeof json.Timespan !== 'string' || !isIsoTimespan(json.Timespan))) return 'Timespan is not ISO 8601.';
  return undefined;
}

function statusCode(status: number): string {
  const codes: Record<number, string> = { 500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout' };
  return codes[status] ?? `Status${status}`;
}
