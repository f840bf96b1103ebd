/**
 * Turns what a Sentinel call failed with — an error answer of Azure Resource Manager, a refused
 * credential, the network, the deadline — into a {@link SentinelError} whose message says what to do.
 * The answer's `{ error: { code, message, details } }` is read with the backends' reader, so the
 * service's own words (an `AuthorizationFailed` naming the missing action) reach the card.
 */
import { isRestError } from '@azure/core-rest-pipeline';
import type { ServiceCall } from '../backends/http-resilience';
import { errorFromBody } from '../backends/service-failure';
import { SENTINEL_ROLES, SentinelError, type SentinelArea } from './sentinel-error';
import type { SentinelWorkspace } from './workspace';

/** What a call was doing, for messages. */
export interface SentinelOperation {
  readonly area: SentinelArea;
  /** What the bot was doing, as a phrase: "creating incident 1b4e…", "adding an item to watchlist HuntOpsExclusions". */
  readonly doing: string;
  readonly workspace: SentinelWorkspace;
}

/** An error answer, reduced to what a message needs. */
export interface ArmFailure {
  readonly status: number;
  /** The raw answer body, read for `{ error: { code, message } }`. */
  readonly body?: string;
  readonly retryAfterMs?: number;
}

/** Retry-After assumed when a 429 names none. */
const DEFAULT_THROTTLE_MS = 30_000;

const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError', 'AuthenticationRequiredError']);

const TLS_ERROR_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function workspaceLabel(workspace: SentinelWorkspace): string {
  return `workspace ${workspace.name} (resource group ${workspace.resourceGroup})`;
}

function roleAdvice(operation: SentinelOperation): string {
  return `The bot's identity needs the ${SENTINEL_ROLES[operation.area]} role on ${workspaceLabel(operation.workspace)}.`;
}

function attemptsNote(call: ServiceCall): string {
  return call.attempts > 1 ? ` after ${call.attempts} attempts` : '';
}

/** The error for an error answer (after the pipeline's bounded retries). */
export function failureFromAnswer(operation: SentinelOperation, answer: ArmFailure, call: ServiceCall): SentinelError {
  const { status } = answer;
  const said = errorFromBody(answer.body);
  const label = said.code ? `${status} ${said.code}` : String(status);
  const quoted = said.message ? `${label}: ${said.message}` : label;
  const base = { area: operation.area, status, ...(said.code ? { code: said.code } : {}) };
  if (status === 401) {
    return new SentinelError('auth', `Microsoft Sentinel did not accept the bot's credentials while ${operation.doing} (${quoted}). ${roleAdvice(operation)}`, base);
  }
  if (status === 403) {
    return new SentinelError('forbidden', `Microsoft Sentinel refused ${operation.doing} (${quoted}). ${roleAdvice(operation)}`, base);
  }
  if (status === 429) {
    const waitMs = answer.retryAfterMs ?? DEFAULT_THROTTLE_MS;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new SentinelError('throttled', `Microsoft Sentinel is throttling the bot (429) while ${operation.doing}; try again in ${seconds} s.`, {
      ...base,
      retryAfterMs: seconds * 1000,
    });
  }
  if (status === 404) {
    return new SentinelError(
      'not-found',
      `Azure Resource Manager did not find ${workspaceLabel(operation.workspace)}, or Microsoft Sentinel is not enabled on it, while ${operation.doing} (${quoted}). Check SENTINEL_WORKSPACE_RESOURCE_ID (${operation.workspace.resourceId}).`,
      base,
    );
  }
  if (status === 409 || status === 412) {
    return new SentinelError('conflict', `Someone else kept changing the resource while the bot was ${operation.doing} (${quoted}); try again later.`, base);
  }
  if (status >= 400 && status < 500 && status !== 408) {
    return new SentinelError('invalid', `Microsoft Sentinel rejected ${operation.doing} (${quoted}).`, base);
  }
  return new SentinelError('unavailable', `Microsoft Sentinel is unavailable (${label})${attemptsNote(call)} while ${operation.doing}; try again later.`, base);
}

/** ARM's codes for a 404 about the workspace (or what holds it) rather than the resource under it. */
const WORKSPACE_MISSING_CODES = new Set(['ResourceNotFound', 'ParentResourceNotFound', 'ResourceGroupNotFound', 'SubscriptionNotFound', 'WorkspaceNotFound']);

/** True when a 404's body says the workspace (or what holds it) is missing, not the resource under it. */
export function isWorkspaceMissing(body: string | undefined): boolean {
  const { code } = errorFromBody(body);
  return code !== undefined && WORKSPACE_MISSING_CODES.has(code);
}

/**
 * For a 404: the error saying that `what` ("incident 1b4e…") does not exist, or — when Resource
 * Manager said the workspace itself is missing — the workspace error of {@link failureFromAnswer}.
 */
export function missingResource(operation: SentinelOperation, answer: ArmFailure, call: ServiceCall, what: string): SentinelError {
  if (isWorkspaceMissing(answer.body)) return failureFromAnswer(operation, answer, call);
  const said = errorFromBody(answer.body);
  return new SentinelError('not-found', `${what} does not exist in Microsoft Sentinel ${workspaceLabel(operation.workspace)}.`, {
    area: operation.area,
    status: answer.status,
    ...(said.code ? { code: said.code } : {}),
  });
}

/** The error for anything a call threw. */
export function failureFromError(operation: SentinelOperation, error: unknown, call: ServiceCall): SentinelError {
  if (error instanceof SentinelError) return error;
  const area = operation.area;
  if (call.cancelled) {
    return new SentinelError('cancelled', `The bot stopped ${operation.doing} before Microsoft Sentinel answered.`, { area, cause: error });
  }
  if (call.timedOut || call.signal.aborted) {
    const seconds = Math.round(call.deadlineMs / 1000);
    return new SentinelError('timeout', `Microsoft Sentinel did not answer within ${seconds} s while the bot was ${operation.doing}; try again later.`, {
      area,
      cause: error,
    });
  }
  if (error instanceof Error && CREDENTIAL_ERRORS.has(error.name)) {
    return new SentinelError('auth', `The bot could not get a token for Azure Resource Manager (${credentialProblem(error)}). ${roleAdvice(operation)}`, {
      area,
      cause: error,
    });
  }
  if (isRestError(error) && error.code && TLS_ERROR_CODES.has(error.code)) {
    return new SentinelError('unavailable', `Azure Resource Manager could not be reached securely (${error.code}): its TLS certificate is not trusted.`, {
      area,
      cause: error,
    });
  }
  if (isRestError(error)) {
    return new SentinelError(
      'unavailable',
      `Azure Resource Manager could not be reached (${error.code ?? error.message})${attemptsNote(call)} while ${operation.doing}; try again later.`,
      { area, cause: error },
    );
  }
  return new SentinelError('unavailable', `Microsoft Sentinel sent an answer the bot could not read while ${operation.doing}.`, { area, cause: error });
}

/** For a chain of credentials (`DefaultAzureCredential`): the one that was set up but failed. */
function credentialProblem(error: Error): string {
  const chain = (error as { errors?: unknown }).errors;
  const attempts = Array.isArray(chain) ? chain.filter((item): item is Error => item instanceof Error) : [];
  const failed = attempts.find((item) => item.name === 'AuthenticationError' || /authentication failed/i.test(item.message));
  const message = (failed ?? error).message.split('\n')[0]?.replace(/\s+/g, ' ').trim() ?? '';
  return message.length > 300 ? `${message.slice(0, 299)}…` : message || error.name;
}
