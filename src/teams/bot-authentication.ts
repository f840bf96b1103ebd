/**
 * Bot Framework authentication as HuntOps runs it: botbuilder's own token validation, with three
 * guarantees added around it.
 *
 * - Every request that fails validation is refused with 401, whatever the validator threw
 *   (botbuilder answers some forged tokens, e.g. a bad signature, with a 500).
 * - A request whose token could not be checked because the Bot Framework's signing keys could not
 *   be fetched (network failure, the key service answering an error or garbage) is not a bad token:
 *   it fails with {@link SigningKeysUnavailableError}, which the adapter answers 503 so that the
 *   channel retries, and it is logged. Nothing runs either way.
 * - The bot only calls service URLs its {@link ServiceUrlPolicy} allows: an incoming activity naming
 *   another one is refused before the turn runs, and every connector the adapter creates (replies,
 *   proactive updates, new conversations) checks the URL before the first call.
 */
import type { Activity } from 'botbuilder';
import {
  AuthenticationError,
  BotFrameworkAuthentication,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import type { Log } from '../core/log';
import type { ServiceUrlPolicy } from './service-url';

const UNAUTHORIZED = 401;

/** The token could not be checked: the signing keys could not be fetched. Answered 503, never served. */
export class SigningKeysUnavailableError extends Error {
  constructor(readonly reason: string) {
    super('Service unavailable: the Bot Framework signing keys could not be fetched to check the token; retry later');
    this.name = 'SigningKeysUnavailableError';
  }
}

/**
 * Whether botbuilder failed for want of the signing keys rather than over the token: its key cache
 * reports an error answer of the OpenID metadata or keys endpoint as a 500 `AuthenticationError`
 * ("Failed to load openID config: 503", "Failed to load Keys: 502"), and node-fetch, which it fetches
 * them with, fails with a `FetchError` (connection refused or reset, DNS, a body that is not JSON).
 */
export function isSigningKeyFetchFailure(error: unknown): boolean {
  if (error instanceof AuthenticationError) return error.statusCode >= 500 && /^Failed to load (openID config|Keys)\b/.test(error.message);
  return (error as { name?: unknown } | null)?.name === 'FetchError';
}

/** A connector factory that refuses service URLs the policy does not allow. */
class GuardedConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly serviceUrls: ServiceUrlPolicy,
  ) {
    super();
  }

  override async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    this.serviceUrls.check(serviceUrl);
    return this.inner.create(serviceUrl, audience);
  }
}

/** What {@link GuardedBotFrameworkAuthentication} wraps. */
export interface GuardedAuthenticationOptions {
  /** botbuilder's authentication for the bot's identity (or anonymous). */
  readonly inner: BotFrameworkAuthentication;
  /** The service URLs the bot may call. */
  readonly serviceUrls: ServiceUrlPolicy;
  readonly log: Log;
}

/** botbuilder's authentication, refusing with 401 and calling allowed service URLs only. */
export class GuardedBotFrameworkAuthentication extends BotFrameworkAuthentication {
  constructor(private readonly options: GuardedAuthenticationOptions) {
    super();
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    let result: AuthenticateRequestResult;
    try {
      result = await this.options.inner.authenticateRequest(activity, authHeader);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (isSigningKeyFetchFailure(error)) {
        this.options.log.error({ reason }, 'could not fetch the Bot Framework signing keys to check a token: answered 503 so that the channel retries');
        throw new SigningKeysUnavailableError(reason);
      }
      this.options.log.warn({ reason }, 'refused a request without a valid Bot Framework token');
      throw new AuthenticationError('Unauthorized: the request does not carry a valid Bot Framework token', UNAUTHORIZED);
    }
    if (!this.options.serviceUrls.allows(activity.serviceUrl)) {
      this.options.log.warn({ serviceUrl: String(activity.serviceUrl).slice(0, 200) }, 'refused an activity naming a service URL this bot does not post to');
      throw new AuthenticationError('Unauthorized: the activity names a service URL this bot does not post to', UNAUTHORIZED);
    }
    return result.connectorFactory ? { ...result, connectorFactory: this.guard(result.connectorFactory) } : result;
  }

  /** Streaming (web socket, named pipe) connections bypass the service URL check: HuntOps takes none. */
  override async authenticateStreamingRequest(): Promise<AuthenticateRequestResult> {
    throw new AuthenticationError('Streaming connections are not accepted', UNAUTHORIZED);
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.guard(this.options.inner.createConnectorFactory(claimsIdentity));
  }

  override createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.options.inner.createUserTokenClient(claimsIdentity);
  }

  override createBotFrameworkClient(): BotFrameworkClient {
    return this.options.inner.createBotFrameworkClient();
  }

  override authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.options.inner.authenticateChannelRequest(authHeader);
  }

  private guard(factory: ConnectorFactory): ConnectorFactory {
    return new GuardedConnectorFactory(factory, this.options.serviceUrls);
  }
}
