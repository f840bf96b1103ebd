/**
 * What handlers return. Only the transport (`teams/`, the CLI) decides whether a reply becomes a new
 * message, an update of an earlier one or an invoke response.
 */
import type { View } from './views';

/** A message the transport has posted, for later in-place updates. */
export interface PostedMessage {
  /** The activity id of the posted message (`cli` in the terminal). */
  readonly messageId: string;
}

/**
 * Where the answer to a card action goes. By default it replaces the clicked card. `new-message`
 * posts it as a new message in the conversation (a reply in the thread, in a channel) and leaves
 * the clicked card as it is; whoever clicked is told `acknowledgement` (Details answers so: the
 * result card stays, the evidence arrives beneath it).
 */
export interface NewMessage {
  readonly kind: 'new-message';
  /** What the clicker is told at once ("Gathering the evidence…"). */
  readonly acknowledgement: string;
}

/**
 * Answer with one view, now. For a card action the view replaces the card for whoever clicked;
 * with `everyone`, the transport also updates message `messageId` for everyone in the conversation
 * with the view `everyone` resolves to (called when the update is sent, so it shows the latest
 * state). `messageId` is a message HuntOps stored (a hunt's card), never the id a card action
 * names: the invoke's `replyToId` is not trusted as the message to overwrite.
 */
export interface ViewReply {
  readonly kind: 'view';
  readonly view: View;
  readonly everyone?: () => Promise<View>;
  /** The stored message `everyone` updates. */
  readonly messageId?: string;
  /** How the request ended when it did not simply succeed (the CLI's exit code reads it). */
  readonly status?: ReplyStatus;
  /** For a card action: post the view as a new message instead of replacing the card. */
  readonly placement?: NewMessage;
}

/**
 * How a request ended: `invalid` when it could not be read (a wrong command, a broken button),
 * `refused` when the caller may not do it, `failed` when it could not be done.
 */
export type ReplyStatus = 'invalid' | 'refused' | 'failed';

/**
 * Answer at once with `progress`, then run `complete` outside the turn and replace the progress
 * message with the view it resolves to. `complete` never rejects: failures are views too. A chat
 * command's progress is a new message; a card action's is the invoke's answer, and `messageId`
 * names the stored message the work then updates; without one, the progress is a new message (the
 * clicked card is left as it is) and the work updates that one.
 */
export interface DeferredReply {
  readonly kind: 'deferred';
  readonly progress: View;
  /** For a card action: the stored message to update (never the invoke's `replyToId`). */
  readonly messageId?: string;
  readonly complete: (posted: PostedMessage, progress: ProgressSink, pace?: Pace) => Promise<View>;
  /** For a card action: post the progress as a new message instead of replacing the card. */
  readonly placement?: NewMessage;
}

/** Lets long work replace its progress message with a newer progress view (e.g. queued → running). */
export type ProgressSink = (view: View) => Promise<void>;

/**
 * Resolves when long work may take the bot's thread for a stretch of its own (handling a query's
 * result: recording it, making its card): in a bot, once no turn is being handled, so that other
 * people's acknowledgements do not queue behind it. Where there are no turns, at once.
 */
export type Pace = () => Promise<void>;

/** A {@link Pace} with nobody to wait for. */
export const NO_PACE: Pace = async () => undefined;

/** A handler's reply. */
export type Reply = ViewReply | DeferredReply;

/** Shorthand for a {@link ViewReply}; `everyone` updates the stored message `messageId`. */
export function reply(view: View, everyone?: { readonly view: () => Promise<View>; readonly messageId: string }): ViewReply {
  return everyone ? { kind: 'view', view, everyone: everyone.view, messageId: everyone.messageId } : { kind: 'view', view };
}

/** A {@link ViewReply} for a request that did not succeed. */
export function troubleReply(view: View, status: ReplyStatus): ViewReply {
  return { kind: 'view', view, status };
}
