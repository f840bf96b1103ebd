/**
 * The tenant a request belongs to, as the store scopes watches and sanctions: its Microsoft Entra
 * tenant id, or `local` where there is none (the CLI, an anonymous local client).
 */
import type { RequestContext } from './context';

/** The tenant scope of `context`. */
export function tenantOf(context: Pick<RequestContext, 'conversation'>): string {
  return context.conversation.tenantId ?? 'local';
}
