/**
 * Who is asking and where, as the core sees it: plain data, no botbuilder.
 */

/** The person behind a message or a click. */
export interface Caller {
  /** Channel user id (Teams `29:...`), always present. */
  readonly id: string;
  /** Microsoft Entra object id, when the channel gives one (Teams does). */
  readonly aadObjectId?: string;
  /** Display name. */
  readonly name: string;
}

/** Kind of conversation, as Teams names them. */
export type ConversationKind = 'personal' | 'groupChat' | 'channel';

/** Where a message came from. */
export interface ConversationInfo {
  /** Conversation id (a channel thread carries `;messageid=<root id>`). */
  readonly id: string;
  readonly kind: ConversationKind;
  readonly tenantId?: string;
  /** Team id, in channels. */
  readonly teamId?: string;
  /** The channel's own id (`19:…@thread.tacv2`, no thread suffix), in channels. */
  readonly channelId?: string;
}

/** What every handler gets about the turn. */
export interface RequestContext {
  readonly caller: Caller;
  readonly conversation: ConversationInfo;
  /** The activity id of the message or click, when the transport has one: an idempotency key. */
  readonly requestId?: string;
  /**
   * How to reach this conversation again later (a Bot Framework conversation reference in Teams),
   * opaque to the core: stored with hunts and the incident channel, handed back to the transport.
   */
  readonly reference?: unknown;
}
