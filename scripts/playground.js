/**
 * Starts and stops the Microsoft 365 Agents Playground the way HuntOps needs it: offline (no
 * telemetry, no browser), bound to 127.0.0.1, on a given port, talking to a given bot endpoint, with
 * the repository's `.m365agentsplayground.yml`. Used by `scripts/dev.js` and by the end-to-end test
 * harness (`test/support/playground.ts`). Findings behind every option: docs/playground.md.
 */
'use strict';

const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const readline = require('node:readline');

/** The Playground's CLI entry point (`agentsplayground`). */
const PLAYGROUND_CLI = require.resolve('@microsoft/m365agentsplayground/cli.js');
/** Preload that binds the Playground's servers to 127.0.0.1 (it has no option for that). */
const LOOPBACK_PRELOAD = path.join(__dirname, 'loopback-only.js');
/** The repository's Playground configuration (users, tenant, chats, team and channels). */
const DEFAULT_CONFIG_PATH = path.resolve(__dirname, '..', '.m365agentsplayground.yml');
/** The port the Playground uses unless told otherwise. */
const DEFAULT_PLAYGROUND_PORT = 56150;

/** Environment variables that would switch the Playground to authenticated mode; removed. */
const AUTH_VARIABLES = ['AUTH_CLIENT_ID', 'AUTH_CLIENT_SECRET', 'AUTH_TENANT_ID'];
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/**
 * Adds the loopback names to a `NO_PROXY` list so that a proxy configured in the environment never
 * sees traffic between the Playground, the bot and the browser.
 * @param {string | undefined} list the current value
 * @returns {string} the value to use
 */
function withLoopbackNoProxy(list) {
  const entries = (list ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const host of ['127.0.0.1', 'localhost', '::1']) {
    if (!entries.includes(host)) entries.push(host);
  }
  return entries.join(',');
}

/**
 * The environment of the Playground process.
 * @param {NodeJS.ProcessEnv} base the environment to start from
 * @param {{ configPath: string, logFile: string }} files
 * @returns {NodeJS.ProcessEnv}
 */
function playgroundEnv(base, files) {
  const env = {
    ...base,
    TEAMSAPPTESTER_BROWSER: 'none',
    APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
    M365_AGENTS_PLAYGROUND_CONFIG_PATH: files.configPath,
    M365_AGENTS_PLAYGROUND_LOGFILE: files.logFile,
    NO_PROXY: withLoopbackNoProxy(base.NO_PROXY ?? base.no_proxy),
    no_proxy: withLoopbackNoProxy(base.no_proxy ?? base.NO_PROXY),
  };
  for (const name of AUTH_VARIABLES) delete env[name];
  return env;
}

/**
 * Resolves with the body of `GET url`, or with `undefined` when nothing answers.
 * @param {string} url
 * @returns {Promise<string | undefined>}
 */
function tryGet(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 2_000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve(response.statusCode === 200 ? body : undefined));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/**
 * Error raised when the requested port is taken: the Playground then silently picks a random port,
 * which would not match the service URL it puts on activities, so it is stopped instead.
 */
class PortInUseError extends Error {
  /**
   * @param {number} port the port that was asked for
   * @param {number} actual the port the Playground fell back to
   */
  constructor(port, actual) {
    super(`port ${port} on 127.0.0.1 is already in use (the Playground fell back to ${actual})`);
    this.name = 'PortInUseError';
    this.code = 'EADDRINUSE';
    this.port = port;
  }
}

/**
 * Starts the Playground and resolves once it serves its UI and its connector.
 * @param {object} options
 * @param {number} options.port port on 127.0.0.1 (> 0: the service URL on every activity names it)
 * @param {string} options.botEndpoint the bot's messaging endpoint, e.g. http://127.0.0.1:3978/api/messages
 * @param {string} options.logFile where the Playground writes its log (it rewrites the file at start)
 * @param {string} [options.configPath] `.m365agentsplayground.yml`; default: the repository's
 * @param {NodeJS.ProcessEnv} [options.env] base environment; default: `process.env`
 * @returns {Promise<import('./playground').RunningPlayground>}
 */
async function startPlayground(options) {
  const { port, botEndpoint, logFile } = options;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RangeError(`startPlayground: port must be 1..65535, got ${port}`);
  }
  const configPath = options.configPath ?? DEFAULT_CONFIG_PATH;
  const url = `http://127.0.0.1:${port}`;
  const serviceUrl = `${url}/_connector`;
  const child = spawn(
    process.execPath,
    [
      '--require', LOOPBACK_PRELOAD,
      PLAYGROUND_CLI, 'start',
      '--port', String(port),
      '--app-endpoint', botEndpoint,
      '--service-url', serviceUrl,
      '--channel-id', 'msteams',
      '--disable-telemetry',
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: playgroundEnv(options.env ?? process.env, { configPath, logFile }) },
  );
  const pid = /** @type {number} */ (child.pid);
  let output = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => (output += chunk));
  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const stop = async () => {
    if (hasExited) return;
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  const listeningPort = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      output += `${line}\n`;
      const match = /^Listening on (\d+)$/.exec(line.trim());
      if (match) resolve(Number(match[1]));
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`the Playground exited (${signal ?? `code ${code}`}) before listening:\n${output}(log: ${logFile})`)),
    );
  });
  if (listeningPort !== port) {
    await stop();
    throw new PortInUseError(port, listeningPort);
  }
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while ((await tryGet(`${url}/_debug/ping`)) !== 'pong') {
    if (hasExited) throw new Error(`the Playground exited while starting (log: ${logFile})`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Playground did not answer ${url}/_debug/ping within ${READY_TIMEOUT_MS} ms (log: ${logFile})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { pid, port, url, serviceUrl, logFile, configPath, exited, stop };
}

/**
 * Sends a signal to a process group, ignoring a group that is already gone.
 * @param {number} pid the group leader
 * @param {NodeJS.Signals} signal
 */
function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'ESRCH') throw error;
  }
}

module.exports = {
  DEFAULT_CONFIG_PATH,
  DEFAULT_PLAYGROUND_PORT,
  LOOPBACK_PRELOAD,
  PLAYGROUND_CLI,
  PortInUseError,
  signalGroup,
  startPlayground,
};
