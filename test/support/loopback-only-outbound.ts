/**
 * Tests reach loopback only: every outbound TCP connection (http, https, fetch, the Azure and Bot
 * Framework SDKs all end in `net.Socket.prototype.connect`) to anything but 127.0.0.0/8, ::1 or
 * `localhost` is refused before any packet leaves — and reported, so a test that tries is noticed
 * instead of passing on a machine that happens to be online. IPC connections (a `path`) are left alone.
 *
 * Installed in the bot processes tests start (`loopback-only-outbound-preload.ts`) and in every
 * Jest worker (`jest-loopback-only.ts`).
 */
import net from 'node:net';

/** The code of the error a refused connection fails with. */
export const REFUSED_CODE = 'ERR_TEST_LOOPBACK_ONLY';

/** What a bot process started by tests writes to stderr, before the target, for each refused connection. */
export const REFUSED_MARKER = 'huntops-test: refused an outbound connection to';

const STATE = Symbol.for('huntops.test.loopbackOnlyOutbound');

/**
 * Per process (kept on the `net` module, which every Jest sandbox of a worker shares): whether the
 * guard is installed, and the connections it refused not yet taken.
 */
function state(): { installed: boolean; refused: string[] } {
  const registry = net as unknown as { [STATE]?: { installed: boolean; refused: string[] } };
  registry[STATE] ??= { installed: false, refused: [] };
  return registry[STATE];
}

/** The connections refused since the last call (`host:port` each), forgotten once taken. */
export function takeRefusedConnections(): string[] {
  return state().refused.splice(0);
}

/** Whether `host` (a name or an address, IPv6 with or without brackets) is loopback. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Where a `connect(...)` call goes: `undefined` for IPC, else `host:port`. */
function targetOf(args: readonly unknown[]): { host: string; port: string } | undefined {
  let first = args[0];
  if (Array.isArray(first)) first = first[0];
  if (first !== null && typeof first === 'object') {
    const options = first as { path?: unknown; host?: unknown; port?: unknown };
    if (options.path) return undefined;
    return { host: typeof options.host === 'string' && options.host ? options.host : 'localhost', port: String(options.port) };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined;
  return { host: typeof args[1] === 'string' && args[1] ? args[1] : 'localhost', port: String(first) };
}

/**
 * Refuses, from now on in this process, every TCP connection to a host that is not loopback: the
 * socket fails with {@link REFUSED_CODE}, the target is kept for {@link takeRefusedConnections},
 * and `onRefused` is told. Installing twice keeps the first.
 */
export function refuseOutboundExceptLoopback(onRefused: (target: string) => void = () => undefined): void {
  const guard = state();
  if (guard.installed) return;
  guard.installed = true;
  const connect = net.Socket.prototype.connect as (this: net.Socket, ...args: unknown[]) => net.Socket;
  net.Socket.prototype.connect = function connectToLoopbackOnly(this: net.Socket, ...args: unknown[]): net.Socket {
    const target = targetOf(args);
    if (target === undefined || isLoopbackHost(target.host)) return connect.apply(this, args);
    const where = `${target.host}:${target.port}`;
    guard.refused.push(where);
    onRefused(where);
    const error = Object.assign(new Error(`tests reach loopback only: refused a connection to ${where}`), { code: REFUSED_CODE });
    process.nextTick(() => this.destroy(error));
    return this;
  } as typeof net.Socket.prototype.connect;
}
