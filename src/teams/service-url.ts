/**
 * Where the bot may post: the service URLs of Teams' own Bot Connector (public cloud, GCC, GCC High,
 * DoD) when it runs with an app registration, loopback only when it runs anonymous. Every outbound
 * call goes through {@link ServiceUrlPolicy.check}, so an activity or a stored conversation reference
 * that names another address cannot make the bot call it.
 *
 * A URL is judged only in its canonical form (as the WHATWG URL parser writes it back), without
 * credentials, query or fragment, so that no other parser can read a different host out of the same
 * text and nothing can be appended after the path the connector client builds on.
 */
import { canonicalHttpUrl, isLoopbackHost } from '../net/canonical-url';

/**
 * The hosts of Teams' Bot Connector service: the public cloud (`https://smba.trafficmanager.net/<region>/`,
 * e.g. `/amer/`, `/emea/`, `/teams/`), GCC, GCC High and DoD, as Microsoft documents them for
 * proactive messages. HTTPS on the default port only.
 */
export const TEAMS_SERVICE_HOSTS: readonly string[] = Object.freeze([
  'smba.trafficmanager.net',
  'smba.infra.gcc.teams.microsoft.com',
  'smba.infra.gov.teams.microsoft.us',
  'smba.infra.dod.teams.microsoft.us',
]);

const TEAMS_HOSTS: ReadonlySet<string> = new Set(TEAMS_SERVICE_HOSTS);

/** Thrown when the bot is asked to post to a service URL it may not call. */
export class ServiceUrlRefused extends Error {
  constructor(readonly serviceUrl: string) {
    super(`Refused to call service URL ${JSON.stringify(serviceUrl.slice(0, 200))}: it is not one this bot may post to`);
    this.name = 'ServiceUrlRefused';
  }
}

/** Which service URLs are allowed. */
export interface ServiceUrlPolicyOptions {
  /** `teams`: Teams' own hosts over HTTPS (an app registration); `loopback`: this machine only (anonymous). */
  readonly allow: 'teams' | 'loopback';
  /**
   * One more origin (`http://127.0.0.1:4000`) allowed besides Teams' hosts: a local fake of the Bot
   * Connector for offline tests. Must itself be a loopback origin.
   */
  readonly alsoAllowOrigin?: string;
}

/** Decides which service URLs the bot may call. */
export class ServiceUrlPolicy {
  private readonly extraOrigin: string | undefined;

  constructor(private readonly options: ServiceUrlPolicyOptions) {
    if (options.alsoAllowOrigin !== undefined) {
      const url = canonicalHttpUrl(options.alsoAllowOrigin) ?? canonicalHttpUrl(`${options.alsoAllowOrigin}/`);
      if (!url || !isLoopbackHost(url)) throw new Error(`alsoAllowOrigin must be a loopback http(s) origin, not ${options.alsoAllowOrigin}`);
      this.extraOrigin = url.origin;
    }
  }

  /** True when the bot may post to `serviceUrl`. */
  allows(serviceUrl: unknown): boolean {
    const url = canonicalHttpUrl(serviceUrl);
    if (!url) return false;
    if (this.options.allow === 'loopback') return isLoopbackHost(url);
    if (this.extraOrigin !== undefined && url.origin === this.extraOrigin) return true;
    return url.protocol === 'https:' && url.port === '' && TEAMS_HOSTS.has(url.hostname);
  }

  /** Throws {@link ServiceUrlRefused} unless the bot may post to `serviceUrl`. */
  check(serviceUrl: unknown): void {
    if (!this.allows(serviceUrl)) throw new ServiceUrlRefused(typeof serviceUrl === 'string' ? serviceUrl : String(serviceUrl));
  }
}
