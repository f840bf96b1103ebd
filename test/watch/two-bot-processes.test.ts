/**
 * Watches end to end across two bot processes: the real bot (`src/index.ts`, configured by
 * environment only) twice, on one store (a SQLite file, and Azure Tables on Azurite), over one copy
 * of the sample data that gains devices while they run, both posting to one fake Bot Connector. A
 * watch set through one of them runs every 2 seconds (`HUNT_WATCH_MIN_INTERVAL=2s`) in whichever
 * process claims each run: the baseline is posted once, each new device once, and nothing else —
 * however many runs see the device again.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store/open-store';
import type { Store } from '../../src/store/store';
import { startAzurite, type Azurite } from '../support/azurite';
import { cardText } from '../support/bot-harness';
import { startBotProcess, type BotProcess } from '../support/bot-process';
import { FakeConnector, type ConnectorCall } from '../support/fake-connector';
import { newKaseyaDevice, sampleCopy } from '../support/sample-copy';
import { message, TENANT_ID } from '../support/teams-activities';

jest.setTimeout(180_000);

const root = mkdtempSync(path.join(tmpdir(), 'huntops-two-bots-'));
let azurite: Azurite;

beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
  rmSync(root, { recursive: true, force: true });
});

const storages: Array<[string, () => string]> = [
  ['a SQLite file', () => `sqlite:${path.join(root, `${randomBytes(4).toString('hex')}.db`)}`],
  ['Azure Tables (Azurite)', () => `azuretables:${azurite.connectionString}`],
];

/** Checks `condition` every 100 ms until it holds. */
async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The pino entries a process logged with `msg`. */
function logged(bot: BotProcess, msg: string): Array<Record<string, unknown>> {
  return bot
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes(`"msg":"${msg}"`))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe.each(storages)('two bot processes on %s', (_, storeSpec) => {
  test('each new device of a watch is posted once, whichever process runs it', async () => {
    const spec = storeSpec();
    const data = sampleCopy();
    const connector = await new FakeConnector().start();
    const bots: BotProcess[] = [];
    let store: Store | undefined;
    try {
      const env = { HUNT_STORE: spec, HUNT_DATA_DIR: data.dir, HUNT_WATCH_MIN_INTERVAL: '2s' };
      bots.push(await startBotProcess({ ...env, HUNT_INSTANCE_ID: 'bot-a' }), await startBotProcess({ ...env, HUNT_INSTANCE_ID: 'bot-b' }));
      store = await openStore(spec);
      const runs = async () => (await store!.getWatch(TENANT_ID, 1))?.runs ?? 0;
      const posts = () => connector.calls.filter((c: ConnectorCall) => c.kind === 'send' && c.status < 300 && /you will hear about new ones|new devices?[ .(]/.test(cardText(c.body)));

      const res = await fetch(bots[0]!.endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message(connector.url, 'watch kaseya every 2s', 'channel')) });
      expect(res.status).toBe(200);
      await until(() => posts().length === 1, 'the baseline post');
      expect(cardText(posts()[0]!.body)).toContain('Kaseya: 4 devices now — you will hear about new ones.');

      data.append('DeviceFileCertificateInfo', [newKaseyaDevice(data, 'ws-new-001.corp.contoso.com', 1)]);
      await until(() => posts().length === 2, 'the post of the first new device');
      const after = await runs();
      await until(async () => (await runs()) >= after + 3, 'three more runs');

      data.append('DeviceFileCertificateInfo', [newKaseyaDevice(data, 'ws-new-002.corp.contoso.com', 1), newKaseyaDevice(data, 'ws-new-001.corp.contoso.com', 1)]);
      await until(() => posts().length === 3, 'the post of the second new device');
      const later = await runs();
      await until(async () => (await runs()) >= later + 3, 'three more runs');

      const texts = posts().map((c) => cardText(c.body));
      expect(texts).toHaveLength(3);
      expect(texts[1]).toContain('Kaseya: 1 new device.');
      expect(texts[1]).toContain('ws-new-001.corp.contoso.com');
      expect(texts[2]).toContain('Kaseya: 1 new device.');
      expect(texts[2]).toContain('ws-new-002.corp.contoso.com');
      expect(texts[2]).not.toContain('ws-new-001');
      expect(new Set(posts().map((c) => c.conversationId)).size).toBe(1);

      const outbox = (await store.listOutbox({ team: TENANT_ID })).filter((item) => item.kind === 'post');
      expect(outbox.map((item) => item.status)).toEqual(['sent', 'sent', 'sent']);
      expect((await store.listAudit({ limit: 100 })).filter((e) => e.action === 'watch-post')).toHaveLength(3);
      // Every completed run was run by one process: the runs the two logged add up to the store's count.
      const finished = bots.map((bot) => logged(bot, 'watch run finished').filter((entry) => entry.finished === true).length);
      expect(finished[0]! + finished[1]!).toBe(await runs());
    } finally {
      await Promise.all(bots.map((bot) => bot.stop()));
      await store?.close();
      await connector.stop();
      data.remove();
    }
  });
});
