/**
 * The `defender` backend: Microsoft Defender XDR advanced hunting through Microsoft Graph,
 * `POST /security/runHuntingQuery` with `{ Query, Timespan }`, answered `{ schema, results }`.
 *
 * The request goes through the Azure SDK's HTTP pipeline (`@azure/core-rest-pipeline`): bearer
 * token from the injected credential (Graph scope; the app needs ThreatHunting.Read.All), TLS,
 * user agent, and the bounded retries and deadline of {@link installBoundedRetries}. Defender keeps
 * 30 days of data and returns at most 100,000 rows; a result that reaches that cap is reported as
 * partial, since rows may be missing.
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelineResponse,
  type TlsSettings,
} from '@azure/core-rest-pipeline';
import { describeWindow, windowOf, windowToIso } from '../hunt/window';
import { BackendError, type Backend, type QueryRequest, type QueryResult, type ResultColumn, type ResultValue } from './backend';
import { installBoundedRetries, retryAfterMs, ServiceCall, type RetryOptions } from './http-resilience';
import { errorFromBody, failureFromAnswer, failureFromError, type ServiceDescription } from './service-failure';

/** How to reach Defender XDR advanced hunting. */
export interface DefenderBackendOptions {
  /** Production: `new DefaultAzureCredential()`; the app needs the Graph permission ThreatHunting.Read.All. */
  readonly credential: TokenCredential;
  /** Graph root including the version. Default `https://graph.microsoft.com/v1.0`. */
  readonly baseUrl?: string;
  /** Token scope. Default `https://graph.microsoft.com/.default`. */
  readonly scope?: string;
  /** Client-side deadline for the whole call, retries included. Default 210 s. */
  readonly deadlineMs?: number;
  /** The service's row cap: a result this long may be cut short. Default 100,000. */
  readonly rowLimit?: number;
  /** Bounds on retries; see {@link RetryOptions}. */
  readonly retry?: RetryOptions;
  /** Extra TLS trust, e.g. the CA of a TLS-inspecting proxy (tests: the local fake's CA). */
  readonly tlsOptions?: TlsSettings;
}

/** The defaults of {@link DefenderBackendOptions}, and Defender's fixed limits. */
export const DEFENDER_DEFAULTS = Object.freeze({
  baseUrl: 'https://graph.microsoft.com/v1.0',
  scope: 'https://graph.microsoft.com/.default',
  /** Advanced hunting answers over the last 30 days only. */
  maxWindow: windowOf(30 * 24 * 60 * 60 * 1000),
  /** A single advanced hunting query runs for at most about 200 s; the deadline leaves room for that. */
  deadlineMs: 210_000,
  rowLimit: 100_000,
});

/** Graph's column types → Kusto's type names. */
const KUSTO_TYPES: Readonly<Record<string, string>> = {
  datetime: 'datetime',
  string: 'string',
  int64: 'long',
  int32: 'int',
  double: 'real',
  boolean: 'bool',
  dynamic: 'dynamic',
  object: 'dynamic',
  guid: 'guid',
  timespan: 'timespan',
  decimal: 'decimal',
};

/** Defender XDR advanced hunting as a {@link Backend}. */
export class DefenderBackend implements Backend {
  readonly kind = 'defender';
  readonly dialect = 'defender' as const;
  readonly source = 'Defender XDR advanced hunting';
  readonly maxWindow = DEFENDER_DEFAULTS.maxWindow;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient = createDefaultHttpClient();
  private readonly url: string;
  private readonly deadlineMs: number;
  private readonly rowLimit: number;
  private readonly service: ServiceDescription;

  constructor(options: DefenderBackendOptions) {
    const baseUrl = (options.baseUrl ?? DEFENDER_DEFAULTS.baseUrl).replace(/\/+$/, '');
    if (new URL(baseUrl).protocol !== 'https:') throw new TypeError(`Microsoft Graph base URL must be https: ${baseUrl}`);
    this.url = `${baseUrl}/security/runHuntingQuery`;
    this.deadlineMs = options.deadlineMs ?? DEFENDER_DEFAULTS.deadlineMs;
    this.rowLimit = options.rowLimit ?? DEFENDER_DEFAULTS.rowLimit;
    this.service = {
      name: 'Defender XDR',
      accessNeeded: 'the Microsoft Graph application permission ThreatHunting.Read.All, with admin consent',
      notFoundHint: `the Microsoft Graph base URL ${baseUrl}`,
    };
    this.pipeline = createPipelineFromOptions({
      ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
      userAgentOptions: { userAgentPrefix: 'huntops' },
    });
    this.pipeline.addPolicy(
      bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: options.scope ?? DEFENDER_DEFAULTS.scope }),
    );
    installBoundedRetries(this.pipeline, options.retry);
  }

  async run(request: QueryRequest): Promise<QueryResult> {
    if (request.window.ms > this.maxWindow.ms) {
      throw new BackendError(
        'query',
        `${this.service.name} keeps ${describeWindow(this.maxWindow)} of data for advanced hunting; ask for a shorter window.`,
      );
    }
    const call = new ServiceCall(this.deadlineMs, request.signal);
    let response: PipelineResponse;
    try {
      const httpRequest = createPipelineRequest({
        url: this.url,
        method: 'POST',
        headers: createHttpHeaders({ 'content-type': 'application/json; charset=utf-8', accept: 'application/json' }),
        body: JSON.stringify({ Query: request.kql, Timespan: windowToIso(request.window) }),
        abortSignal: call.signal,
      });
      response = await call.run(() => this.pipeline.sendRequest(this.httpClient, httpRequest));
    } catch (error) {
      throw failureFromError(this.service, error, call);
    }
    if (response.status !== 200) {
      const said = errorFromBody(response.bodyAsText ?? undefined);
      const retryAfter = retryAfterMs(response);
      throw failureFromAnswer(
        this.service,
        { status: response.status, ...said, ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }) },
        call,
      );
    }
    return this.toQueryResult(response.bodyAsText ?? '');
  }

  private toQueryResult(text: string): QueryResult {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new BackendError('unavailable', `${this.service.name} sent an answer that is not valid JSON; try again later.`);
    }
    const { schema, results } = (body ?? {}) as { schema?: unknown; results?: unknown };
    if (!Array.isArray(schema) || !Array.isArray(results)) {
      throw new BackendError('unavailable', `${this.service.name} sent an answer without schema and results; try again later.`);
    }
    const columns: ResultColumn[] = schema.map((entry: unknown, index) => {
      const field = (entry ?? {}) as Record<string, unknown>;
      const name = field.name ?? field.Name;
      const type = field.type ?? field.Type;
      return {
        name: typeof name === 'string' ? name : `Column${index + 1}`,
        type: typeof type === 'string' ? (KUSTO_TYPES[type.toLowerCase()] ?? type.toLowerCase()) : 'string',
      };
    });
    const rows = results.map((entry: unknown) => {
      const record = (entry ?? {}) as Record<string, unknown>;
      return Object.fromEntries(columns.map((column) => [column.name, toValue(record[column.name], column.type)]));
    });
    if (rows.length < this.rowLimit) return { columns, rows };
    return {
      columns,
      rows,
      partial: {
        message: `${this.service.name} returns at most ${this.rowLimit.toLocaleString('en-US')} rows, so this result may be cut short.`,
      },
    };
  }
}

/** Creates the Defender XDR backend. */
export function createDefenderBackend(options: DefenderBackendOptions): DefenderBackend {
  return new DefenderBackend(options);
}

function toValue(value: unknown, type: string): ResultValue {
  if (value === undefined || value === null) return null;
  if (type === 'datetime' && typeof value === 'string') {
    const time = new Date(value);
    return Number.isNaN(time.getTime()) ? value : time.toISOString();
  }
  if (type === 'dynamic' && typeof value === 'string') {
    try {
      return JSON.parse(value) as ResultValue;
    } catch {
      return value;
    }
  }
  return value as ResultValue;
}
