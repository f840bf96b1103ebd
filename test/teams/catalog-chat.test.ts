/**
 * The wide catalog in chat, through whole turns on the sample data: `tools [filter] [page]` and its
 * page buttons (which carry the filter), `hunt <tool>` for a tool with no file-signature hunt (its
 * default kind), and a kind a tool lacks answered with the kinds it has.
 */
import { createLocalBackend } from '../../src/backends/local';
import { SAMPLE_DATA_DIR } from '../../src/config';
import { loadCatalog } from '../../src/hunt/catalog';
import { filterTools } from '../../src/hunt/tool-lookup';
import { parseWindow } from '../../src/hunt/window';
import { cardOf, cardText, startBot, type BotHarness } from '../support/bot-harness';
import type { ConnectorCall } from '../support/fake-connector';
import { execute, message } from '../support/teams-activities';

const catalog = loadCatalog();
let bot: BotHarness;

beforeAll(async () => {
  bot = await startBot({ backend: createLocalBackend({ dataDir: SAMPLE_DATA_DIR, maxWindow: parseWindow('30d')!, label: 'sample data' }) });
});

afterAll(async () => {
  await bot.stop();
});

/** Posts `text`; resolves with the card that finally answers it and the id of its message. */
async function ask(text: string): Promise<{ card: any; messageId: string }> {
  const before = bot.connector.calls.length;
  await bot.post(message(bot.connector.url, text));
  const mine = (c: ConnectorCall) => bot.connector.calls.indexOf(c) >= before;
  const [first] = await bot.connector.waitFor((c) => mine(c) && (c.kind === 'reply' || c.kind === 'send'));
  if (!/Hunting /.test(cardText(cardOf(first!)))) return { card: cardOf(first!), messageId: first!.responseId! };
  const [update] = await bot.connector.waitFor((c) => mine(c) && c.kind === 'update' && c.activityId === first!.responseId);
  return { card: cardOf(update!), messageId: first!.responseId! };
}

/** The tool names in the table of a tools card. */
function toolNames(card: any): string[] {
  const table = card.body.find((b: any) => b.type === 'Table');
  return table ? table.rows.slice(1).map((r: any) => r.cells[0].items[0].text) : [];
}

test('tools screen: the tools whose names match, and a filter with no match says so', async () => {
  const { card } = await ask('tools screen');
  const expected = filterTools([...catalog.tools].sort((a, b) => a.name.localeCompare(b.name)), 'screen').map((t) => t.name);
  expect(expected.length).toBeGreaterThan(1);
  expect(toolNames(card)).toEqual(expected);
  expect(expected).toContain('ConnectWise');
  expect(cardText(card)).toContain(`${expected.length} tools match \u201cscreen\u201d, page 1 of 1.`);
  expect(card.actions).toEqual([]);

  const none = (await ask('tools zzzq')).card;
  expect(cardText(none)).toContain('No tool matches \u201czzzq\u201d. Type tools for the whole list.');
  expect(none.body.some((b: any) => b.type === 'Table')).toBe(false);
});

test('tools net 2: a page of a filtered list, whose buttons keep the filter', async () => {
  const all = filterTools([...catalog.tools].sort((a, b) => a.name.localeCompare(b.name)), 'net').map((t) => t.name);
  const { card, messageId } = await ask('tools net 2');
  expect(toolNames(card)).toEqual(all.slice(15, 30));
  const next = card.actions.find((a: any) => a.title === 'Next');
  expect(next.data).toEqual({ page: 3, filter: 'net' });
  const res = await bot.post(execute(bot.connector.url, next.verb, next.data, messageId));
  expect(res.status).toBe(200);
  expect(toolNames(res.body.value)).toEqual(all.slice(30, 45));
  expect(cardText(res.body.value)).toContain(`${all.length} tools match \u201cnet\u201d, page 3 of ${Math.ceil(all.length / 15)}.`);
  const whole = await ask('tools');
  expect(cardText(whole.card)).toContain(`${catalog.tools.length} tools, page 1 of ${Math.ceil(catalog.tools.length / 15)}.`);
});

test('hunt <tool> without a kind runs its default kind: ToDesk, which LOLRMM gives no signer, by its processes', async () => {
  const todesk = catalog.find('todesk')!;
  expect(todesk.fileSignature).toBeUndefined();
  const { card } = await ask('hunt todesk 5d');
  const text = cardText(card);
  expect(text).toContain('ToDesk processes: 1 device');
  expect(text).toContain('ws-ops-203');
  expect(cardText((await ask('hunt todesk 5d net')).card)).toContain('ToDesk network connections: 1 device');
});

test('a kind the tool lacks is answered with the kinds it has, and nothing runs', async () => {
  const { card } = await ask('hunt todesk 5d file');
  const text = cardText(card);
  expect(text).toContain('ToDesk has no file signature hunt');
  expect(text).toContain('Its hunts: process, network. For example: hunt todesk 5d proc or hunt todesk 5d net.');
  expect(text).toContain('hunt \u2039tool\u203a [window] [proc|net] [device \u2039name\u203a] [in \u2039workspace\u203a]');
  expect(text).not.toContain('Hunting');
});
