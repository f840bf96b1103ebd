/**
 * Activities → the core's request context and command text.
 */
import { TurnContext, type Activity } from 'botbuilder';
import type { ConversationKind, RequestContext } from '../core/context';

const KINDS: ReadonlySet<string> = new Set(['personal', 'groupChat', 'channel']);

/** Who and where, from an incoming activity. */
export function requestContext(activity: Activity): RequestContext {
  const type = activity.conversation?.conversationType;
  const kind: ConversationKind = type && KINDS.has(type) ? (type as ConversationKind) : 'personal';
  const tenantId = activity.conversation?.tenantId ?? activity.channelData?.tenant?.id;
  const teamId = activity.channelData?.team?.id;
  const channelId = activity.channelData?.channel?.id ?? activity.channelData?.teamsChannelId;
  return {
    ...(activity.id ? { requestId: activity.id } : {}),
    reference: TurnContext.getConversationReference(activity),
    caller: {
      id: activity.from?.id ?? 'unknown',
      name: activity.from?.name ?? 'unknown',
      ...(activity.from?.aadObjectId ? { aadObjectId: activity.from.aadObjectId } : {}),
    },
    conversation: {
      id: activity.conversation?.id ?? 'unknown',
      kind,
      ...(typeof tenantId === 'string' ? { tenantId } : {}),
      ...(typeof teamId === 'string' ? { teamId } : {}),
      ...(kind === 'channel' && typeof channelId === 'string' ? { channelId } : {}),
    },
  };
}

/** The command text of a message: the bot's @mention removed, HTML spaces folded, trimmed. */
export function commandText(activity: Activity): string {
  const text = TurnContext.removeRecipientMention(activity) ?? activity.text ?? '';
  return text
    .replace(/<at>[^<]*<\/at>/g, ' ')
    .replace(/&nbsp;|\u00a0/g, ' ')
    .trim();
}
