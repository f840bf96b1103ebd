/**
 * Posts outbox items into Teams: a new incident starts a thread in the incident channel, later
 * escalations reply in it, a watch's post (`post`) goes into the conversation the watch was set in
 * (its stored reference: a chat, or the channel thread). An incident's closing note first shows the
 * thread's root card closed (an in-place update: repeating it changes nothing), then replies. Within
 * Teams' limits per conversation (7 messages a second, 60 in 30 s); a 429 or 5xx becomes a retryable
 * {@link PostFailure} honouring Retry-After, other refusals are final.
 */
import Bottleneck from 'bottleneck';
import { ActivityTypes, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { readIncidentTarget, type IncidentTarget } from '../core/incident-target';
import { PostFailure, type OutboxPoster } from '../core/outbox-worker';
import { closedRootView, outboxView } from '../core/presenters/escalation-views';
import type { View } from '../core/views';
import type { ClaimedOutboxItem } from '../store/store';
import { cardActivity } from './card-activity';
import { ServiceUrlRefused } from './service-url';
import { inConversation } from './proactive';
import { storedReference } from './stored-reference';

/** Teams' documented per-conversation limits, with a little headroom. */
export const TEAMS_LIMITS = Object.freeze({ minTimeMs: 150, perThirtySeconds: 60 });

function retryAfterMs(error: { response?: { headers?: { get?(name: string): string | undefined } } }): number | undefined {
  const header = error.response?.headers?.get?.('retry-after');
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The failure a connector error stands for. */
export function postFailureOf(error: unknown): PostFailure {
  if (error instanceof ServiceUrlRefused) return new PostFailure(error.message, { retryable: false });
  const status = (error as { statusCode?: unknown }).statusCode;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof status !== 'number') return new PostFailure(`Teams could not be reached: ${message}`, { retryable: true });
  const after = retryAfterMs(error as never);
  const retryable = status === 429 || status === 408 || status >= 500;
  return new PostFailure(`Teams answered ${status}: ${message}`, { retryable, ...(after !== undefined ? { retryAfterMs: after } : {}) });
}

/** The Teams side of the outbox. */
export class TeamsOutboxPoster implements OutboxPoster {
  private readonly limiter = new Bottleneck.Group({
    maxConcurrent: 1,
    minTime: TEAMS_LIMITS.minTimeMs,
    reservoir: TEAMS_LIMITS.perThirtySeconds,
    reservoirRefreshAmount: TEAMS_LIMITS.perThirtySeconds,
    reservoirRefreshInterval: 30_000,
  });

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  async post(item: ClaimedOutboxItem): Promise<{ readonly activityId: string }> {
    if (item.kind === 'post') return this.postToConversation(item);
    const target = readIncidentTarget(item.target);
    if (!target) throw new PostFailure('the outbox item names no incident channel', { retryable: false });
    const view = outboxView(item.payload, item.kind);
    if (!view) throw new PostFailure('the outbox item carries nothing this version can post', { retryable: false });
    const conversationId = item.kind === 'new-thread' ? target.channelId : `${target.channelId};messageid=${item.threadRootActivityId ?? ''}`;
    const root = item.kind === 'reply' && item.threadRootActivityId ? closedRootView(item.payload) : undefined;
    const post = { target, view, conversationId, ...(root ? { root: { view: root, activityId: item.threadRootActivityId! } } : {}) };
    return this.limiter.key(target.channelId).schedule(() => this.send(item, post));
  }

  /** A watch's post, into the conversation of its stored reference. */
  private async postToConversation(item: ClaimedOutboxItem): Promise<{ readonly activityId: string }> {
    let reference: Partial<ConversationReference>;
    try {
      reference = storedReference(item.target);
    } catch (error) {
      throw new PostFailure(error instanceof Error ? error.message : String(error), { retryable: false });
    }
    const view = outboxView(item.payload, item.kind);
    if (!view) throw new PostFailure('the outbox item carries nothing this version can post', { retryable: false });
    const conversationId = reference.conversation!.id;
    const activity = cardActivity(view);
    return this.limiter.key(conversationId.split(';')[0]!).schedule(async () => {
      let activityId: string | undefined;
      try {
        activityId = await inConversation(this.adapter, this.appId, reference, async (context) => {
          const client = context.turnState.get<ConnectorClient>(this.adapter.ConnectorClientKey);
          return (await client.conversations.sendToConversation(conversationId, activity)).id;
        });
      } catch (error) {
        throw postFailureOf(error);
      }
      if (!activityId) throw new PostFailure('Teams did not say which message it created', { retryable: false });
      return { activityId };
    });
  }

  private async send(
    item: ClaimedOutboxItem,
    post: { target: IncidentTarget; view: View; conversationId: string; root?: { view: View; activityId: string } },
  ): Promise<{ activityId: string }> {
    const { target, conversationId, root } = post;
    let reference: Partial<ConversationReference>;
    try {
      reference = storedReference(target.reference);
    } catch (error) {
      throw new PostFailure(error instanceof Error ? error.message : String(error), { retryable: false });
    }
    const activity = cardActivity(post.view);
    let activityId: string | undefined;
    try {
      activityId = await inConversation(this.adapter, this.appId, reference, async (context) => {
        const client = context.turnState.get<ConnectorClient>(this.adapter.ConnectorClientKey);
        if (item.kind === 'new-thread') {
          const created = await client.conversations.createConversation({
            isGroup: true,
            bot: reference.bot!,
            channelData: { channel: { id: target.channelId } },
            activity: activity as never,
            ...(reference.conversation?.tenantId ? { tenantId: reference.conversation.tenantId } : {}),
          });
          return created.activityId ?? /;messageid=(.+)$/.exec(created.id ?? '')?.[1];
        }
        if (root) await client.conversations.updateActivity(conversationId, root.activityId, { ...cardActivity(root.view), id: root.activityId, type: ActivityTypes.Message });
        return (await client.conversations.sendToConversation(conversationId, activity)).id;
      });
    } catch (error) {
      throw postFailureOf(error);
    }
    if (!activityId) throw new PostFailure('Teams did not say which message it created', { retryable: false });
    return { activityId };
  }
}
