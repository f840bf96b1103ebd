/**
 * What the cloud backends share on the wire: every query is one *call* with a client-side deadline,
 * and the Azure SDK's HTTP pipeline (`@azure/core-rest-pipeline`) retries it only within bounds:
 * 5xx and network errors with exponential back-off, 429 (and 503 with Retry-After) by waiting out
 * Retry-After while that fits in a per-call throttle budget and before the deadline. Nothing retries
 * forever: the pipeline's own retry count, the budget and the deadline each stop it.
 *
 * The call's state lives in an AsyncLocalStorage so that policies inside a client we do not
 * control can see it: `LogsQueryClient.queryWorkspace` (monitor-query-logs 1.0.0) drops the
 * `abortSignal` it is given, so {@link callScopePolicy} puts the call's signal on each request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  retryPolicy,
  type Pipeline,
  type PipelinePolicy,
  type PipelineResponse,
  type RetryStrategy,
  type RetryModifiers,
  type RetryInformation,
} from '@azure/core-rest-pipeline';

/** Bounds on retrying one call. */
export interface RetryOptions {
  /** Retries after the first attempt, whatever the cause. Default 3. */
  readonly maxRetries?: number;
  /** First back-off for 5xx and network errors; doubles on each retry. Default 1000 ms. */
  readonly retryDelayMs?: number;
  /** Longest single back-off. Default 8000 ms. */
  readonly maxRetryDelayMs?: number;
  /** Total time one call may spend waiting out Retry-After answers. Default 30 000 ms. */
  readonly throttleBudgetMs?: number;
}

/** The defaults of {@link RetryOptions}. */
export const DEFAULT_RETRY: Required<RetryOptions> = Object.freeze({
  maxRetries: 3,
  retryDelayMs: 1000,
  maxRetryDelayMs: 8000,
  throttleBudgetMs: 30_000,
});

/** One query's trip to a service: its deadline, its cancellation, what it has spent so far. */
export class ServiceCall {
  /** Aborts on the caller's signal or at the deadline, whichever comes first. */
  readonly signal: AbortSignal;
  /** The deadline as a `Date.now()` value. */
  readonly deadlineAt: number;
  /** Attempts sent so far (the first one included). */
  attempts = 0;
  /** Time spent waiting out Retry-After answers. */
  throttleWaitedMs = 0;
  /** The raw text of the last answer, for details a client library's model drops. */
  lastAnswerText: string | undefined;
  private readonly deadline: AbortSignal;

  constructor(
    readonly deadlineMs: number,
    private readonly callerSignal?: AbortSignal,
  ) {
    this.deadline = AbortSignal.timeout(deadlineMs);
    this.deadlineAt = Date.now() + deadlineMs;
    this.signal = callerSignal ? AbortSignal.any([callerSignal, this.deadline]) : this.deadline;
  }

  /** True when the caller aborted (rather than the deadline passing). */
  get cancelled(): boolean {
    return this.callerSignal?.aborted === true;
  }

  /** True when the deadline passed. */
  get timedOut(): boolean {
    return this.deadline.aborted && !this.cancelled;
  }

  /** Milliseconds left before the deadline. */
  remainingMs(): number {
    return this.deadlineAt - Date.now();
  }

  /** Runs `work` with this call as the current one, so the pipeline policies below can see it. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return currentCall.run(this, work);
  }
}

const currentCall = new AsyncLocalStorage<ServiceCall>();

/** The name `createPipelineFromOptions` gives its retry policy (core-rest-pipeline does not export it). */
const DEFAULT_RETRY_POLICY_NAME = 'defaultRetryPolicy';


/**
 * Puts the current call's signal on every request (add it in the `Serialize` phase, so that the
 * token request and the retry waits are cancelled too).
 */
function callScopePolicy(): PipelinePolicy {
  return {
    name: 'huntopsCallScopePolicy',
    sendRequest(request, next) {
      const call = currentCall.getStore();
      if (call && request.abortSignal !== call.signal) {
        const own = request.abortSignal;
        request.abortSignal = own instanceof AbortSignal ? AbortSignal.any([own, call.signal]) : call.signal;
      }
      return next(request);
    },
  };
}

/** Network error codes worth another attempt. */
const TRANSIENT_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** HTTP statuses worth another attempt (504 is not: it is the service's own query time limit). */
function isTransientStatus(status: number): boolean {
  return status === 408 || status === 500 || status === 502 || status === 503;
}

/** The wait a response asks for (`retry-after-ms`, `x-ms-retry-after-ms`, `Retry-After` seconds or date). */
export function retryAfterMs(response: Pick<PipelineResponse, 'headers'> | undefined): number | undefined {
  if (!response) return undefined;
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = response.headers.get(name);
    if (value !== undefined && /^\d+$/.test(value.trim())) return Number(value.trim());
  }
  const header = response.headers.get('retry-after')?.trim();
  if (!header) return undefined;
  if (/^\d+$/.test(header)) return Number(header) * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/**
 * The retry strategy: honours Retry-After on 429/503 while it fits in the call's throttle budget and
 * before its deadline; backs off exponentially on transient statuses and network errors while the
 * back-off ends before the deadline; otherwise lets the answer through to be reported.
 */
function boundedRetryStrategy(options: RetryOptions = {}): RetryStrategy {
  const settings = { ...DEFAULT_RETRY, ...options };
  return {
    name: 'huntopsBoundedRetryStrategy',
    retry({ retryCount, response, responseError }: RetryInformation): RetryModifiers {
      const call = currentCall.getStore();
      const remaining = call ? call.remainingMs() : Number.POSITIVE_INFINITY;
      const status = response?.status;
      const asked = status === 429 || status === 503 ? retryAfterMs(response) : undefined;
      if (asked !== undefined) {
        const spent = call?.throttleWaitedMs ?? 0;
        if (spent + asked > settings.throttleBudgetMs || asked >= remaining) return { skipStrategy: true };
        if (call) call.throttleWaitedMs += asked;
        return { retryAfterInMs: asked };
      }
      const transient =
        (status !== undefined && (isTransientStatus(status) || status === 429)) ||
        (status === undefined && responseError?.code !== undefined && TRANSIENT_NETWORK_CODES.has(responseError.code));
      if (!transient) return { skipStrategy: true };
      const backoff = Math.min(settings.maxRetryDelayMs, settings.retryDelayMs * 2 ** retryCount);
      const jittered = Math.round(backoff * (0.8 + Math.random() * 0.2));
      if (jittered >= remaining) return { skipStrategy: true };
      return { retryAfterInMs: jittered };
    },
  };
}

/** Counts attempts on the current call and keeps the last answer's text (runs once per attempt). */
function attemptRecorderPolicy(): PipelinePolicy {
  return {
    name: 'huntopsAttemptRecorderPolicy',
    async sendRequest(request, next) {
      const call = currentCall.getStore();
      if (call) call.attempts += 1;
      const response = await next(request);
      if (call) call.lastAnswerText = response.bodyAsText ?? undefined;
      return response;
    },
  };
}

/**
 * Makes a pipeline resilient the bounded way: replaces its default retry policy (which waits out any
 * Retry-After, however long) with {@link boundedRetryStrategy}, and adds {@link callScopePolicy} and
 * the per-attempt recorder.
 */
export function installBoundedRetries(pipeline: Pipeline, options: RetryOptions = {}): void {
  const maxRetries = options.maxRetries ?? DEFAULT_RETRY.maxRetries;
  pipeline.removePolicy({ name: DEFAULT_RETRY_POLICY_NAME });
  pipeline.addPolicy(callScopePolicy(), { phase: 'Serialize' });
  pipeline.addPolicy(retryPolicy([boundedRetryStrategy(options)], { maxRetries }), { phase: 'Retry' });
  pipeline.addPolicy(attemptRecorderPolicy(), { afterPhase: 'Retry' });
}
