/**
 * Delivers the outbox's Sentinel items: an escalation's incident (or comment), an incident's close,
 * an exclusion's watchlist item. Every call is safe to repeat — the incident, comment and item ids
 * are derived from HuntOps ids — so the outbox's at-least-once delivery (a retry, a second
 * instance, a restart after SIGKILL) gives exactly one incident, one comment per escalation, one
 * item per exclusion.
 *
 * Items of an incident are claimed only once its thread has a root in Teams, so the thread's link
 * goes into the incident's description. A failure Sentinel may get over (throttling, 5xx, the
 * deadline) is retried by the outbox, after at least the Retry-After it asked for; any other (403:
 * the bot's identity lacks its role) goes dead at once, and for an incident a card in its thread
 * says why, with Retry.
 */
import { SentinelError } from '../sentinel/sentinel-error';
import { watchlistItemId } from '../sentinel/sentinel-ids';
import type { ClaimedOutboxItem, Store } from '../store/store';
import { mirroredExclusion } from './exclusion-sync';
import { readIncidentTarget } from './incident-target';
import { PostFailure, type OutboxPoster } from './outbox-worker';
import { sentinelRefusedPayload } from './payloads/outbox-payload';
import { readSentinelPayload, type SentinelClosePayload, type SentinelEscalationPayload, type SentinelPayload } from './payloads/sentinel-payload';
import type { SentinelServices } from './sentinel-services';
import { threadLink } from './thread-link';

/**
 * How long the Sentinel worker holds an item: longer than the most calls one item makes (4: the
 * watchlist's check and the item's write, twice when the watchlist was deleted meanwhile) times the
 * client's deadline per call (30 s), so no other instance takes an item that is still being sent.
 */
export const SENTINEL_LEASE_MS = 5 * 60_000;

/** What the Sentinel side of the outbox needs. */
export interface SentinelOutboxDeps {
  readonly store: Store;
  readonly sentinel: Pick<SentinelServices, 'escalator' | 'mirror'>;
  /** Wakes the outbox workers (for the card of a call that failed for good). */
  readonly notifyOutbox: () => void;
}

type IncidentPayload = SentinelEscalationPayload | SentinelClosePayload;

/** The Sentinel side of the outbox. */
export class SentinelOutboxPoster implements OutboxPoster {
  constructor(private readonly deps: SentinelOutboxDeps) {}

  async post(item: ClaimedOutboxItem): Promise<{ readonly activityId: string }> {
    const payload = readSentinelPayload(item.payload);
    if (!payload) throw new PostFailure('the Sentinel item carries nothing this version can send', { retryable: false });
    try {
      return { activityId: await this.send(item, payload) };
    } catch (error) {
      if (!(error instanceof SentinelError)) throw error;
      throw new PostFailure(error.message, { retryable: error.retryable, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) });
    }
  }

  /** For an incident's call that went dead: a card in its thread saying why, with Retry. */
  async gaveUp(item: ClaimedOutboxItem, error: string): Promise<void> {
    if (item.incidentNumber === undefined) return;
    const payload = readSentinelPayload(item.payload);
    const title = payload && payload.kind !== 'sentinel-exclusion' ? payload.incident.title : '';
    await this.deps.store.enqueueOutbox({
      key: `refused:${item.id}`,
      team: item.team,
      kind: 'reply',
      incidentNumber: item.incidentNumber,
      target: item.target,
      payload: sentinelRefusedPayload({ incident: { number: item.incidentNumber, title }, message: error }),
    });
    this.deps.notifyOutbox();
  }

  /** Makes the call; resolves with the id of what it wrote (the item's activity id). */
  private async send(item: ClaimedOutboxItem, payload: SentinelPayload): Promise<string> {
    const { escalator, mirror } = this.deps.sentinel;
    switch (payload.kind) {
      case 'sentinel-escalation': {
        const threadUrl = this.threadUrl(item, payload);
        const result = await escalator.escalate({
          incident: incidentKey(payload),
          opened: payload.opened,
          escalationId: payload.escalationId,
          severity: payload.severity,
          finding: {
            ...payload.finding,
            window: { ms: payload.finding.windowMs },
            firstSeen: new Date(payload.finding.firstSeen),
            lastSeen: new Date(payload.finding.lastSeen),
          },
          note: payload.note,
          escalatedBy: payload.escalatedBy,
          at: new Date(payload.at),
          ...(threadUrl ? { threadUrl } : {}),
        });
        return result.commentId ?? result.incidentId;
      }
      case 'sentinel-close': {
        const threadUrl = this.threadUrl(item, payload);
        const { incidentId } = await escalator.close(incidentKey(payload), {
          reason: payload.reason,
          closedBy: payload.closedBy,
          comment: payload.note,
          ifMissing: { title: payload.incident.title, ...(threadUrl ? { threadUrl } : {}) },
        });
        return incidentId;
      }
      case 'sentinel-exclusion': {
        const exclusion = await this.deps.store.getExclusion(payload.exclusionId);
        if (exclusion) await mirror.apply(await mirroredExclusion(this.deps.store, exclusion));
        else await mirror.remove({ id: payload.exclusionId });
        return watchlistItemId(payload.exclusionId);
      }
    }
  }

  /** The Teams link to the incident's thread (the item was claimed once the thread had a root). */
  private threadUrl(item: ClaimedOutboxItem, payload: IncidentPayload): string | undefined {
    const target = readIncidentTarget(item.target);
    return target && item.threadRootActivityId ? threadLink(target.channelId, item.threadRootActivityId, payload.incident.tenantId) : undefined;
  }
}

function incidentKey(payload: IncidentPayload) {
  const { team, number, openedAt, title } = payload.incident;
  return { team, number, openedAt: new Date(openedAt), title };
}
