/**
 * The audit trail: who (Entra object id and name), when, where (conversation), what, and how it
 * ended. One vocabulary of actions serves success, refusal and failure alike (`exclude` is recorded
 * whether the exclusion was made or refused), so the trail can be filtered by action. Recording
 * never fails the action it describes; a store failure is logged loudly instead.
 */
import type { AuditEntry, Store } from '../store/store';
import { actorOf } from './access';
import type { RequestContext } from './context';
import type { Log } from './log';

/**
 * Every audited action, with the phrase people read: on the audit card ("Ada: exclude devices")
 * and in a refusal ("You can't exclude devices here").
 */
export const AUDIT_ACTIONS = {
  use: 'use HuntOps',
  hunt: 'hunt',
  check: 'check a device',
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

/** Appends audit entries for requests. */
export class Auditor {
  constructor(
    private readonly store: Store,
    private readonly log: Log,
  ) {}

  /** Records `action` by the caller of `context`. */
  async record(context: RequestContext, action: AuditAction, details: AuditDetails, outcome: AuditOutcome = 'ok'): Promise<void> {
    try {
      await this.store.appendAudit({ actor: actorOf(context), conversationId: context.conversation.id, action, details, outcome });
    } catch (error) {
      this.log.error({ err: error, action, outcome, conversation: context.conversation.id }, 'could not write the audit entry');
    }
  }
}
