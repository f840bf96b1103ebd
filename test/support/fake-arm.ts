/**
 * A local HTTPS fake of Azure Resource Manager, serving Microsoft Sentinel's
 * `Microsoft.SecurityInsights` resources under the workspaces it knows (see
 * {@link FakeSentinelWorkspace} for the resources): `GET`/`PUT …/incidents/{id}` with etags,
 * `GET`/`PUT …/incidents/{id}/comments/{id}`, `GET`/`PUT …/watchlists/{alias}`,
 * `GET …/watchlists/{alias}/watchlistItems` (pages with `nextLink`), and `GET`/`PUT`/`DELETE …/
 * watchlistItems/{id}`, with `?api-version=2025-09-01` and a bearer token.
 *
 * Errors use ARM's shapes: 401 `AuthenticationFailed`/`InvalidAuthenticationToken`, 403
 * `AuthorizationFailed` naming the action and scope, 404 `ResourceNotFound` for an unknown workspace,
 * 400 `InvalidApiVersionParameter`, 429 with `Retry-After` (`failNext({ kind: 'throttle' })`), 5xx.
 * It fails closed: an unknown path is 404, an unknown method 405, a `PUT` without a JSON body 415.
 *
 * For the tests' "lost answer" cases, {@link FakeArm.loseNextWriteAnswer} commits the next write and
 * then answers it with an error (or drops the connection), as when a gateway fails after the service
 * did the work; {@link FakeArm.beforeNextWrite} runs a change (an analyst in the portal) just before
 * the next write is handled.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, FakeHttpsService, parseJsonObject, type Fault } from './fake-https-service';
import { badRequest, FakeSentinelWorkspace, FAKE_PRINCIPAL, type FakeAnswer } from './fake-arm-sentinel';
import type { TestCertificates } from './tls';

/** The api-version the fake serves. */
export const FAKE_ARM_API_VERSION = '2025-09-01';

/** What the fake saw of one request. */
export interface RecordedArmRequest {
  readonly method: string;
  /** The path, decoded. */
  readonly path: string;
  readonly apiVersion: string | null;
  readonly token: string | undefined;
  readonly body: Record<string, unknown> | undefined;
}

/** How to start the fake. */
export interface FakeArmOptions {
  readonly certificates: TestCertificates;
  /** Bearer tokens it accepts. */
  readonly acceptedTokens: readonly string[];
  /** Resource ids of the workspaces with Sentinel. */
  readonly workspaces: readonly string[];
  /** Watchlist items per page. Default 100. */
  readonly pageSize?: number;
}

/** The Sentinel areas, for {@link FakeArm.deny}. */
export type FakeArmArea = 'incidents' | 'watchlists';

/** What a lost write answer looks like to the client. */
export type LostAnswer = { readonly status: number } | 'reset';

const ROUTE = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+)\/providers\/Microsoft\.SecurityInsights\/(.+)$/i;
const STATUS_CODES: Readonly<Record<number, string>> = { 412: 'PreconditionFailed', 500: 'InternalServerError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'GatewayTimeout' };

/** The fake Resource Manager. */
export class FakeArm extends FakeHttpsService<RecordedArmRequest> {
  private readonly workspaces = new Map<string, FakeSentinelWorkspace>();
  private readonly denied = new Map<FakeArmArea, ReadonlySet<string>>();
  private readonly lostAnswers: LostAnswer[] = [];
  private readonly beforeWrites: Array<() => void> = [];
  private readonly writeFaults: Fault[] = [];

  private constructor(private readonly options: FakeArmOptions) {
    super();
    for (const id of options.workspaces) this.workspaces.set(id.toLowerCase(), new FakeSentinelWorkspace(id, options.pageSize ?? 100));
  }

  /** Starts a fake on 127.0.0.1 (a free port). */
  static async start(options: FakeArmOptions): Promise<FakeArm> {
    const fake = new FakeArm(options);
    await fake.listen(options.certificates);
    return fake;
  }

  /** The Sentinel state of a workspace (the first one by default), to inspect or to change as an analyst in the portal would. */
  sentinel(workspaceResourceId: string = this.options.workspaces[0]!): FakeSentinelWorkspace {
    const workspace = this.workspaces.get(workspaceResourceId.toLowerCase());
    if (!workspace) throw new Error(`the fake knows no workspace ${workspaceResourceId}`);
    return workspace;
  }

  /** From now on, answers 403 AuthorizationFailed to these methods in an area (the identity lacks its role). */
  deny(area: FakeArmArea, methods: readonly string[] = ['PUT', 'DELETE']): void {
    this.denied.set(area, new Set(methods));
  }

  /** Lifts every {@link deny}, and drops the write faults, lost answers and changes not used yet. */
  allowAll(): void {
    this.denied.clear();
    this.writeFaults.length = 0;
    this.lostAnswers.length = 0;
    this.beforeWrites.length = 0;
  }

  /** The next writes (PUT, DELETE) are carried out, then answered like this instead of with their result. */
  loseNextWriteAnswer(...answers: LostAnswer[]): void {
    this.lostAnswers.push(...answers);
  }

  /** Injects these faults into the next writes (PUT, DELETE) only, before they are carried out. */
  failNextWrite(...faults: Fault[]): void {
    this.writeFaults.push(...faults);
  }

  /** Runs `change` just before the next write is handled. */
  beforeNextWrite(change: () => void): void {
    this.beforeWrites.push(change);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://fake');
    const method = req.method ?? 'GET';
    const path = decodeURIComponent(url.pathname);
    const route = ROUTE.exec(path);
    if (!route) {
      this.sendError(res, 404, 'NotFound', `The path '${path}' is not a Microsoft.SecurityInsights resource.`);
      return;
    }
    const body = raw.length > 0 ? parseJsonObject(raw) : undefined;
    const token = bearerToken(req);
    const apiVersion = url.searchParams.get('api-version');
    this.record({ method, path, apiVersion, token, body });
    if (!token || !this.options.acceptedTokens.includes(token)) {
      this.sendError(res, 401, token ? 'InvalidAuthenticationToken' : 'AuthenticationFailed', token ? 'The access token is invalid.' : "Authentication failed. The 'Authorization' header is missing.");
      return;
    }
    if (apiVersion !== FAKE_ARM_API_VERSION) {
      this.sendError(res, 400, 'InvalidApiVersionParameter', `The api-version '${apiVersion ?? ''}' is invalid. The supported versions are '${FAKE_ARM_API_VERSION}'.`);
      return;
    }
    const [, workspaceId, rest] = route as unknown as [string, string, string];
    const workspace = this.workspaces.get(workspaceId.toLowerCase());
    if (!workspace) {
      const name = workspaceId.split('/').pop() ?? '';
      const group = workspaceId.split('/')[4] ?? '';
      this.sendError(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.OperationalInsights/workspaces/${name}' under resource group '${group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
      return;
    }
    const write = method === 'PUT' || method === 'DELETE';
    if (method === 'PUT' && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      this.sendError(res, 415, 'UnsupportedMediaType', "The content media type '' is not supported. Only 'application/json' is supported.");
      return;
    }
    if (!(await this.gate(res))) return;
    const fault = (write ? this.writeFaults.shift() : undefined) ?? this.takeFault();
    if (fault && !(await this.injectFault(res, fault))) return;
    const segments = rest.split('/');
    const area: FakeArmArea = segments[0]!.toLowerCase() === 'watchlists' ? 'watchlists' : 'incidents';
    if (this.denied.get(area)?.has(method)) {
      const action = `Microsoft.SecurityInsights/${segments.filter((_, i) => i % 2 === 0).join('/')}/${method === 'GET' ? 'read' : method === 'DELETE' ? 'delete' : 'write'}`;
      this.sendError(
        res,
        403,
        'AuthorizationFailed',
        `The client '${FAKE_PRINCIPAL.objectId}' with object id '${FAKE_PRINCIPAL.objectId}' does not have authorization to perform action '${action}' over scope '${workspaceId}/providers/Microsoft.SecurityInsights/${rest}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
      return;
    }
    if (write) this.beforeWrites.shift()?.();
    const answer = this.route(workspace, method, segments, body, raw.length > 0, url);
    const lost = write && answer.status < 300 ? this.lostAnswers.shift() : undefined;
    if (lost === 'reset') {
      res.socket?.destroy();
      return;
    }
    if (lost) {
      this.sendError(res, lost.status, STATUS_CODES[lost.status] ?? `Status${lost.status}`, 'The gateway did not receive a response in time.');
      return;
    }
    if (answer.body === undefined) {
      res.writeHead(answer.status);
      res.end();
      return;
    }
    this.sendJson(res, answer.status, answer.body);
  }

  private route(workspace: FakeSentinelWorkspace, method: string, segments: readonly string[], body: Record<string, unknown> | undefined, hasBody: boolean, url: URL): FakeAnswer {
    if (hasBody && !body) return badRequest('The request body is not valid JSON.');
    const [kind, name, sub, subName, extra] = segments as [string, string?, string?, string?, string?];
    const type = [kind, sub].filter(Boolean).join('/').toLowerCase();
    const allowed = (methods: string[]): FakeAnswer | undefined => (methods.includes(method) ? undefined : { status: 405, body: { error: { code: 'MethodNotAllowed', message: `The method ${method} is not allowed.` } } });
    if (extra !== undefined || name === undefined || name === '') return { status: 404, body: { error: { code: 'NotFound', message: 'No such resource type.' } } };
    if (type === 'incidents' && subName === undefined && sub === undefined) {
      return allowed(['GET', 'PUT']) ?? (method === 'GET' ? workspace.getIncident(name) : workspace.putIncident(name, body));
    }
    if (type === 'incidents/comments' && subName) {
      return allowed(['GET', 'PUT']) ?? (method === 'GET' ? workspace.getComment(name, subName) : workspace.putComment(name, subName, body));
    }
    if (type === 'watchlists' && sub === undefined) {
      return allowed(['GET', 'PUT']) ?? (method === 'GET' ? workspace.getWatchlist(name) : workspace.putWatchlist(name, body));
    }
    if (type === 'watchlists/watchlistitems' && subName === undefined) {
      const denied = allowed(['GET']);
      if (denied) return denied;
      const skip = Number(url.searchParams.get('$skipToken') ?? '0');
      const page = workspace.listItems(name, Number.isInteger(skip) && skip >= 0 ? skip : 0);
      if (page.nextSkip === undefined || page.status !== 200) return page;
      const next = new URL(url.pathname, this.origin);
      next.searchParams.set('api-version', FAKE_ARM_API_VERSION);
      next.searchParams.set('$skipToken', String(page.nextSkip));
      return { status: 200, body: { ...(page.body as Record<string, unknown>), nextLink: next.href } };
    }
    if (type === 'watchlists/watchlistitems' && subName) {
      return allowed(['GET', 'PUT', 'DELETE']) ?? (method === 'GET' ? workspace.getItem(name, subName) : method === 'PUT' ? workspace.putItem(name, subName, body) : workspace.deleteItem(name, subName));
    }
    return { status: 404, body: { error: { code: 'NotFound', message: `No resource type '${type}'.` } } };
  }

  /** Answers with the fault; true when the request should go on to be answered normally (a slow answer). */
  private async injectFault(res: ServerResponse, fault: Fault): Promise<boolean> {
    switch (fault.kind) {
      case 'throttle':
        this.sendError(res, 429, 'TooManyRequests', `Too many requests. Please try again after '${fault.retryAfterSeconds}' seconds.`, { 'retry-after': String(fault.retryAfterSeconds) });
        return false;
      case 'status':
        this.sendError(res, fault.status, STATUS_CODES[fault.status] ?? `Status${fault.status}`, `The service answered ${fault.status}.`, {
          ...(fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : {}),
        });
        return false;
      case 'slow':
        return this.pause(res, fault.ms);
      case 'malformed':
        this.sendText(res, 200, '{"id":"/subscriptions/');
        return false;
      case 'unauthorized':
        this.sendError(res, 401, 'InvalidAuthenticationToken', 'The access token is invalid.');
        return false;
      case 'forbidden':
        this.sendError(res, 403, 'AuthorizationFailed', `The client '${FAKE_PRINCIPAL.objectId}' does not have authorization to perform this action.`);
        return false;
      case 'queryError':
        this.sendError(res, 400, 'BadRequest', fault.message);
        return false;
      case 'reset':
        res.socket?.destroy();
        return false;
      case 'partial':
        throw new Error('a partial answer is not a Resource Manager fault');
    }
  }

  private sendError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    this.sendJson(res, status, { error: { code, message } }, headers);
  }
}
