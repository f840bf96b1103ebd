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
 * with `everyone`, the transport also updates the card for everyone in the conversation with the
 * view `everyone` resolves to (called when the update is sent, so it shows the latest state).
 */
export interface ViewReply {
  readonly kind: 'view';
  readonly view: View;
  readonly everyone?: () => Promise<View>;
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
 * message with the view it resolves to. `complete` never rejects: failures are views too.
 */
export interface DeferredReply {
  readonly kind: 'deferred';
  readonly progress: View;
  readonly complete: (posted: PostedMessage, progress: ProgressSink) => Promise<View>;
  /** For a card action: post the progress as a new message instead of replacing the card. */
  readonly placement?: NewMessage;
}

/** Lets long work replace its progress message with a newer progress view (e.g. queued → running). */
export type ProgressSink = (view: View) => Promise<void>;

/** A handler's reply. */
export type Reply = ViewReply | DeferredReply;

/** Shorthand for a {@link ViewReply}. */
export function reply(view: View, everyone?: () => Promise<View>): ViewReply {
  return everyone ? { kind: 'view', view, everyone } : { kind: 'view', view };
}

/** A {@link ViewReply} for a request that did not succeed. */
export function troubleReply(view: View, status: ReplyStatus): ViewReply {
  return { kind: 'view', view, status };
}
