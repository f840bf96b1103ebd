/**
 * The HTTP layer of the Sentinel client: Azure Resource Manager requests through the Azure SDK's
 * pipeline (`@azure/core-rest-pipeline`), as the Defender backend sends its own.
 *
 * Why this layer and not a generated client: `@azure/arm-securityinsight` has only ever been
 * published as beta versions, and a beta package would pin HuntOps to a preview api-version of the
 * service and to whatever it renames before it is released. The handful of operations HuntOps needs
 * (incidents, their comments, one watchlist and its items) are plain JSON `GET`/`PUT`/`DELETE`s under
 * the workspace; the pipeline already gives everything a generated client would add — the bearer
 * token (`bearerTokenAuthenticationPolicy`, scope `<Resource Manager URL>/.default`), TLS, the user
 * agent — and the bounded retries of {@link installBoundedRetries} that the hunts use (5xx and
 * network errors with back-off, 429 only within a throttle budget, nothing past the deadline, never
 * a 4xx). `@azure-rest/core-client` would add path templating over the same pipeline and nothing
 * else this needs.
 *
 * api-version {@link SENTINEL_API_VERSION}: the latest stable version of `Microsoft.SecurityInsights`
 * (its REST specification `stable/2025-09-01`, Incidents.json and Watchlists.json).
 */
import type { TokenCredential } from '@azure/core-auth';
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type HttpMethods,
  type Pipeline,
  type TlsSettings,
} from '@azure/core-rest-pipeline';
import { installBoundedRetries, retryAfterMs, ServiceCall, type RetryOptions } from '../backends/http-resilience';
import { SentinelError } from './sentinel-error';
import { failureFromAnswer, failureFromError, missingResource, type ArmFailure, type SentinelOperation } from './sentinel-failure';

/** The `Microsoft.SecurityInsights` api-version every request names. */
export const SENTINEL_API_VERSION = '2025-09-01';

/** Azure Resource Manager of the public cloud. */
export const DEFAULT_RESOURCE_MANAGER_URL = 'https://management.azure.com';

/** How to reach Azure Resource Manager. */
export interface ArmClientOptions {
  /** Production: `new DefaultAzureCredential()` (a managed identity in Azure). */
  readonly credential: TokenCredential;
  /** The Resource Manager root (https). Default {@link DEFAULT_RESOURCE_MANAGER_URL}. */
  readonly resourceManagerUrl?: string;
  /** Token scope. Default `<resourceManagerUrl>/.default`. */
  readonly scope?: string;
  /** Longest one operation (its requests, retries and re-reads) may take. Default 30 s. */
  readonly deadlineMs?: number;
  /** Bounds on retries; default 3 retries and a 20 s throttle budget. */
  readonly retry?: RetryOptions;
  /** Extra TLS trust, e.g. the CA of a TLS-inspecting proxy (tests: the local fake's CA). */
  readonly tlsOptions?: TlsSettings;
}

/** The defaults of {@link ArmClientOptions}. */
export const ARM_CLIENT_DEFAULTS = Object.freeze({
  deadlineMs: 30_000,
  retry: Object.freeze({ maxRetries: 3, throttleBudgetMs: 20_000 }),
});

/** An answer of Resource Manager. */
export interface ArmAnswer {
  readonly status: number;
  /** The body parsed as JSON (`undefined` when empty); only 2xx bodies are parsed. */
  readonly json: unknown;
  /** The raw body. */
  readonly text: string | undefined;
  readonly retryAfterMs?: number;
}

/** Requests of one operation, under its deadline. */
export interface ArmCall {
  /**
   * Sends one request. `target` is a path from the Resource Manager root (the api-version is added)
   * or a `nextLink` the service returned (sent as given, only to the same root).
   */
  send(method: HttpMethods, target: string, body?: unknown): Promise<ArmAnswer>;
  /** The error for an answer the operation cannot use. */
  failure(answer: ArmAnswer): SentinelError;
  /** The error for a 404 meaning that `what` ("incident 1b4e…") does not exist (or the workspace does not). */
  missing(answer: ArmAnswer, what: string): SentinelError;
  /** Reads a 2xx answer's body with `reader` (which throws on a body that is not what it expects). */
  read<T>(answer: ArmAnswer, reader: (json: unknown) => T): T;
}

/** Azure Resource Manager, for the Sentinel operations. */
export class ArmClient {
  /** The Resource Manager root, without a trailing slash. */
  readonly resourceManagerUrl: string;
  private readonly pipeline: Pipeline;
  private readonly httpClient: HttpClient = createDefaultHttpClient();
  private readonly deadlineMs: number;

  constructor(options: ArmClientOptions) {
    const url = new URL(options.resourceManagerUrl ?? DEFAULT_RESOURCE_MANAGER_URL);
    if (url.protocol !== 'https:') throw new TypeError(`Azure Resource Manager URL must be https: ${url.href}`);
    if (url.pathname !== '/' || url.search || url.hash) throw new TypeError(`Azure Resource Manager URL must be a root URL such as ${DEFAULT_RESOURCE_MANAGER_URL}: ${url.href}`);
    this.resourceManagerUrl = url.origin;
    this.deadlineMs = options.deadlineMs ?? ARM_CLIENT_DEFAULTS.deadlineMs;
    this.pipeline = createPipelineFromOptions({
      ...(options.tlsOptions ? { tlsOptions: options.tlsOptions } : {}),
      userAgentOptions: { userAgentPrefix: 'huntops' },
    });
    this.pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential: options.credential, scopes: options.scope ?? `${url.origin}/.default` }));
    installBoundedRetries(this.pipeline, { ...ARM_CLIENT_DEFAULTS.retry, ...options.retry });
  }

  /**
   * Runs one operation — one or more requests — under one deadline and throttle budget; whatever it
   * throws reaches the caller as a {@link SentinelError}.
   */
  async run<T>(operation: SentinelOperation, work: (call: ArmCall) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const call = new ServiceCall(this.deadlineMs, signal);
    const armCall: ArmCall = {
      send: (method, target, body) => this.send(call, operation, method, target, body),
      failure: (answer) => failureFromAnswer(operation, armFailure(answer), call),
      missing: (answer, what) => missingResource(operation, armFailure(answer), call, what),
      read: (answer, reader) => {
        try {
          return reader(answer.json);
        } catch (error) {
          throw new SentinelError('unavailable', `Microsoft Sentinel sent an answer the bot could not read while ${operation.doing} (${(error as Error).message}).`, {
            area: operation.area,
            status: answer.status,
            cause: error,
          });
        }
      },
    };
    try {
      return await call.run(() => work(armCall));
    } catch (error) {
      throw failureFromError(operation, error, call);
    }
  }

  private url(target: string): string {
    if (target.startsWith('/')) return `${this.resourceManagerUrl}${target}?api-version=${SENTINEL_API_VERSION}`;
    const next = new URL(target);
    if (next.origin !== this.resourceManagerUrl) throw new TypeError(`Azure Resource Manager sent a link to another host: ${next.origin}`);
    return next.href;
  }

  private async send(call: ServiceCall, operation: SentinelOperation, method: HttpMethods, target: string, body: unknown): Promise<ArmAnswer> {
    const request = createPipelineRequest({
      url: this.url(target),
      method,
      headers: createHttpHeaders({ accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }) }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      abortSignal: call.signal,
    });
    const response = await this.pipeline.sendRequest(this.httpClient, request);
    const text = response.bodyAsText ?? undefined;
    const wait = retryAfterMs(response);
    const answer = { status: response.status, text, json: undefined, ...(wait === undefined ? {} : { retryAfterMs: wait }) };
    if (response.status < 200 || response.status >= 300 || !text) return answer;
    try {
      return { ...answer, json: JSON.parse(text) as unknown };
    } catch (error) {
      throw new SentinelError('unavailable', `Microsoft Sentinel sent an answer that is not valid JSON while ${operation.doing}; try again later.`, {
        area: operation.area,
        status: response.status,
        cause: error,
      });
    }
  }
}

function armFailure(answer: ArmAnswer): ArmFailure {
  return {
    status: answer.status,
    ...(answer.text ? { body: answer.text } : {}),
    ...(answer.retryAfterMs === undefined ? {} : { retryAfterMs: answer.retryAfterMs }),
  };
}
