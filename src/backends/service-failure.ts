/**
 * Turns whatever a cloud service call failed with (an HTTP error answer, a network error, a refused
 * credential, the deadline) into a {@link BackendError} whose message an analyst can act on: what
 * happened, in the service's own words where it gave some, and what to do next.
 */
import { isRestError, type PipelineResponse } from '@azure/core-rest-pipeline';
import { BackendError } from './backend';
import { cancelledError } from './cancellation';
import { retryAfterMs, type ServiceCall } from './http-resilience';

/** How a service is named in messages and what the bot's identity needs to use it. */
export interface ServiceDescription {
  /** As cards name it: "Log Analytics workspace emea", "Defender XDR". */
  readonly name: string;
  /** What the identity lacks on 401/403: "the Log Analytics Reader role on workspace 1234". */
  readonly accessNeeded: string;
  /** What to check when the service answers 404: "the workspace id (LOG_ANALYTICS_WORKSPACE_ID)". */
  readonly notFoundHint: string;
}

/** A service's error answer, reduced to what a message needs. */
export interface HttpFailure {
  readonly status: number;
  /** The service's error code (`BadArgumentError`, `TooManyRequests`, ...). */
  readonly code?: string;
  /** The service's message, most specific part included (see {@link describeServiceError}). */
  readonly message?: string;
  /** What Retry-After asked for, when it did. */
  readonly retryAfterMs?: number;
}

/** Retry-After assumed when a 429 names none. */
const DEFAULT_THROTTLE_MS = 30_000;
const MAX_MESSAGE = 500;

const TLS_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const CREDENTIAL_ERRORS = new Set([
  'CredentialUnavailableError',
  'AuthenticationError',
  'AggregateAuthenticationError',
  'AuthenticationRequiredError',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.replace(/\s+/g, ' ').trim() : undefined;
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}

/** The messages at the bottom of an error's `innererror` chain and of its `details`. */
function innermostMessages(error: Record<string, unknown>): string[] {
  const found: string[] = [];
  const descend = (node: Record<string, unknown>): void => {
    const inner = node.innererror ?? node.innerError;
    const details = Array.isArray(node.details) ? node.details.filter(isRecord) : [];
    const innerHasMessage = isRecord(inner) && text(inner.message) !== undefined;
    if (innerHasMessage) descend(inner as Record<string, unknown>);
    for (const detail of details) descend(detail);
    if (!innerHasMessage && details.length === 0 && node !== error) {
      const message = text(node.message);
      if (message) found.push(message);
    }
  };
  descend(error);
  return [...new Set(found)];
}

/**
 * Reads an OData/OneAPI error object (`{ code, message, innererror | details }`, as Log Analytics and
 * Microsoft Graph send inside `{ error: ... }`): its code, and its message followed by the most
 * specific inner messages ("The request had some invalid properties: Query could not be parsed at
 * 'x' on line [2,10]").
 */
export function describeServiceError(error: unknown): { code?: string; message?: string } {
  if (!isRecord(error)) return {};
  const code = text(error.code);
  const top = text(error.message);
  const inner = innermostMessages(error).filter((message) => message !== top);
  const joined = top && inner.length ? `${top.replace(/[.:]$/, '')}: ${inner.join('; ')}` : (top ?? inner.join('; '));
  const message = joined ? clip(joined) : undefined;
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

/** `{ error: {...} }` from a response body's text, when it is one. */
export function errorFromBody(body: string | undefined): { code?: string; message?: string } {
  if (!body) return {};
  try {
    const parsed: unknown = JSON.parse(body);
    return isRecord(parsed) ? describeServiceError(parsed.error) : {};
  } catch {
    return {};
  }
}

function label(failure: HttpFailure): string {
  return failure.code ? `${failure.status} ${failure.code}` : String(failure.status);
}

function attemptsNote(call: ServiceCall): string {
  return call.attempts > 1 ? ` after ${call.attempts} attempts` : '';
}

/** The analyst's error for a service's error answer. */
export function failureFromAnswer(service: ServiceDescription, failure: HttpFailure, call: ServiceCall): BackendError {
  const said = failure.message ? `: ${failure.message}` : '';
  const { status } = failure;
  if (status === 401) {
    return new BackendError(
      'auth',
      `${service.name} did not accept the bot's credentials (${label(failure)}${said}). The bot's identity needs ${service.accessNeeded}.`,
    );
  }
  if (status === 403) {
    return new BackendError(
      'auth',
      `${service.name} refused the query (${label(failure)}${said}). The bot's identity needs ${service.accessNeeded}.`,
    );
  }
  if (status === 429) {
    const retryAfterMs = failure.retryAfterMs ?? DEFAULT_THROTTLE_MS;
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    return new BackendError('throttled', `${service.name} is throttling queries (429); retry in ${seconds} s.`, {
      retryAfterMs: seconds * 1000,
    });
  }
  if (status === 504) {
    return new BackendError(
      'timeout',
      `${service.name} stopped the query at its time limit (${label(failure)}${said}). Narrow the window or the device and try again.`,
    );
  }
  if (status === 404) {
    return new BackendError('unavailable', `${service.name} was not found (${label(failure)}${said}). Check ${service.notFoundHint}.`);
  }
  if (status >= 400 && status < 500 && status !== 408) {
    return new BackendError('query', `${service.name} rejected the query${said || ` (${label(failure)})`}`);
  }
  return new BackendError(
    'unavailable',
    `${service.name} is unavailable (${label(failure)})${attemptsNote(call)}; try again in a few minutes.`,
  );
}

/** The analyst's error for anything a call threw. */
export function failureFromError(service: ServiceDescription, error: unknown, call: ServiceCall): BackendError {
  if (error instanceof BackendError) return error;
  if (call.cancelled) {
    return cancelledError(service.name, error);
  }
  if (call.timedOut || call.signal.aborted) {
    const seconds = Math.round(call.deadlineMs / 1000);
    return new BackendError(
      'timeout',
      `${service.name} did not answer within ${seconds} s, so the hunt was stopped. Narrow the window or try again later.`,
      { cause: error },
    );
  }
  if (error instanceof Error && CREDENTIAL_ERRORS.has(error.name)) {
    return new BackendError(
      'auth',
      `The bot could not get a token for ${service.name} (${credentialProblem(error)}). The bot's identity needs ${service.accessNeeded}.`,
      { cause: error },
    );
  }
  if (isRestError(error)) {
    if (error.code === 'PARSE_ERROR') {
      return new BackendError('unavailable', `${service.name} sent an answer that is not valid JSON; try again later.`, { cause: error });
    }
    if (error.statusCode !== undefined) {
      const details = (error as { details?: unknown }).details;
      const described = isRecord(details) ? describeServiceError(details.error) : errorFromBody(error.response?.bodyAsText ?? undefined);
      const failure: HttpFailure = {
        status: error.statusCode,
        ...(described.code ?? error.code ? { code: described.code ?? error.code } : {}),
        ...(described.message ? { message: described.message } : {}),
        ...retryAfterOf(error.response),
      };
      return withCause(failureFromAnswer(service, failure, call), error);
    }
    if (error.code && TLS_ERROR_CODES.has(error.code)) {
      return new BackendError(
        'unavailable',
        `${service.name} could not be reached securely (${error.code}): its TLS certificate is not trusted.`,
        { cause: error },
      );
    }
    return new BackendError(
      'unavailable',
      `${service.name} could not be reached (${error.code ?? error.message})${attemptsNote(call)}; try again in a few minutes.`,
      { cause: error },
    );
  }
  return new BackendError('unavailable', `${service.name} sent an answer the bot could not read; try again later.`, { cause: error });
}

/**
 * What went wrong getting a token: for a chain of credentials (`DefaultAzureCredential`), the one
 * that was set up but failed, rather than the list of those that are not set up at all.
 */
function credentialProblem(error: Error): string {
  const chain = (error as { errors?: unknown }).errors;
  const attempts = Array.isArray(chain) ? chain.filter((item): item is Error => item instanceof Error) : [];
  const failed = attempts.find((item) => item.name === 'AuthenticationError' || /authentication failed/i.test(item.message));
  const message = (failed ?? error).message.split('\n')[0]?.replace(/\s+/g, ' ').trim();
  return clip(message || error.name);
}

function retryAfterOf(response: Pick<PipelineResponse, 'headers'> | undefined): { retryAfterMs?: number } {
  const wait = retryAfterMs(response);
  return wait === undefined ? {} : { retryAfterMs: wait };
}

function withCause(error: BackendError, cause: unknown): BackendError {
  return new BackendError(error.failure, error.message, { ...error.options, cause });
}
