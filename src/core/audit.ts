/**
 * The audit trail: who (Entra object id and name), when, where (conversation), what, and how it
 * ended, in the caller's tenant. One vocabulary of actions serves success, refusal and failure alike
 * (`exclude` is recorded whether the exclusion was made or refused), so the trail can be filtered by
 * action. Recording never fails the action it describes; a store failure is logged loudly instead.
 *
 * Only validated values reach an entry: the caller as `actorOf` checks it, a conversation id of the
 * shape Teams gives (else `(unrecognised)`), and details the routes build from parsed requests.
 * Outsiders cannot grow the trail: refusals of a tenant that may not use HuntOps are counted, one
 * entry per tenant per hour, naming nothing but the tenant id (when it is one) and the hour.
 */
import type { AuditEntry, Store } from '../store/store';
import type { LimitRefusal } from './hunt-limits';
import { actorOf } from './access';
import type { RequestContext } from './context';
import type { Log } from './log';
import { callerTenant, tenantLabel } from './tenant-scope';

/**
 * Every audited action, with the phrase people read: on the audit card ("Ada: exclude devices")
 * and in a refusal ("You can't exclude devices here").
 */
export const AUDIT_ACTIONS = {
  use: 'use HuntOps',
  hunt: 'hunt',
  check: 'check a device',
  details: 'open Details',
  exclude: 'exclude devices',
  unexclude: 'remove exclusions',
  escalate: 'escalate',
  'set-incident-channel': 'set the incident channel',
  'close-incident': 'close incidents',
  'retry-sentinel': 'retry in Microsoft Sentinel',
  'sync-exclusions': 'sync exclusions with Microsoft Sentinel',
  audit: 'read the audit trail',
  'post-escalation': 'post an escalation',
  watch: 'create watches',
  unwatch: 'stop watches',
  'watch-post': "post a watch's new devices",
  'post-watch': "deliver a watch's post",
  sanction: 'sanction tools',
  unsanction: 'remove sanctions',
  sentinel: 'write to Microsoft Sentinel',
} as const;

/** An audited action. */
export type AuditAction = keyof typeof AUDIT_ACTIONS;

/** How an audited action ended. */
export type AuditOutcome = AuditEntry['outcome'];

/** What an entry records about the action: validated values only, never raw input. */
export type AuditDetails = Readonly<Record<string, string | number | boolean | null | undefined | object>>;

function isAuditAction(action: string): action is AuditAction {
  return Object.hasOwn(AUDIT_ACTIONS, action);
}

/** The phrase of a stored action; actions of older versions are shown as they were stored. */
export function auditActionPhrase(action: string): string {
  return isAuditAction(action) ? AUDIT_ACTIONS[action] : action;
}

const CONVERSATION_ID = /^[A-Za-z0-9:;=@._-]{1,256}$/;
const HOUR_MS = 3_600_000;

/** Who a counted refusal of another tenant is recorded as. */
const OUTSIDER = Object.freeze({ aadObjectId: '(another tenant)', name: 'Another tenant' });

/** A conversation id as entries record it: as Teams shapes them, else `(unrecognised)`. */
export function auditedConversation(context: RequestContext): string {
  const { id } = context.conversation;
  return CONVERSATION_ID.test(id) ? id : '(unrecognised)';
}

/** The start of the hour `at` is in, as ISO 8601. */
function hourOf(at: Date): string {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS).toISOString();
}

/** Appends audit entries for requests. */
export class Auditor {
  constructor(
    private readonly store: Store,
    private readonly log: Log,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Records `action` by the caller of `context`, in the caller's tenant. */
  async record(context: RequestContext, action: AuditAction, details: AuditDetails, outcome: AuditOutcome = 'ok'): Promise<void> {
    const conversationId = auditedConversation(context);
    try {
      await this.store.appendAudit({ tenant: callerTenant(context), actor: actorOf(context), conversationId, action, details, outcome });
    } catch (error) {
      this.log.error({ err: error, action, outcome, conversation: conversationId }, 'could not write the audit entry');
    }
  }

  /**
   * Counts a refusal by a limit (`hunt-limits.ts`): one entry per caller, action and hour, in the
   * caller's tenant, naming the limit.
   */
  async limited(context: RequestContext, action: AuditAction, refusal: LimitRefusal): Promise<void> {
    const actor = actorOf(context);
    const tenant = callerTenant(context);
    const hour = hourOf(this.now());
    try {
      await this.store.countAudit({
        key: `limited:${tenant}:${actor.aadObjectId}:${action}:${hour}`,
        tenant,
        actor,
        conversationId: auditedConversation(context),
        action,
        details: { limit: refusal.kind, max: refusal.limit, hour },
        outcome: 'refused',
      });
    } catch (error) {
      this.log.error({ err: error, action }, 'could not count the refusal');
    }
  }

  /**
   * Counts a refusal of a caller whose tenant may not use HuntOps: one entry per tenant per hour,
   * listed to every tenant (it is the operators' news), holding the tenant id and the hour only.
   */
  async refusedTenant(context: RequestContext): Promise<void> {
    const tenant = tenantLabel(context.conversation.tenantId);
    const hour = hourOf(this.now());
    try {
      await this.store.countAudit({
        key: `use-refused:${tenant}:${hour}`,
        actor: OUTSIDER,
        conversationId: `tenant:${tenant}`,
        action: 'use',
        details: { tenant, hour },
        outcome: 'refused',
      });
    } catch (error) {
      this.log.error({ err: error, tenant }, 'could not count the refusal');
    }
  }
}
