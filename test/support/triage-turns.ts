/**
 * Whole HTTP turns of the triage workflow for tests over the in-process bot: a bot over a small
 * event folder with a clock the test moves, a hunt followed to its result card, clicks on its rows,
 * what a row shows, the incident channel, and waiting for the outbox.
 */
import { createLocalBackend } from '../../src/backends/local';
import { parseWindow } from '../../src/hunt/window';
import { cardOf, cardText, startBot, type BotHarness, type BotOptions } from './bot-harness';
import { cardRows, deviceNameOf, rowKeyOf, type CardRow } from './card-rows';
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

/** A message the bot posted in answer to one (a reply to the user's message). */
export const posted = (c: ConnectorCall): boolean => (c.kind === 'send' || c.kind === 'reply') && c.status < 300;

/** Sends a message; resolves with the card the bot answered with. */
export async function say(bot: BotHarness, text: string, where: Where = 'personal', from = ANALYST): Promise<any> {
  const before = bot.connector.calls.length;
  await bot.post(message(bot.connector.url, text, where, from));
  const [answer] = await bot.connector.waitFor((c) => posted(c) && bot.connector.calls.indexOf(c) >= before);
  return cardOf(answer!);
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

/** The finding rows of a result card, in card order. */
export function deviceRows(card: any): CardRow[] {
  return cardRows(card);
}

/** The row key (button data) of each row, in card order. */
export function rowKeys(card: any): string[] {
  return cardRows(card).map(rowKeyOf);
}

/** The device names of the rows (host name and domain), in card order. */
export function rowNames(card: any): string[] {
  return cardRows(card).map(deviceNameOf);
}

/** The row key of the result row showing `device` (its host name, or host name and domain). */
export function rowKey(card: any, device: string): string {
  const row = cardRows(card).find((r) => r.title === device || deviceNameOf(r) === device);
  if (!row) throw new Error(`no row of ${device} on the card`);
  return rowKeyOf(row);
}

/** Clicks a card button; resolves with the card the bot answered with. */
export async function click(bot: BotHarness, verb: string, data: unknown, messageId: string, options: { readonly from?: typeof ANALYST; readonly where?: Where } = {}): Promise<any> {
  const res = await bot.post(execute(bot.connector.url, verb, data, messageId, options.where ?? 'personal', options.from ?? ANALYST));
  if (res.status !== 200 || res.body?.type !== 'application/vnd.microsoft.card.adaptive') throw new Error(`the click was not answered with a card: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.value;
}

/** `incident channel here` in the test channel. */
export async function setIncidentChannel(bot: BotHarness): Promise<void> {
  const answer = await say(bot, 'incident channel here', 'channel');
  if (!cardText(answer).includes('Incident channel set')) throw new Error(`the incident channel was not set: ${cardText(answer)}`);
}

/** Checks `condition` every 50 ms until it holds; throws after `timeoutMs`. */
export async function waitUntil(condition: () => Promise<boolean> | boolean, what = 'the condition', timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every Action.Execute of a card: title, verb and data. */
export function executes(card: unknown): Array<{ title: string; verb: string; data: any }> {
  const found: Array<{ title: string; verb: string; data: any }> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const node = v as Record<string, unknown>;
      if (node.type === 'Action.Execute') found.push({ title: node.title as string, verb: node.verb as string, data: node.data });
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  return found;
}
