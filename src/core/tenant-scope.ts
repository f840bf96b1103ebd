/**
 * The tenant scope of a request: what exclusions, incidents, the audit and watches are kept per.
 * When several tenants may use HuntOps, what one tenant does never shows in, or changes, another's.
 */
import type { RequestContext } from './context';

/** The scope of a tenant id: the id as Teams sends it, or `local` outside Teams (the CLI, tests). */
export function tenantScope(tenantId: string | undefined): string {
  return tenantId ?? 'local';
}

/** The tenant scope of the caller. */
export function callerTenant(context: RequestContext): string {
  return tenantScope(context.conversation.tenantId);
}
