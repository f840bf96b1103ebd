/**
 * `npm run dev`: HuntOps (`node dist/index.js`, anonymous, on 127.0.0.1:3978 unless HOST/PORT say
 * otherwise) and the Microsoft 365 Agents Playground (127.0.0.1:56150, or TEAMSAPPTESTER_PORT),
 * offline, so you can chat with the bot in a browser. Ctrl-C or SIGTERM stops both; if either exits,
 * the other is stopped and this script exits with the code of the one that died.
 */
'use strict';

const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { DEFAULT_PLAYGROUND_PORT, PortInUseError, signalGroup, startPlayground } = require('./playground');

const BOT_ENTRY = path.resolve(__dirname, '..', 'dist', 'index.js');
const BOT_READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 30_000;
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 };

/** Prints a line prefixed with the script's name. */
function say(message) {
  process.stdout.write(`huntops dev: ${message}\n`);
}

/** Stops with an error message. */
function fail(message, code = 1) {
  process.stderr.write(`huntops dev: ${message}\n`);
  process.exit(code);
}

/**
 * Reads a TCP port from the environment.
 * @param {string} name the variable
 * @param {number} fallback used when it is unset
 */
function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`${name}=${raw} is not a TCP port (1..65535)`);
  return port;
}

/** Resolves when `host:port` can be listened on, rejects with the listen error otherwise. */
function assertPortFree(host, port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

/** Resolves true once something answers HTTP at `url`, false if `isDead()` turns true first. */
async function waitForHttp(url, isDead, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!isDead()) {
    const answered = await new Promise((resolve) => {
      const request = http.get(url, { timeout: 2_000 }, (response) => {
        response.resume();
        resolve(true);
      });
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(false));
    });
    if (answered) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/** The exit code to report for a child that ended with `code` or `signal`. */
function exitCodeOf({ code, signal }) {
  if (code !== null) return code;
  return 128 + (os.constants.signals[signal] ?? 0);
}

async function main() {
  const host = process.env.HOST || '127.0.0.1';
  const botPort = portFromEnv('PORT', 3978);
  const playgroundPort = portFromEnv('TEAMSAPPTESTER_PORT', DEFAULT_PLAYGROUND_PORT);
  const botOrigin = `http://${net.isIPv6(host) ? `[${host}]` : host}:${botPort}`;

  if (!existsSync(BOT_ENTRY)) fail(`${BOT_ENTRY} is missing: run \`npm run build\` first (\`npm run dev\` does)`);
  for (const [port, portHost, what, variable] of [
    [botPort, host, 'the bot', 'PORT'],
    [playgroundPort, '127.0.0.1', 'the Playground', 'TEAMSAPPTESTER_PORT'],
  ]) {
    try {
      await assertPortFree(portHost, port);
    } catch (error) {
      const reason = error.code === 'EADDRINUSE' ? 'is already in use' : `cannot be used (${error.code ?? error.message})`;
      fail(`port ${port} on ${portHost} for ${what} ${reason}: stop whatever holds it or set ${variable}`);
    }
  }

  /** @type {{ name: string, pid: number, exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>, stop: () => Promise<void> }[]} */
  const running = [];
  let stopping = false;
  /** @type {Promise<import('./playground').RunningPlayground> | undefined} */
  let playgroundStarting;

  const stopAll = async () => {
    // A Playground still starting is stopped too, once it has started (or failed to).
    const playground = await playgroundStarting?.catch(() => undefined);
    if (playground && !running.some((child) => child.pid === playground.pid)) {
      running.push({ name: 'the Playground', pid: playground.pid, exited: playground.exited, stop: playground.stop });
    }
    const timer = setTimeout(() => running.forEach((child) => signalGroup(child.pid, 'SIGKILL')), STOP_GRACE_MS);
    await Promise.all(running.map((child) => child.stop()));
    clearTimeout(timer);
  };
  const onSignal = (signal) => {
    if (stopping) {
      running.forEach((child) => signalGroup(child.pid, 'SIGKILL'));
      return;
    }
    stopping = true;
    say(`${signal}: stopping the bot and the Playground`);
    void stopAll().then(() => process.exit(SIGNAL_EXIT_CODES[signal]));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const watch = (child) => {
    running.push(child);
    void child.exited.then(async (result) => {
      if (stopping) return;
      stopping = true;
      const code = exitCodeOf(result);
      say(`${child.name} exited (${result.signal ?? `code ${result.code}`}); stopping the rest`);
      await stopAll();
      process.exit(code);
    });
  };

  const bot = spawn(process.execPath, [BOT_ENTRY], { stdio: 'inherit', detached: true, env: process.env });
  const botExited = new Promise((resolve) => bot.once('exit', (code, signal) => resolve({ code, signal })));
  let botDead = false;
  void botExited.then(() => (botDead = true));
  watch({
    name: 'the bot',
    pid: bot.pid,
    exited: botExited,
    stop: async () => {
      if (!botDead) signalGroup(bot.pid, 'SIGTERM');
      await botExited;
    },
  });
  if (!(await waitForHttp(`${botOrigin}/healthz`, () => botDead, BOT_READY_TIMEOUT_MS))) {
    if (botDead || stopping) return;
    stopping = true;
    process.stderr.write(`huntops dev: the bot did not answer ${botOrigin}/healthz within ${BOT_READY_TIMEOUT_MS / 1000} s\n`);
    await stopAll();
    process.exit(1);
  }
  if (stopping) return;

  const logFile = path.join(os.tmpdir(), `huntops-playground-${playgroundPort}.log`);
  let playground;
  try {
    playgroundStarting = startPlayground({ port: playgroundPort, botEndpoint: `${botOrigin}/api/messages`, logFile });
    playground = await playgroundStarting;
  } catch (error) {
    if (stopping) return;
    stopping = true;
    const message = error instanceof PortInUseError
      ? `${error.message}: stop whatever holds it or set TEAMSAPPTESTER_PORT`
      : `the Playground did not start: ${error.message}`;
    process.stderr.write(`huntops dev: ${message}\n`);
    await stopAll();
    process.exit(1);
  }
  if (stopping) return;
  watch({ name: 'the Playground', pid: playground.pid, exited: playground.exited, stop: playground.stop });

  say('ready');
  process.stdout.write(
    [
      '',
      `  Open ${playground.url} in a browser and chat with HuntOps, e.g. "hunt kaseya 5d".`,
      '  In the group chat and the channels, start with @HuntOps.',
      '',
      `  Bot:             ${botOrigin}/api/messages (anonymous, loopback only)`,
      `  Playground log:  ${logFile}`,
      '  Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
}

main().catch((error) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
