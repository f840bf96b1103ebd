/**
 * Preload (`node --require scripts/loopback-only.js …`) that binds every TCP server of the process to
 * 127.0.0.1.
 *
 * Why: the Microsoft 365 Agents Playground (0.2.x) calls `server.listen(port)` without a host, so it
 * listens on all interfaces, and it has no option or environment variable to choose the address (see
 * docs/playground.md). Forcing the host in `net.Server.prototype.listen` is the least invasive fix
 * that needs no copy or patch of the package: it only affects the process it is preloaded into.
 * IPC listens (a `path`, `fd` or `handle`) are left alone.
 */
'use strict';

const net = require('node:net');

const LOOPBACK = '127.0.0.1';
const originalListen = net.Server.prototype.listen;

/**
 * Rewrites the arguments of a `listen` call so that a TCP listen names 127.0.0.1.
 * @param {unknown[]} args the arguments as given
 * @returns {unknown[]} the arguments to pass on
 */
function onLoopback(args) {
  const [first, ...rest] = args;
  if (first === undefined || first === null || typeof first === 'function') {
    return [0, LOOPBACK, ...(typeof first === 'function' ? [first] : []), ...rest];
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const afterHost = typeof rest[0] === 'string' ? rest.slice(1) : rest;
    return [first, LOOPBACK, ...afterHost];
  }
  if (typeof first === 'object' && !('path' in first) && !('fd' in first) && !('handle' in first) && !('_handle' in first)) {
    return [{ ...first, host: LOOPBACK }, ...rest];
  }
  return args;
}

net.Server.prototype.listen = function listenOnLoopback(...args) {
  return originalListen.apply(this, onLoopback(args));
};
