/**
 * A local HTTPS fake of the Azure Monitor Log Analytics query API, as `LogsQueryClient` talks to it:
 * `POST /v1/workspaces/{workspaceId}/query` with a bearer token, a JSON body `{ query, timespan }`
 * and `Prefer: wait=N`; answers `{ tables: [{ name, columns: [{ name, type }], rows }] }`, partial
 * failures as 200 with an `error` beside the tables, and errors as `{ error: { message, code,
 * correlationId, innererror } }` (shapes from the service's documentation). Like the service, it
 * stops a query at its `Prefer: wait` limit with 504. It fails closed: unknown path 404, other
 * methods 405, no or unknown token 401, unexpected body 400, unknown workspace 404.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, FakeHttpsService, isIsoTimespan, parseJsonObject, type Fault } from './fake-https-service';
import type { TestCertificates } from './tls';

/** A result table as the service sends it (dynamic values as JSON text, datetimes as ISO text). */
export interface LogAnalyticsTable {
  readonly name?: string;
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string }>;
  readonly rows: ReadonlyArray<readonly unknown[]>;
}

/** What the fake saw of one request. */
export interface RecordedLogAnalyticsRequest {
  readonly workspaceId: string;
  /** The `query` of the body, exactly as sent. */
  readonly query: string | undefined;
  /** The `timespan` of the body, exactly as sent. */
  readonly timespan: string | undefined;
  /** The `Prefer` header. */
  readonly prefer: string | undefined;
  /** The bearer token, if any. */
  readonly token: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

/** How to start the fake. */
export interface FakeLogAnalyticsOptions {
  readonly certificates: TestCertificates;
  /** Workspace ids it knows. */
  readonly workspaces: readonly string[];
  /** Bearer tokens it accepts. */
  readonly acceptedTokens: readonly string[];
  /** What a query returns (default: an empty PrimaryResult). */
  readonly answer?: (query: string) => LogAnalyticsTable;
}

const BODY_KEYS = new Set(['query', 'timespan', 'workspaces']);
/** The service's default time limit when `Prefer: wait` is absent. */
const DEFAULT_WAIT_SECONDS = 180;

/** The fake Log Analytics query API. */
export class FakeLogAnalytics extends FakeHttpsService<RecordedLogAnalyticsRequest> {
  private answer: (query: string) => LogAnalyticsTable;

  private constructor(private readonly options: FakeLogAnalyticsOptions) {
    super();
    this.answer = options.answer ?? (() => ({ columns: [], rows: [] }));
  }

  /** Starts a fake on 127.0.0.1 (a free port). */
  static async start(options: FakeLogAnalyticsOptions): Promise<FakeLogAnalytics> {
    const fake = new FakeLogAnalytics(options);
    await fake.listen(options.certificates);
    return fake;
  }

  /** The service root to give `LogsQueryClient` (`…/v1`). */
  get endpoint(): string {
    return `${this.origin}/v1`;
  }

  /** Sets what queries return from now on. */
  answerWith(answer: LogAnalyticsTable | ((query: string) => LogAnalyticsTable)): void {
    this.answer = typeof answer === 'function' ? answer : () => answer;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://fake');
    const route = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(url.pathname);
    if (!route) {
      this.sendError(res, 404, 'PathNotFoundError', 'The requested path does not exist');
      return;
    }
    if (req.method !== 'POST') {
      this.sendError(res, 405, 'MethodNotAllowed', `The method ${req.method ?? ''} is not allowed here`);
      return;
    }
    const workspaceId = decodeURIComponent(route[1]!);
    const json = parseJsonObject(body);
    const token = bearerToken(req);
    this.record({
      workspaceId,
      query: typeof json?.query === 'string' ? json.query : undefined,
      timespan: typeof json?.timespan === 'string' ? json.timespan : undefined,
      prefer: headerText(req.headers.prefer),
      token,
      headers: req.headers,
    });
    if (!token || !this.options.acceptedTokens.includes(token)) {
      this.sendError(res, 401, 'AuthenticationFailed', token ? 'The access token is invalid.' : "Authentication failed. The 'Authorization' header is missing.");
      return;
    }
    const problem = bodyProblem(req, json);
    if (problem) {
      this.sendError(res, 400, 'BadArgumentError', `The request had some invalid properties: ${problem}`);
      return;
    }
    if (!this.options.workspaces.includes(workspaceId)) {
      this.sendError(res, 404, 'WorkspaceNotFoundError', `The workspace ${workspaceId} could not be found`);
      return;
    }
    if (!(await this.gate(res))) return;
    const query = json!.query as string;
    await this.respond(res, query, this.takeFault(), waitSeconds(headerText(req.headers.prefer)));
  }

  private async respond(res: ServerResponse, query: string, fault: Fault | undefined, wait: number): Promise<void> {
    switch (fault?.kind) {
      case undefined:
        this.sendJson(res, 200, { tables: [this.table(query)] });
        return;
      case 'throttle':
        this.sendError(res, 429, 'TooManyRequests', 'Too many requests. Retry after the time given in Retry-After.', {
          'retry-after': String(fault.retryAfterSeconds),
        });
        return;
      case 'status':
        this.sendError(res, fault.status, statusCode(fault.status), `The service answered ${fault.status}.`, {
          ...(fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}),
        });
        return;
      case 'slow': {
        const limitMs = wait * 1000;
        if (!(await this.pause(res, Math.min(fault.ms, limitMs)))) return;
        if (fault.ms > limitMs) {
          this.sendError(res, 504, 'GatewayTimeout', `The query did not complete within ${wait} seconds.`);
          return;
        }
        this.sendJson(res, 200, { tables: [this.table(query)] });
        return;
      }
      case 'partial': {
        const table = this.table(query);
        this.sendJson(res, 200, {
          tables: [{ ...table, rows: table.rows.slice(0, fault.keepRows) }],
          error: {
            message: 'There were some errors when processing your query.',
            code: 'PartialError',
            correlationId: randomUUID(),
            details: [
              {
                code: 'EngineError',
                message: 'Something went wrong processing your query on the server.',
                innererror: { code: '-2133196797', message: fault.message, severity: 2, severityName: 'Error' },
              },
            ],
          },
        });
        return;
      }
      case 'malformed':
        this.sendText(res, 200, '{"tables":[{"name":"PrimaryResult","columns":[{"name":"DeviceName","type":"str');
        return;
      case 'unauthorized':
        this.sendError(res, 401, 'InvalidAuthenticationToken', 'The access token is invalid.');
        return;
      case 'forbidden':
        this.sendError(res, 403, 'InsufficientAccessError', 'The provided credentials have insufficient access to perform the requested operation');
        return;
      case 'queryError':
        this.sendJson(res, 400, {
          error: {
            message: 'The request had some invalid properties',
            code: 'BadArgumentError',
            correlationId: randomUUID(),
            innererror: {
              code: 'SyntaxError',
              message: 'A recognition error occurred in the query.',
              innererror: { code: 'SYN0002', message: fault.message, line: 1, pos: 1 },
            },
          },
        });
        return;
      case 'reset':
        res.socket?.destroy();
        return;
    }
  }

  private table(query: string): LogAnalyticsTable & { name: string } {
    const table = this.answer(query);
    return { ...table, name: table.name ?? 'PrimaryResult' };
  }

  private sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    this.sendJson(res, status, { error: { message, code, correlationId: randomUUID() } }, headers);
  }
}

function bodyProblem(req: IncomingMessage, json: Record<string, unknown> | undefined): string | undefined {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) return 'the body must be application/json';
  if (!json) return 'the body is not a JSON object';
  const unknown = Object.keys(json).filter((key) => !BODY_KEYS.has(key));
  if (unknown.length) return `unknown properties ${unknown.join(', ')}`;
  if (typeof json.query !== 'string' || json.query.trim() === '') return 'query is required';
  if (json.timespan !== undefined && (typeof json.timespan !== 'string' || !isIsoTimespan(json.timespan))) return 'timespan is not ISO 8601';
  if (json.workspaces !== undefined && !Array.isArray(json.workspaces)) return 'workspaces must be a list';
  return undefined;
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function waitSeconds(prefer: string | undefined): number {
  const match = /(?:^|[,;\s])wait=(\d+)/.exec(prefer ?? '');
  return match ? Math.min(600, Number(match[1])) : DEFAULT_WAIT_SECONDS;
}

function statusCode(status: number): string {
  const codes: Record<number, string> = { 500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout' };
  return codes[status] ?? `Status${status}`;
}
