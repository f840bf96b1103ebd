/**
 * Updates a posted message in place, after its turn (`continueConversationAsync` + `updateActivity`).
 * Updates of one message run one at a time and render when they run, so concurrent clicks end with
 * the latest state on the card rather than whichever update Teams happened to receive last. Cards
 * are rendered by the given renderer (the bot's renders off the event loop: `cards/card-renderer.ts`).
 */
import { ActivityTypes, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { AdaptiveCard } from '../cards/render';
import type { View } from '../core/views';
import { cardMessage } from './card-activity';
import { inConversation } from './proactive';

/** Renders a view's card. */
export type RenderCard = (view: View) => Promise<AdaptiveCard>;

/** In-place message updates. */
export class MessageUpdater {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly render: RenderCard,
  ) {}

  /** Replaces message `messageId` with the view (rendered when this update's turn comes). */
  update(reference: Partial<ConversationReference>, messageId: string, view: View | (() => Promise<View>)): Promise<void> {
    const key = `${reference.conversation?.id ?? ''}|${messageId}`;
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const card = await this.render(typeof view === 'function' ? await view() : view);
        await inConversation(this.adapter, this.appId, reference, async (context) => {
          await context.updateActivity({ ...cardMessage(card), id: messageId, type: ActivityTypes.Message });
        });
      });
    // The chain entry never rejects: the caller gets the failure from `next`, and an update nobody
    // follows must not become an unhandled rejection (which ends the process).
    const tracked: Promise<void> = next
      .catch(() => undefined)
      .finally(() => {
        if (this.chains.get(key) === tracked) this.chains.delete(key);
      });
    this.chains.set(key, tracked);
    return next;
  }
}
