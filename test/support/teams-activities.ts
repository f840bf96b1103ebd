/**
 * Teams-shaped activities, as Teams posts them to a bot: personal chat, group chat, channel thread
 * with an @mention, and `Action.Execute` invokes.
 */
import { randomUUID } from 'node:crypto';

export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const BOT = { id: '28:00000000-1111-2222-3333-444444444444', name: 'HuntOps' };
export const ANALYST = { id: '29:1analyst', name: 'Ada Analyst', aadObjectId: '6d1f1a2e-7c43-4c1e-9d0f-1a2b3c4d5e6f' };
export const CHANNEL_ID = '19:socHunting@thread.tacv2';
export const TEAM_ID = '19:socTeam@thread.tacv2';

/** Where an activity happens. */
export type Where = 'personal' | 'groupChat' | 'channel';

function conversation(where: Where, rootId: string) {
  switch (where) {
    case 'personal':
      return { conversationType: 'personal', tenantId: TENANT_ID, id: 'a:1personal-chat-with-ada' };
    case 'groupChat':
      return { conversationType: 'groupChat', tenantId: TENANT_ID, id: '19:groupchat-soc@thread.v2', isGroup: true };
    case 'channel':
      return { conversationType: 'channel', tenantId: TENANT_ID, id: `${CHANNEL_ID};messageid=${rootId}`, isGroup: true };
  }
}

function base(serviceUrl: string, where: Where, from = ANALYST, threadRoot?: string) {
  const id = String(Date.now()) + String(Math.floor(Math.random() * 1000));
  return {
    id,
    timestamp: new Date().toISOString(),
    localTimestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from,
    conversation: conversation(where, threadRoot ?? id),
    recipient: BOT,
    locale: 'en-US',
    channelData: {
      tenant: { id: TENANT_ID },
      ...(where === 'channel' ? { teamsChannelId: CHANNEL_ID, teamsTeamId: TEAM_ID, channel: { id: CHANNEL_ID }, team: { id: TEAM_ID } } : {}),
    },
  };
}

/** A message; in group chats and channels it @mentions the bot as Teams does. */
export function message(serviceUrl: string, text: string, where: Where = 'personal', from = ANALYST) {
  const mentioned = where !== 'personal';
  const mention = `<at>${BOT.name}</at>`;
  return {
    ...base(serviceUrl, where, from),
    type: 'message',
    textFormat: 'plain',
    text: mentioned ? `${mention} ${text}` : text,
    entities: [
      ...(mentioned ? [{ type: 'mention', text: mention, mentioned: BOT }] : []),
      { type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Berlin' },
    ],
  };
}

/**
 * An `Action.Execute` click on a card the bot posted as `replyToId`. In a channel, Teams sends the
 * click in the card's thread (`<channel>;messageid=<root>`): `thread` is the id of the thread's root
 * message, by default the card itself (a card that opened its thread, like an incident's root card).
 */
export function execute(serviceUrl: string, verb: unknown, data: unknown, replyToId: string, where: Where = 'personal', from = ANALYST, thread = replyToId) {
  return {
    ...base(serviceUrl, where, from, thread),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId,
    value: { action: { type: 'Action.Execute', id: randomUUID(), verb, data }, trigger: 'manual' },
  };
}
