/**
 * A local fake of the App Service managed identity endpoint, so that `DefaultAzureCredential` works
 * unchanged and offline: with `IDENTITY_ENDPOINT=http://127.0.0.1:<port>/msi/token` and
 * `IDENTITY_HEADER=<secret>` in the environment, it sends
 * `GET /msi/token?api-version=2019-08-01&resource=<resource>` with header `X-IDENTITY-HEADER` and
 * gets `{ access_token, expires_on, resource, token_type }`. Plain HTTP on loopback, as App Service
 * serves it. It fails closed: wrong path 404, wrong secret or api-version 400/401, unknown resource 400.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake saw of one token request. */
export interface RecordedTokenRequest {
  readonly resource: string | null;
  readonly apiVersion: string | null;
  readonly identityHeader: string | undefined;
}

/** The variables `DefaultAzureCredential` reads that could steer it away from the fake. */
const CREDENTIAL_VARIABLES = [
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'IDENTITY_SERVER_THUMBPRINT',
  'IMDS_ENDPOINT',
  'MSI_ENDPOINT',
  'MSI_SECRET',
  'AZURE_CLIENT_ID',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'AZURE_USERNAME',
  'AZURE_PASSWORD',
  'AZURE_FEDERATED_TOKEN_FILE',
  'AZURE_TOKEN_CREDENTIALS',
];

/** The fake managed identity endpoint. */
export class FakeManagedIdentity {
  /** Every token request, in order. */
  readonly requests: RecordedTokenRequest[] = [];
  /** The secret the endpoint expects in `X-IDENTITY-HEADER`. */
  readonly secret = randomBytes(16).toString('hex');

  private constructor(
    private readonly server: Server,
    private readonly tokens: Readonly<Record<string, string>>,
  ) {}

  /**
   * Starts the endpoint on 127.0.0.1 (a free port). `tokens` maps each resource it serves
   * (`https://api.loganalytics.io`) to the access token it hands out.
   */
  static async start(tokens: Readonly<Record<string, string>>): Promise<FakeManagedIdentity> {
    let fake: FakeManagedIdentity | undefined;
    const server = createServer((req, res) => fake?.serve(req, res));
    fake = new FakeManagedIdentity(server, tokens);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  /** `http://127.0.0.1:<port>/msi/token`. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/msi/token`;
  }

  /**
   * Points `DefaultAzureCredential` at this endpoint (and at nothing else) through the environment;
   * set it before the credential is constructed. Returns the function that restores the environment.
   */
  useInEnvironment(): () => void {
    const saved = new Map(CREDENTIAL_VARIABLES.map((name) => [name, process.env[name]]));
    for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
    process.env.IDENTITY_ENDPOINT = this.endpoint;
    process.env.IDENTITY_HEADER = this.secret;
    return () => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    };
  }

  /** Stops the endpoint. */
  async close(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const identityHeader = headerValue(req.headers['x-identity-header']);
    const resource = url.searchParams.get('resource');
    const apiVersion = url.searchParams.get('api-version');
    if (url.pathname !== '/msi/token' || req.method !== 'GET') {
      reply(res, 404, { error: 'not_found', error_description: 'No such endpoint.' });
      return;
    }
    this.requests.push({ resource, apiVersion, identityHeader });
    if (identityHeader !== this.secret) {
      reply(res, 401, { error: 'unauthorized', error_description: 'X-IDENTITY-HEADER is missing or wrong.' });
      return;
    }
    if (apiVersion !== '2019-08-01') {
      reply(res, 400, { error: 'invalid_request', error_description: `Unsupported api-version ${apiVersion ?? ''}.` });
      return;
    }
    const token = resource ? this.tokens[resource.replace(/\/$/, '')] : undefined;
    if (!token) {
      reply(res, 400, { error: 'invalid_resource', error_description: `No token for resource ${resource ?? ''}.` });
      return;
    }
    reply(res, 200, {
      access_token: token,
      expires_on: String(Math.floor(Date.now() / 1000) + 3600),
      resource,
      token_type: 'Bearer',
      client_id: '00000000-0000-0000-0000-00000000c11e',
    });
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
