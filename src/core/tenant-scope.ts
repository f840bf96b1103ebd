/**
 * The tenant scope of a request: what exclusions, incidents, the audit, watches and sanctions are
 * kept per.
 * When several tenants may use HuntOps, what one tenant does never shows in, or changes, another's.
 */
import type { RequestContext } from './context';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The scope of a tenant id: the id (a GUID, in lower case, as Teams sends it), `local` outside
 * Teams (the CLI, tests), and `unverified` for anything else (which only anonymous, local use lets in).
 */
export function tenantScope(tenantId: string | undefined): string {
  if (tenantId === undefined) return 'local';
  return GUID.test(tenantId) ? tenantId.toLowerCase() : 'unverified';
}

/** The tenant scope of the caller (the one helper every per-tenant record is kept by). */
export function callerTenant(context: Pick<RequestContext, 'conversation'>): string {
  return tenantScope(context.conversation.tenantId);
}

/** A tenant id as a record of a refusal names it: the GUID, `(none)`, or `(not a tenant id)`. */
export function tenantLabel(tenantId: string | undefined): string {
  if (tenantId === undefined) return '(none)';
  return GUID.test(tenantId) ? tenantId.toLowerCase() : '(not a tenant id)';
}
