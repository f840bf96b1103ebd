/**
 * Conversation references the core kept as opaque JSON (a hunt's conversation, the incident
 * channel), read back through a schema into what botbuilder needs to reach the conversation.
 */
import type { ConversationReference } from 'botbuilder';
import { z } from 'zod';

const ACCOUNT = z.object({ id: z.string(), name: z.string().optional(), aadObjectId: z.string().optional() });

const REFERENCE = z.object({
  serviceUrl: z.string(),
  channelId: z.string(),
  conversation: z.object({
    id: z.string(),
    isGroup: z.boolean().optional(),
    conversationType: z.string().optional(),
    tenantId: z.string().optional(),
    name: z.string().optional(),
  }),
  bot: ACCOUNT.optional(),
  user: ACCOUNT.optional(),
  activityId: z.string().optional(),
  locale: z.string().optional(),
});

/** Thrown when stored JSON is not a conversation reference. */
class StoredReferenceError extends Error {
  constructor() {
    super('the stored conversation reference is not one');
    this.name = 'StoredReferenceError';
  }
}

/** The conversation reference `stored` holds; throws {@link StoredReferenceError} when it holds none. */
export function storedReference(stored: unknown): Partial<ConversationReference> {
  const parsed = REFERENCE.safeParse(stored);
  if (!parsed.success) throw new StoredReferenceError();
  const { serviceUrl, channelId, conversation, bot, user, activityId, locale } = parsed.data;
  const account = (a: z.infer<typeof ACCOUNT>) => ({ id: a.id, name: a.name ?? '', ...(a.aadObjectId ? { aadObjectId: a.aadObjectId } : {}) });
  return {
    serviceUrl,
    channelId,
    conversation: {
      id: conversation.id,
      isGroup: conversation.isGroup ?? false,
      conversationType: conversation.conversationType ?? '',
      name: conversation.name ?? '',
      ...(conversation.tenantId ? { tenantId: conversation.tenantId } : {}),
    },
    ...(bot ? { bot: account(bot) } : {}),
    ...(user ? { user: account(user) } : {}),
    ...(activityId ? { activityId } : {}),
    ...(locale ? { locale } : {}),
  };
}
