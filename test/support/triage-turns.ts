/**
 * Whole turns of the triage workflow for tests over the in-process bot: a hunt followed to its result
 * card, clicks on its rows, the incident channel, and waiting for the outbox.
 */
import { cardOf, cardText, type BotHarness } from './bot-harness';
import type { ConnectorCall } from './fake-connector';
import { ANALYST, execute, message, type Where } from './teams-activities';

/** A message the bot posted in answer to one (a reply to the user's message). */
export const posted = (c: ConnectorCall): boolean => (c.kind === 'send' || c.kind === 'reply') && c.status < 300;

/** Runs a hunt; resolves with the result card and the id of its message. */
export async function hunt(bot: BotHarness, text: string, where: Where = 'personal'): Promise<{ card: any; messageId: string; huntId: string }> {
  const before = bot.connector.calls.length;
  await bot.post(message(bot.connector.url, text, where));
  const [progress] = await bot.connector.waitFor((c) => posted(c) && bot.connector.calls.indexOf(c) >= before && cardText(cardOf(c)).includes('Hunting'));
  const [update] = await bot.connector.waitFor((c) => c.kind === 'update' && c.activityId === progress!.responseId);
  const card = cardOf(update!);
  return { card, messageId: update!.activityId!, huntId: /"huntId":"([^"]+)"/.exec(JSON.stringify(card))?.[1] ?? '' };
}

/** The row key of the result row showing `device`. */
export function rowKey(card: any, device: string): string {
  const rows = card.body.flatMap((b: any) => (b.items ?? []).filter((i: any) => i.type === 'Table').flatMap((t: any) => t.rows.slice(1)));
  return /"row":"(\d+)"/.exec(JSON.stringify(rows.find((r: any) => JSON.stringify(r).includes(device))))![1]!;
}

/** Clicks a card button; resolves with the card the bot answered with. */
export async function click(bot: BotHarness, verb: string, data: unknown, messageId: string, options: { readonly from?: typeof ANALYST; readonly where?: Where } = {}): Promise<any> {
  const res = await bot.post(execute(bot.connector.url, verb, data, messageId, options.where ?? 'personal', options.from ?? ANALYST));
  if (res.status !== 200 || res.body?.type !== 'application/vnd.microsoft.card.adaptive') throw new Error(`the click was not answered with a card: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.value;
}

/** Sends a message; resolves with the card the bot answered with. */
export async function say(bot: BotHarness, text: string, where: Where = 'personal', from = ANALYST): Promise<any> {
  const before = bot.connector.calls.length;
  await bot.post(message(bot.connector.url, text, where, from));
  const [answer] = await bot.connector.waitFor((c) => posted(c) && bot.connector.calls.indexOf(c) >= before);
  return cardOf(answer!);
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
