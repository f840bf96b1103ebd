/**
 * The `loganalytics` backend: a Microsoft Sentinel / Log Analytics workspace, queried through
 * `LogsQueryClient` (`@azure/monitor-query-logs`) with the hunt window as the API's `timespan`.
 *
 * Hardened for the service's limits: the server stops a query at `Prefer: wait=N`
 * (`serverTimeoutSeconds`, answered 504) and the bot stops waiting at its own deadline; 429 is waited
 * out only within a budget; a `PartialFailure` keeps its rows and says what is missing; every other
 * failure becomes a {@link BackendError} naming what to do. One backend queries one workspace:
 * construct one per configured workspace alias.
 */
import type { TokenCredential } from '@azure/core-auth';
import type { TlsSettings } from '@azure/core-rest-pipeline';
import { LogsQueryClient, LogsQueryResultStatus, type LogsQueryResult, type LogsTable } from '@azure/monitor-query-logs';
import { describeWindow, windowOf, windowToIso, type HuntWindow } from '../hunt/window';
import { BackendError, type Backend, type QueryRequest, type QueryResult, type ResultColumn, type ResultValue } from './backend';
import { installBoundedRetries, ServiceCall, type RetryOptions } from './http-resilience';
import { describeServiceError, errorFromBody, failureFromError, type ServiceDescription } from './service-failure';

/** How to reach one workspace. */
export interface LogAnalyticsBackendOptions {
  /** The workspace id (a GUID, "Workspace ID" in the portal). */
  readonly workspaceId: string;
  /** Production: `new DefaultAzureCredential()`; needs the Log Analytics Reader role on the workspace. */
  readonly credential: TokenCredential;
  /** The name analysts use for this workspace (`emea`); cards name it. Default: the workspace id. */
  readonly alias?: string;
  /** Service root including `/v1`. Default `https://api.loganalytics.io/v1`. */
  readonly endpoint?: string;
  /** Longest window asked for. Default 90 days, the interactive retention Sentinel includes. */
  readonly maxWindow?: HuntWindow;
  /** Server-side time limit, sent as `Prefer: wait=N` (1–600). Default 120 s. */
  readonly serverTimeoutSeconds?: number;
  /** Client-side deadline for the whole call, retries included. Default the server timeout + 30 s. */
  readonly deadlineMs?: number;
  /** Bounds on retries; see {@link RetryOptions}. */
  readonly retry?: RetryOptions;
  /** Extra TLS trust, e.g. the CA of a TLS-inspecting proxy (tests: the local fake's CA). */
  readonly tlsOptions?: TlsSettings;
}

/** The defaults of {@link LogAnalyticsBackendOptions}. */
export const LOG_ANALYTICS_DEFAULTS = Object.freeze({
  endpoint: 'https://api.loganalytics.io/v1',
  maxWindow: windowOf(90 * 24 * 60 * 60 * 1000),
  serverTimeoutSeconds: 120,
  deadlineMarginMs: 30_000,
});

/** A Log Analytics workspace as a {@link Backend}. */
export class LogAnalyticsBackend implements Backend {
  readonly kind = 'loganalytics';
  readonly dialect = 'loganalytics' as const;
  readonly source: string;
  readonly maxWindow: HuntWindow;
  readonly workspaceId: string;
  readonly alias: string | undefined;
  private readonly client: LogsQueryClient;
  private readonly serverTimeoutSeconds: number;
  private readonly deadlineMs: number;
  private readonly service: ServiceDescription;

  constructor(options: LogAnalyticsBackendOptions) {
    if (!/^[\w-]+$/.test(options.workspaceId)) throw new TypeError(`Log Analytics workspace id '${options.workspaceId}' is not valid`);
    const serverTimeoutSeconds = options.serverTimeoutSeconds ?? LOG_ANALYTICS_DEFAULTS.serverTimeoutSeconds;
    if (!Number.isInteger(serverTimeoutSeconds) || serverTimeoutSeconds < 1 || serverTimeoutSeconds > 600) {
      throw new RangeError(`Log Analytics server timeout must be 1-600 seconds, not ${serverTimeoutSeconds}`);
    }
    const endpoint = options.endpoint ?? LOG_ANALYTICS_DEFAULTS.endpoint;
    if (new URL(endpoint).protocol !== 'https:') throw new TypeError(`Log Analytics endpoint must be https: ${endpoint}`);
    this.workspaceId = options.workspaceId;
    this.alias = options.alias;
    this.source = `Log Analytics workspace ${options.alias ?? options.workspaceId}`;
    this.maxWindow = options.maxWindow ?? LOG_ANALYTICS_DEFAULTS.maxWindow;
    this.serverTimeoutSeconds = serverTimeoutSeconds;
    this.deadlineMs = options.deadlineMs ?? serverTimeoutSeconds * 1000 + LOG_ANALYTICS_DEFAULTS.deadlineMarginMs;
    this.service = {
      name: this.source,
      accessNeeded: `the Log Analytics Reader role on workspace ${options.workspaceId}`,
      notFoundHint: `the workspace id ${options.workspaceId} and the endpoint ${endpoint}`,
    };
    this.client = new LogsQueryClient(options.credential, {
      endpoint,
      ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
      userAgentOptions: { userAgentPrefix: 'huntops' },
    });
    installBoundedRetries(this.client.pipeline, options.retry);
  }

  async run(request: QueryRequest): Promise<QueryResult> {
    if (request.window.ms > this.maxWindow.ms) {
      throw new BackendError(
        'query',
        `${this.source} answers hunts over at most ${describeWindow(this.maxWindow)}; ask for a shorter window.`,
      );
    }
    const call = new ServiceCall(this.deadlineMs, request.signal);
    try {
      const result = await call.run(() =>
        this.client.queryWorkspace(
          this.workspaceId,
          request.kql,
          { duration: windowToIso(request.window) },
          { serverTimeoutInSeconds: this.serverTimeoutSeconds, abortSignal: call.signal },
        ),
      );
      return toQueryResult(result, this.source, call.lastAnswerText);
    } catch (error) {
      throw failureFromError(this.service, error, call);
    }
  }
}

/** Creates the backend for one workspace. */
export function createLogAnalyticsBackend(options: LogAnalyticsBackendOptions): LogAnalyticsBackend {
  return new LogAnalyticsBackend(options);
}

function toValue(value: unknown): ResultValue {
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return value as ResultValue;
}

function primaryTable(tables: LogsTable[]): LogsTable | undefined {
  return tables.find((table) => table.name === 'PrimaryResult') ?? tables[0];
}

/** The rows of the primary table; for a partial answer, the service's reason read from the raw answer (the SDK's model drops its innermost detail). */
function toQueryResult(result: LogsQueryResult, source: string, answerText: string | undefined): QueryResult {
  const tables = result.status === LogsQueryResultStatus.PartialFailure ? result.partialTables : result.tables;
  const table = primaryTable(tables);
  const columns: ResultColumn[] = (table?.columnDescriptors ?? []).map((column, index) => ({
    name: column.name ?? `Column${index + 1}`,
    type: column.type ?? 'string',
  }));
  const rows = (table?.rows ?? []).map((row) => Object.fromEntries(columns.map((column, index) => [column.name, toValue(row[index])])));
  if (result.status !== LogsQueryResultStatus.PartialFailure) return { columns, rows };
  const { message } = { ...describeServiceError(result.partialError), ...errorFromBody(answerText) };
  return {
    columns,
    rows,
    partial: { message: `${source} returned only part of the result${message ? `: ${message}` : '.'}` },
  };
}
