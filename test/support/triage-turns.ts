/**
 * Whole HTTP turns for triage tests: a bot over a small event folder with a clock the test moves,
 * a hunt that resolves with its result card, clicks on its rows, and what a row shows.
 */
import { createLocalBackend } from '../../src/backends/local';
import { parseWindow } from '../../src/hunt/window';
import { cardOf, cardText, startBot, type BotHarness, type BotOptions } from './bot-harness';
import type { ConnectorCall } from './fake-connector';
import type { EventFolder } from './event-files';
import { ANALYST, execute, message, type Where } from './teams-activities';

/** The time the harness's clock starts at. */
export const START = new Date('2026-11-29T12:00:00Z');

/** A bot over `events`, with a clock the test moves. */
export async function triageBot(events: EventFolder, options: Partial<BotOptions> = {}): Promise<{ bot: BotHarness; advance: (ms: number) => Date }> {
  let now = START;
  const clock = () => now;
  const bot = await startBot({
    backend: createLocalBackend({ dataDir: events.dir, now: clock, maxWindow: parseWindow('30d')!, label: 'test data' }),
    now: clock,
    ...options,
  });
  return { bot, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

/** A message the bot posted in answer to one. */
export const posted = (c: ConnectorCall): boolean => (c.kind === 'send' || c.kind === 'reply') && c.status < 300;

/** Sends a message; resolves with the card of the bot's answer. */
export async function say(bot: BotHarness, text: string, where: Where = 'personal', from = ANALYST): Promise<{ card: any; call: ConnectorCall }> {
  const before = bot.connector.calls.length;
  await bot.post(message(bot.connector.url, text, where, from));
  const [call] = await bot.connector.waitFor((c) => posted(c) && bot.connector.calls.indexOf(c) >= before);
  return { card: cardOf(call!), call: call! };
}

/** Runs a hunt; resolves with the result card, the id of its message and the hunt id. */
export async function hunt(bot: BotHarness, text: string, where: Where = 'personal', from = ANALYST): Promise<{ card: any; messageId: string; huntId: string }> {
  const before = bot.connector.calls.length;
  await bot.post(message(bot.connector.url, text, where, from));
  const [progress] = await bot.connector.waitFor((c) => posted(c) && bot.connector.calls.indexOf(c) >= before && /Hunting|RMM tools on/.test(cardText(cardOf(c))));
  const [update] = await bot.connector.waitFor((c) => c.kind === 'update' && c.activityId === progress!.responseId);
  const card = cardOf(update!);
  return { card, messageId: update!.activityId!, huntId: /"huntId":"([^"]+)"/.exec(JSON.stringify(card))?.[1] ?? '' };
}

/** The device rows of a result card (every group's table, header rows left out). */
export function deviceRows(card: any): any[] {
  return card.body.flatMap((b: any) => (b.items ?? []).filter((i: any) => i.type === 'Table').flatMap((t: any) => t.rows.slice(1)));
}

/** The row key (button data) of each row, in card order. */
export function rowKeys(card: any): string[] {
  return deviceRows(card).map((r: any) => /"row":"(\d+)"/.exec(JSON.stringify(r))?.[1] ?? '');
}

/** The device names of the rows, in card order. */
export function rowNames(card: any): string[] {
  return deviceRows(card).map((r: any) => r.cells[0].items[0].text);
}

/** Clicks a button of a card; resolves with the card the invoke answered with. */
export async function click(bot: BotHarness, verb: string, data: unknown, messageId: string, from = ANALYST, where: Where = 'personal'): Promise<any> {
  const res = await bot.post(execute(bot.connector.url, verb, data, messageId, where, from));
  if (res.status !== 200 || res.body?.type !== 'application/vnd.microsoft.card.adaptive') throw new Error(`the click answered ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body.value;
}

/** Waits until `condition` holds (polling). */
export async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
