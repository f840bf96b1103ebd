/**
 * Hostile HTTP requests to the real server (anonymous, loopback): oversized bodies, broken JSON,
 * bodies that are not activities, a megabyte message inside an activity-sized body limit. Each is
 * refused with a 4xx, nothing runs, and the bot keeps serving.
 */
import { createLocalBackend } from '../../src/backends/local';
import { parseWindow } from '../../src/hunt/window';
import { certificateEvent, eventFolder, type EventFolder } from '../support/event-files';
import { FakeConnector } from '../support/fake-connector';
import { message } from '../support/teams-activities';
import { NOW } from './authenticated-fixture';
import { startSecuredBot, type SecuredBot } from './secured-bot';

describe('hostile requests over HTTP', () => {
  let events: EventFolder;
  let connector: FakeConnector;
  let bot: SecuredBot;

  const raw = async (body: string, contentType = 'application/json') => {
    const res = await fetch(bot.url, { method: 'POST', headers: { 'content-type': contentType }, body });
    await res.text();
    return res.status;
  };

  beforeAll(async () => {
    events = eventFolder();
    events.write('DeviceFileCertificateInfo', [certificateEvent(NOW, 'ws-fin-014.contoso.com', 'Kaseya Holdings Inc.', 2)]);
    connector = await new FakeConnector().start();
    bot = await startSecuredBot({
      bot: { mode: 'anonymous' },
      backend: createLocalBackend({ dataDir: events.dir, now: () => NOW, maxWindow: parseWindow('30d')!, label: 'test data' }),
      now: () => NOW,
    });
  });

  afterAll(async () => {
    await bot.stop();
    await connector.stop();
    events.remove();
  });

  test.each([
    ['a megabyte message', () => JSON.stringify(message(connector.url, `hunt kaseya 5d device ${'a'.repeat(1024 * 1024)}`)), 413],
    ['ten megabytes of quotes', () => JSON.stringify(message(connector.url, "'".repeat(10 * 1024 * 1024))), 413],
    ['broken JSON', () => '{"type":"message","text":"hunt kaseya', 400],
    ['a JSON array', () => '[]', 400],
    ['a JSON string', () => '"hunt kaseya 5d"', 400],
  ])('%s: refused (4xx), nothing runs', async (_name, body, status) => {
    expect(await raw(body())).toBe(status);
    expect(bot.backend.queries).toEqual([]);
    expect(connector.calls).toEqual([]);
  });

  // botbuilder's activity validator throws outside CloudAdapter.process's error handling (a 500);
  // the server refuses bodies without a string `type` itself.
  test('an activity without a type: 400', async () => {
    expect(await raw(JSON.stringify({ ...message(connector.url, 'hunt kaseya 5d'), type: undefined }))).toBe(400);
  });

  test('an activity without a type: refused, nothing runs', async () => {
    expect(await raw(JSON.stringify({ ...message(connector.url, 'hunt kaseya 5d'), type: undefined }))).toBeGreaterThanOrEqual(400);
    expect(bot.backend.queries).toEqual([]);
    expect(connector.calls).toEqual([]);
  });

  test('after all that, a message is served', async () => {
    const res = await bot.post(message(connector.url, 'hunt kaseya 5d'));
    expect(res.status).toBe(200);
    await connector.waitFor((c) => c.kind === 'update');
    expect(bot.backend.queries).toHaveLength(1);
  });

  test('a long message within the body limit gets a reply saying it is too long', async () => {
    connector.calls.length = 0;
    const res = await bot.post(message(connector.url, `hunt kaseya 5d device ${'\u202e'.repeat(50_000)}`));
    expect(res.status).toBe(200);
    const [reply] = await connector.waitFor((c) => c.kind === 'send' || c.kind === 'reply');
    expect(JSON.stringify(reply!.body)).toContain('too long');
  });
});
