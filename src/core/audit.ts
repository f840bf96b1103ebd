/**
 * The audit trail: who (Entra object id and name), when, where (conversation), what, and how it
 * ended. Recording never fails the action it describes; a store failure is logged loudly instead.
 */
import type { AuditEntry, Store } from '../store/store';
import { actorOf } from './access';
import type { RequestContext } from './context';
import type { Log } from './log';

/** How an audited action ended. */
export type AuditOutcome = AuditEntry['outcome'];

/** Appends audit entries for requests. */
export class Auditor {
  constructor(
    private readonly store: Store,
    private readonly log: Log,
  ) {}

  /** Records `action` by the caller of `context`. */
  async record(context: RequestContext, action: string, details: Record<string, unknown>, outcome: AuditOutcome = 'ok'): Promise<void> {
    try {
      await this.store.appendAudit({ actor: actorOf(context), conversationId: context.conversation.id, action, details, outcome });
    } catch (error) {
      this.log.error({ err: error, action, outcome, conversation: context.conversation.id }, 'could not write the audit entry');
    }
  }
}
