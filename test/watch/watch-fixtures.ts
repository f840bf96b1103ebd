/**
 * What the watch tests share: telemetry that arrives late (each event has the time it happened and
 * the time it became queryable), a hunt runner over it that answers like a backend at the test
 * clock's "now" (events in the window that have been ingested), a presenter, and a recorder of audit
 * events.
 */
import type { OutboxItem, Store } from '../../src/store/store';
import type { WatchFinding, WatchHuntResult, WatchHuntRunner } from '../../src/watch/hunt-runner';
import type { WatchAuditEvent, WatchPresenter } from '../../src/watch/watch-scheduler';
import { postHeadline } from '../../src/watch/watch-summary';
import type { WatchWindow } from '../../src/watch/watch-window';

/** One event of one device's RMM agent. */
export interface TelemetryEvent {
  readonly deviceId: string;
  readonly deviceName: string;
  readonly toolId: string;
  /** When it happened (`Timestamp`). */
  readonly at: Date;
  /** When a query could first see it; default: when it happened. */
  readonly ingestedAt?: Date;
}

/** Telemetry the tests add to as time moves. */
export class Telemetry implements WatchHuntRunner {
  readonly events: TelemetryEvent[] = [];
  readonly windows: WatchWindow[] = [];
  /** When set, the next hunts fail with this error. */
  failWith: Error | undefined;

  constructor(private readonly now: () => Date) {}

  /** Adds an event that happened `agoMs` before now (ingested `delayMs` after it happened, default at once). */
  add(device: string, toolId: string, options: { readonly agoMs?: number; readonly delayMs?: number; readonly name?: string } = {}): void {
    const at = new Date(this.now().getTime() - (options.agoMs ?? 0));
    this.events.push({
      deviceId: `id-${device}`,
      deviceName: options.name ?? device,
      toolId,
      at,
      ingestedAt: new Date(at.getTime() + (options.delayMs ?? 0)),
    });
  }

  async runHunt(spec: { readonly hunt: unknown }, window: WatchWindow): Promise<WatchHuntResult> {
    this.windows.push(window);
    if (this.failWith) throw this.failWith;
    const tools = (spec.hunt as { tools: string[] }).tools;
    const now = this.now().getTime();
    const visible = this.events.filter(
      (e) => tools.includes(e.toolId) && e.at >= window.start && e.at <= window.end && (e.ingestedAt ?? e.at).getTime() <= now,
    );
    const findings: WatchFinding[] = visible.map((e) => ({
      deviceId: e.deviceId,
      deviceName: e.deviceName,
      toolId: e.toolId,
      firstSeen: e.at,
      lastSeen: e.at,
      count: 1,
    }));
    return { findings };
  }
}

/** The presenter of the tests: the headline and the devices, as plain data. */
export const present: WatchPresenter = (watch, batch) => ({
  text: postHeadline((watch.spec.hunt as { subject: string }).subject, batch),
  watch: watch.id,
  devices: batch.sightings.map((s) => (s.unsanctionedInstances ? `${s.deviceName} → ${s.unsanctionedInstances.join(' ')}` : s.deviceName)),
});

/** What a post the tests' presenter made says. */
export interface PostPayload {
  readonly text: string;
  readonly watch: number;
  readonly devices: readonly string[];
}

/** The watch posts in the outbox, oldest first. */
export async function posts(store: Store, team?: string): Promise<Array<OutboxItem & { readonly payload: PostPayload }>> {
  const items = await store.listOutbox(team === undefined ? {} : { team });
  return items.filter((item) => item.kind === 'post') as Array<OutboxItem & { readonly payload: PostPayload }>;
}

/** Records audit events. */
export class AuditRecorder {
  readonly events: WatchAuditEvent[] = [];
  readonly record = (event: WatchAuditEvent): void => {
    this.events.push(event);
  };
}
