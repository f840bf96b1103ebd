/**
 * Who may do what: the allowed tenants may use the bot; responders may also exclude and escalate.
 * Everyone else can hunt and read; their clicks are refused politely (and audited by the caller).
 */
import type { AccessConfig, IdList } from '../config';
import type { Actor } from '../store/store';
import type { RequestContext } from './context';
import { UserError } from './user-error';

/** What a refusal tells the person refused. */
export class AccessRefused extends UserError {
  constructor(
    title: string,
    hint: string,
    readonly action: string,
  ) {
    super(title, hint);
    this.name = 'AccessRefused';
  }
}

function allows(list: IdList, id: string | undefined): boolean {
  return list === '*' || (id !== undefined && list.includes(id.toLowerCase()));
}

/** The caller as the store records them: Entra object id (or the channel id when there is none) and name. */
export function actorOf(context: RequestContext): Actor {
  return { aadObjectId: context.caller.aadObjectId ?? context.caller.id, name: context.caller.name };
}

/** Decides access from the configuration. */
export class AccessPolicy {
  constructor(private readonly config: AccessConfig) {}

  /** Throws {@link AccessRefused} when the caller's tenant may not use the bot. */
  checkTenant(context: RequestContext): void {
    if (!allows(this.config.allowedTenants, context.conversation.tenantId)) {
      throw new AccessRefused(
        'HuntOps is not enabled for your organisation',
        'Ask the team that runs HuntOps to add your tenant to HUNT_ALLOWED_TENANTS.',
        'use',
      );
    }
  }

  /** Throws {@link AccessRefused} when the caller may not `action` (exclude, escalate, …). */
  checkResponder(context: RequestContext, action: string): void {
    this.checkTenant(context);
    if (allows(this.config.responders, context.caller.aadObjectId)) return;
    const hint =
      this.config.responders !== '*' && this.config.responders.length === 0
        ? 'No responders are configured yet, so nobody may. An administrator sets HUNT_RESPONDERS to the Microsoft Entra object ids of the responders (or * for everyone).'
        : 'Only responders may. Ask an administrator to add your Microsoft Entra object id to HUNT_RESPONDERS.';
    throw new AccessRefused(`You can't ${action} here`, hint, action);
  }
}
