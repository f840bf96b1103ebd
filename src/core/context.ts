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
}

/** What every handler gets about the turn. */
export interface RequestContext {
  readonly caller: Caller;
  readonly conversation: ConversationInfo;
}
