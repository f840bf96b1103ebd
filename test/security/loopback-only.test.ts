/**
 * Tests reach loopback only, and notice when something tries otherwise: in the Jest worker (the
 * in-process bot, SDK clients, the test itself) and in the bot processes tests start. A bot process
 * configured for Log Analytics without a local identity endpoint asks Azure's instance metadata
 * service for a token on its first health check: refused, reported, and its stop fails the test.
 */
import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { startBotProcess } from '../support/bot-process';
import { REFUSED_CODE, isLoopbackHost, takeRefusedConnections } from '../support/loopback-only-outbound';

describe('in the Jest worker', () => {
  afterEach(() => {
    takeRefusedConnections();
  });

  test('fetch and https to the internet are refused before any packet leaves, and recorded', async () => {
    const failure = await fetch('https://192.0.2.10/v1/workspaces').then(
      () => undefined,
      (error: unknown) => error as { cause?: { code?: string } },
    );
    expect(failure?.cause?.code).toBe(REFUSED_CODE);
    const request = https.get('https://api.loganalytics.io/v1/$metadata');
    const [error] = (await once(request, 'error')) as [NodeJS.ErrnoException];
    expect(error.code).toBe(REFUSED_CODE);
    expect(takeRefusedConnections()).toEqual(['192.0.2.10:443', 'api.loganalytics.io:443']);
  });

  test('loopback is reached as before', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('ok');
      expect(await (await fetch(`http://localhost:${port}/`)).text()).toBe('ok');
    } finally {
      server.close();
    }
    expect(takeRefusedConnections()).toEqual([]);
  });

  test.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['169.254.169.254', false],
    ['127.0.0.1.attacker.invalid', false],
    ['localhost.attacker.invalid', false],
  ])('%s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('in a bot process started by a test', () => {
  test('a connection beyond loopback is refused and reported, and stopping the bot then fails', async () => {
    const bot = await startBotProcess({ HUNT_BACKEND: 'loganalytics', LOG_ANALYTICS_WORKSPACE_ID: '3f2a9c1e-0b7d-4a55-9e2f-6c1d8b7a9e01', HUNT_STORE: 'sqlite::memory:' });
    let stopped = false;
    try {
      const res = await fetch(`${bot.origin}/healthz`);
      expect(res.status).toBe(503);
      expect(bot.refusedConnections()).toContain('169.254.169.254:80');
      await expect(bot.stop()).rejects.toThrow(/the bot tried to reach .*169\.254\.169\.254:80.*: tests reach loopback only/);
      stopped = true;
    } finally {
      if (!stopped) await bot.stop().catch(() => undefined);
    }
  });
});
