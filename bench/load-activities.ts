/**
 * The load bench's requests: Teams-shaped personal-chat messages (from `test/support/teams-activities.ts`),
 * each with an activity id unique to the run, spread round-robin over N conversations.
 */
import { message } from '../test/support/teams-activities';
import type { Outgoing } from './load-client';

/** Options of {@link messages}. */
export interface MessagesOptions {
  /** The fake connector's URL (the activities' `serviceUrl`). */
  readonly serviceUrl: string;
  /** What the analyst types. */
  readonly text: string;
  readonly count: number;
  /** Distinct conversations the messages are spread over. */
  readonly conversations: number;
  /** Makes ids unique to this phase, e.g. `huntops-burst-2`. */
  readonly tag: string;
}

/** `count` message activities, serialized. */
export function messages(options: MessagesOptions): Outgoing[] {
  return Array.from({ length: options.count }, (_, i) => {
    const activity = message(options.serviceUrl, options.text, 'personal');
    const id = `${options.tag}-${i}`;
    const conversation = { ...activity.conversation, id: `a:1bench-conversation-${i % options.conversations}` };
    return { id, json: JSON.stringify({ ...activity, id, conversation }) };
  });
}
