/**
 * Who may do what: the allowed tenants may use the bot; responders may also change exclusions,
 * escalate and read the audit trail. Everyone else can hunt and read; the route pipeline refuses
 * them politely (and audits the refusal).
 */
import type { Actor } from '../store/store';
import type { RequestContext } from './context';

/** A list of ids (lower case), or `*` for everyone. */
export type IdList = '*' | readonly string[];

/** Who may use the bot and who may respond (the configuration's `access`). */
export interface AccessRules {
  /** Tenant ids whose people may use the bot. */
  readonly allowedTenants: IdList;
  /** Microsoft Entra object ids of the responders. */
  readonly responders: IdList;
}

/** What a refusal tells the person refused. */
export interface Refusal {
  readonly title: string;
  readonly hint: string;
}

function allows(list: IdList, id: string | undefined): boolean {
  return list === '*' || (id !== undefined && list.includes(id.toLowerCase()));
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHANNEL_ID = /^[A-Za-z0-9:._@-]{1,128}$/;
const MAX_NAME = 100;

/** A display name as records keep it: no control or format characters, spaces folded, at most 100 characters. */
export function recordedName(name: string): string {
  const clean = name.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '').replace(/\s+/g, ' ').trim();
  if (clean.length === 0) return '(no name)';
  return clean.length > MAX_NAME ? `${Array.from(clean).slice(0, MAX_NAME - 1).join('')}…` : clean;
}

/**
 * The caller as the store records them (exclusions, hunts, escalations, the audit), from validated
 * values only: the Entra object id (a GUID, lower case), else the channel's user id when it has the
 * shape of one, else `(unverified)`; and the display name as {@link recordedName} keeps it.
 */
export function actorOf(context: RequestContext): Actor {
  const { aadObjectId, id, name } = context.caller;
  const identity = aadObjectId !== undefined && GUID.test(aadObjectId) ? aadObjectId.toLowerCase() : CHANNEL_ID.test(id) && aadObjectId === undefined ? id : '(unverified)';
  return { aadObjectId: identity, name: recordedName(name) };
}

/** Decides access from the configuration. */
export class AccessPolicy {
  constructor(private readonly rules: AccessRules) {}

  /** Why the caller's tenant may not use the bot, or undefined when it may. */
  tenantRefusal(context: RequestContext): Refusal | undefined {
    if (allows(this.rules.allowedTenants, context.conversation.tenantId)) return undefined;
    return {
      title: 'HuntOps is not enabled for your organisation',
      hint: 'Ask the team that runs HuntOps to add your tenant to HUNT_ALLOWED_TENANTS.',
    };
  }

  /** Why the caller may not `phrase` (exclude devices, escalate, …), or undefined when they are a responder. */
  responderRefusal(context: RequestContext, phrase: string): Refusal | undefined {
    if (allows(this.rules.responders, context.caller.aadObjectId)) return undefined;
    const hint =
      this.rules.responders !== '*' && this.rules.responders.length === 0
        ? 'No responders are configured yet, so nobody may. An administrator sets HUNT_RESPONDERS to the Microsoft Entra object ids of the responders (or * for everyone).'
        : 'Only responders may. Ask an administrator to add your Microsoft Entra object id to HUNT_RESPONDERS.';
    return { title: `You can't ${phrase} here`, hint };
  }
}
