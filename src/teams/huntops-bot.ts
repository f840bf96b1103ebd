/**
 * The Teams face of HuntOps: messages and `Action.Execute` invokes in, cards out. Decides whether a
 * core reply is a new message, an in-place update or an invoke response (for a card action: the
 * answer replaces the clicked card, or — for replies placed as a new message, like Details — is
 * posted beneath it, in its thread in a channel); nothing else.
 */
import {
  ActivityHandler,
  ActivityTypes,
  StatusCodes,
  TurnContext,
  type Activity,
  type CloudAdapter,
  type ConversationReference,
  type InvokeResponse,
} from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { HuntOpsApp } from '../core/app';
import type { Log } from '../core/log';
import type { DeferredReply, NewMessage, Reply } from '../core/reply';
import type { View } from '../core/views';
import { renderCard } from '../cards/render';
import { commandText, requestContext } from './activity-context';
import { cardActivity } from './card-activity';
import type { InFlight } from './in-flight';
import type { MessageUpdater } from './message-updater';
import type { TurnGate } from './turn-gate';

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
/** An invoke answer that shows a short message and leaves the clicked card as it is. */
const ACTIVITY_MESSAGE = 'application/vnd.microsoft.activity.message';
const ANSWERED_BELOW = 'Working on it: the answer is posted in this conversation.';

/** What the bot needs. */
export interface HuntOpsBotDeps {
  readonly app: HuntOpsApp;
  readonly updater: MessageUpdater;
  readonly inFlight: InFlight;
  /** Starts work that follows a turn once other turns have been answered. */
  readonly gate: TurnGate;
  readonly log: Log;
}

/** Parses an `adaptiveCard/action` invoke value without trusting its shape. */
function actionOf(activity: Activity): { verb: unknown; data: unknown } | undefined {
  const value: unknown = activity.value;
  if (typeof value !== 'object' || value === null) return undefined;
  const action: unknown = (value as { action?: unknown }).action;
  if (typeof action !== 'object' || action === null) return undefined;
  const { type, verb, data } = action as { type?: unknown; verb?: unknown; data?: unknown };
  return type === 'Action.Execute' ? { verb, data } : undefined;
}

/** The activity handler. */
export class HuntOpsBot extends ActivityHandler {
  constructor(private readonly deps: HuntOpsBotDeps) {
    super();
    this.onMessage(async (context, next) => {
      const reply = await deps.app.handleMessage(commandText(context.activity), requestContext(context.activity));
      await this.deliver(context, reply);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botJoined = (context.activity.membersAdded ?? []).some((m) => m.id === context.activity.recipient?.id);
      if (botJoined && context.activity.conversation?.conversationType === 'personal') {
        await this.deliver(context, await deps.app.handleMessage('help', requestContext(context.activity)));
      }
      await next();
    });
  }

  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const action = actionOf(context.activity);
    if (!action) {
      return {
        status: StatusCodes.BAD_REQUEST,
        body: { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'Only Action.Execute is supported' } },
      };
    }
    const reply = await this.deps.app.handleAction(action.verb, action.data, requestContext(context.activity));
    if (reply.placement?.kind === 'new-message') return this.answerBeneath(context, reply, reply.placement);
    // The invoke's replyToId is untrusted: only a message the core names from its store is updated.
    if (reply.kind === 'deferred' && reply.messageId) this.runDeferred(context, reply, reply.messageId);
    if (reply.kind === 'deferred' && !reply.messageId) {
      // Work that names no stored message (the sync card's Add them again) answers in a new message
      // of its own, updated as it goes; the clicked card stays as it is.
      await this.deliver(context, reply);
      return { status: StatusCodes.OK, body: { statusCode: 200, type: ACTIVITY_MESSAGE, value: ANSWERED_BELOW } };
    }
    if (reply.kind === 'view' && reply.everyone && reply.messageId) {
      this.track(this.deps.updater.update(TurnContext.getConversationReference(context.activity), reply.messageId, reply.everyone), reply.messageId);
    }
    const view = reply.kind === 'view' ? reply.view : reply.progress;
    return { status: StatusCodes.OK, body: { statusCode: 200, type: ADAPTIVE_CARD, value: renderCard(view) } };
  }

  /**
   * Answers a card action with a new message in the conversation the card is in (in a channel, its
   * thread: a card action's conversation names the thread), leaving the clicked card as it is; the
   * clicker is told the placement's acknowledgement. A deferred answer's message is then updated in
   * place like a hunt's.
   */
  private async answerBeneath(context: TurnContext, reply: Reply, placement: NewMessage): Promise<InvokeResponse> {
    const reference = TurnContext.getConversationReference(context.activity);
    const conversationId = reference.conversation?.id ?? context.activity.conversation.id;
    const client = context.turnState.get<ConnectorClient>((context.adapter as CloudAdapter).ConnectorClientKey);
    const view = reply.kind === 'view' ? reply.view : reply.progress;
    const sent = await client.conversations.sendToConversation(conversationId, { ...cardActivity(view), type: ActivityTypes.Message } as Activity);
    if (reply.kind === 'deferred' && sent.id) this.runDeferredIn(reference, reply, sent.id);
    return { status: StatusCodes.OK, body: { statusCode: 200, type: ACTIVITY_MESSAGE, value: placement.acknowledgement } };
  }

  private async deliver(context: TurnContext, reply: Reply): Promise<void> {
    if (reply.kind === 'view') {
      await context.sendActivity(cardActivity(reply.view));
      return;
    }
    const sent = await context.sendActivity(cardActivity(reply.progress));
    if (sent?.id) this.runDeferred(context, reply, sent.id);
  }

  /** Runs a deferred reply's work outside the turn, updating message `messageId` as it goes. */
  private runDeferred(context: TurnContext, reply: DeferredReply, messageId: string): void {
    this.runDeferredIn(TurnContext.getConversationReference(context.activity), reply, messageId);
  }

  /**
   * As {@link runDeferred}; each stretch of the work (starting it, handling a query's result,
   * updating the card) waits until no turn is being handled (see `TurnGate`).
   */
  private runDeferredIn(reference: Partial<ConversationReference>, reply: DeferredReply, messageId: string): void {
    const { gate, updater } = this.deps;
    const update = (view: View) => updater.update(reference, messageId, view);
    const done = gate.whenIdle(() => reply.complete({ messageId }, update, () => gate.idle())).then((view) => gate.whenIdle(() => update(view)));
    this.track(done, messageId);
  }

  private track(work: Promise<unknown>, messageId: string): void {
    this.deps.inFlight.track(work.catch((error: unknown) => this.deps.log.error({ err: error, messageId }, 'could not update the message')));
  }
}
