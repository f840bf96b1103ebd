/**
 * Work in a conversation outside its turn. CloudAdapter hands errors thrown in the logic to
 * `onTurnError` and resolves anyway; callers here need to know a post failed (to retry it), so the
 * error is carried out and rethrown.
 */
import type { CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';

/** Runs `logic` in the conversation of `reference`; rejects with whatever the logic threw. */
export async function inConversation<T>(
  adapter: CloudAdapter,
  appId: string,
  reference: Partial<ConversationReference>,
  logic: (context: TurnContext) => Promise<T>,
): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  await adapter.continueConversationAsync(appId, reference, async (context) => {
    try {
      outcome = { ok: true, value: await logic(context) };
    } catch (error) {
      outcome = { ok: false, error };
    }
  });
  if (!outcome) throw new Error('the conversation logic did not run');
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
