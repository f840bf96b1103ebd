/**
 * A local fake of the Bot Framework's token side, as botbuilder reads it: the OpenID configuration
 * document (`GET /v1/.well-known/openidconfiguration`, like login.botframework.com's) whose `jwks_uri`
 * serves the public signing keys (`GET /v1/.well-known/keys`: RSA JWKs with a `kid` and the channels
 * each key `endorsements`), on loopback; and tokens signed with its private key, shaped as the Bot
 * Framework signs the requests Teams sends a bot (`iss` https://api.botframework.com, `aud` the bot's
 * app id, `serviceurl`, `nbf`, `exp`). It also makes forged tokens for refusal tests: signed by a key
 * it does not publish, unsigned, or signed with the public key as an HMAC secret, and can fail as the
 * real service sometimes does ({@link FakeBotFrameworkAuth.outage}).
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

/** The issuer of Bot Framework channel tokens, which botbuilder requires. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/** The claims of a channel token. */
export interface ChannelClaims {
  readonly iss: string;
  readonly aud: string;
  readonly serviceurl: string;
  /** Seconds since the epoch. */
  readonly nbf: number;
  readonly exp: number;
}

/** How a token is signed. */
export type Signing =
  /** RS256 with the published key (a genuine token). */
  | 'trusted'
  /** RS256 with another key, under the published key's `kid`. */
  | 'untrusted-key'
  /** RS256 with the published key, under a `kid` the metadata does not list. */
  | 'unknown-kid'
  /** `alg: none`, no signature. */
  | 'unsigned'
  /** HS256 with the published public key (PEM) as the HMAC secret: the classic algorithm confusion. */
  | 'hmac-with-public-key';

function rsaKeys(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A failure of the key service: its metadata or keys endpoint answering an error status, or every connection reset. */
export type KeyServiceOutage = { readonly endpoint: 'metadata' | 'keys'; readonly status: number } | { readonly reset: true };

/** The fake token service. */
export class FakeBotFrameworkAuth {
  /** Paths requested, in order. */
  readonly requests: string[] = [];
  /** While set, the service fails this way (a transient outage of login.botframework.com). */
  outage: KeyServiceOutage | undefined;
  private readonly kid = randomUUID();
  private readonly keys = rsaKeys();
  private readonly otherKeys = rsaKeys();

  private constructor(
    private readonly server: http.Server,
    /** Channels the published key endorses (Teams: `msteams`). */
    private readonly endorsements: readonly string[],
  ) {}

  /** Starts the service on 127.0.0.1 (a free port). */
  static async start(options: { endorsements?: readonly string[] } = {}): Promise<FakeBotFrameworkAuth> {
    let fake: FakeBotFrameworkAuth | undefined;
    const server = http.createServer((req, res) => fake?.serve(req, res));
    fake = new FakeBotFrameworkAuth(server, options.endorsements ?? ['msteams']);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The OpenID configuration document's URL: what the bot is told to read instead of login.botframework.com's. */
  get metadataUrl(): string {
    return `${this.origin}/v1/.well-known/openidconfiguration`;
  }

  /** Claims of a genuine channel token for `appId` and `serviceUrl`, valid for an hour from a minute ago. */
  claims(appId: string, serviceUrl: string): ChannelClaims {
    const now = Math.floor(Date.now() / 1000);
    return { iss: BOT_FRAMEWORK_ISSUER, aud: appId, serviceurl: serviceUrl, nbf: now - 60, exp: now + 3600 };
  }

  /** A token with `claims`, signed as `signing` says (default: genuinely). */
  token(claims: object, signing: Signing = 'trusted'): string {
    const payload = { ...claims };
    switch (signing) {
      case 'trusted':
        return jwt.sign(payload, this.keys.privateKey, { algorithm: 'RS256', keyid: this.kid });
      case 'untrusted-key':
        return jwt.sign(payload, this.otherKeys.privateKey, { algorithm: 'RS256', keyid: this.kid });
      case 'unknown-kid':
        return jwt.sign(payload, this.keys.privateKey, { algorithm: 'RS256', keyid: randomUUID() });
      case 'unsigned':
        return `${base64url({ alg: 'none', typ: 'JWT', kid: this.kid })}.${base64url(payload)}.`;
      case 'hmac-with-public-key': {
        const secret = this.keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
        return jwt.sign(payload, secret, { algorithm: 'HS256', keyid: this.kid });
      }
    }
  }

  /** Stops the service. */
  async close(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?')[0]!;
    this.requests.push(path);
    const outage = this.outage;
    if (outage && 'reset' in outage) {
      req.socket.destroy();
      return;
    }
    const endpoint = path === '/v1/.well-known/keys' ? 'keys' : 'metadata';
    if (outage && outage.endpoint === endpoint) {
      this.reply(res, outage.status, { error: 'temporarily_unavailable' });
      return;
    }
    if (req.method === 'GET' && path === '/v1/.well-known/openidconfiguration') {
      this.reply(res, 200, {
        issuer: BOT_FRAMEWORK_ISSUER,
        authorization_endpoint: `${this.origin}/v1/authorize`,
        jwks_uri: `${this.origin}/v1/.well-known/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    } else if (req.method === 'GET' && path === '/v1/.well-known/keys') {
      const { n, e } = this.keys.publicKey.export({ format: 'jwk' });
      this.reply(res, 200, { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, n, e, endorsements: this.endorsements }] });
    } else {
      this.reply(res, 404, { error: 'not_found' });
    }
  }

  private reply(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}
