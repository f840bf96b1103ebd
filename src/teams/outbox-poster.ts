/**
 * Posts outbox items into Teams: a new incident starts a thread in the incident channel, later
 * escalations reply in it. Within Teams' limits per conversation (7 messages a second, 60 in 30 s);
 * a 429 or 5xx becomes a retryable {@link PostFailure} honouring Retry-After, other refusals are final.
 * A card Teams refuses for its size (413 `MessageSizeTooBig`) is posted again at once, reduced to a
 * short notice (`reducedOutboxView`); if even that is refused, the refusal is final.
 */
import Bottleneck from 'bottleneck';
import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { readIncidentTarget, type IncidentTarget } from '../core/incident-target';
import { PostFailure, type OutboxPoster } from '../core/outbox-worker';
import { outboxView, reducedOutboxView } from '../core/presenters/escalation-views';
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

/** True when Teams refused the message for its size. */
export function isTooLarge(error: unknown): boolean {
  return (error as { statusCode?: unknown }).statusCode === 413;
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

/** Teams refused a message for its size (413 `MessageSizeTooBig`). */
class TooLarge extends Error {
  constructor(message: string) {
    super(`Teams answered 413: ${message}`);
    this.name = 'TooLarge';
  }
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

  async post(item: ClaimedOutboxItem): Promise<{ readonly activityId: string; readonly reduced?: boolean }> {
    const target = readIncidentTarget(item.target);
    if (!target) throw new PostFailure('the outbox item names no incident channel', { retryable: false });
    const view = outboxView(item.payload);
    if (!view) throw new PostFailure('the outbox item carries nothing this version can post', { retryable: false });
    const conversationId = item.kind === 'new-thread' ? target.channelId : `${target.channelId};messageid=${item.threadRootActivityId ?? ''}`;
    const send = (shown: View) => this.limiter.key(target.channelId).schedule(() => this.send(item, { target, view: shown, conversationId }));
    try {
      return await send(view);
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
    }
    try {
      return { ...(await send(reducedOutboxView(item.payload))), reduced: true };
    } catch (error) {
      if (error instanceof TooLarge) throw new PostFailure(`Teams refused even the reduced card for its size: ${error.message}`, { retryable: false });
      throw error;
    }
  }

  private async send(item: ClaimedOutboxItem, post: { target: IncidentTarget; view: View; conversationId: string }): Promise<{ activityId: string }> {
    const { target, conversationId } = post;
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
        return (await client.conversations.sendToConversation(conversationId, activity)).id;
      });
    } catch (error) {
      if (isTooLarge(error)) throw new TooLarge(error instanceof Error ? error.message : String(error));
      throw postFailureOf(error);
    }
    if (!activityId) throw new PostFailure('Teams did not say which message it created', { retryable: false });
    return { activityId };
  }
}
