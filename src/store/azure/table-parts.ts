/**
 * What the modules of the Azure Table Storage store (`table-hunts.ts`, `table-outbox.ts`,
 * `table-watches.ts`…) need of the store they belong to: its tables, its clock, and the reads one
 * concern makes of another. `TableStore` builds it and hands each module the part it needs.
 */
import type { TableClient } from '@azure/data-tables';
import type { Incident, NewOutboxItem, OutboxItem, StoredFinding } from '../store';
import type { Keyed } from './table-entities';

/** What a module needs of the table store it belongs to. */
export interface TableParts {
  /** Hunts and their findings. */
  readonly hunts: TableClient;
  /** Exclusions and the mirror ledger. */
  readonly exclusions: TableClient;
  /** The triage table (incidents, escalations, outbox), where watches and sanctions live too. */
  readonly triage: TableClient;
  /** The `watchseen` table: sightings and batches. */
  readonly seen: TableClient;
  /** The store clock, in epoch milliseconds. */
  now(): number;
  /** The triage partition of a team (here: a tenant). */
  partitionOf(team: string): string;
  /** The entity of a new outbox item. */
  outboxEntity(id: string, item: NewOutboxItem, at: number): Keyed;
  getOutboxItem(team: string, id: string): Promise<OutboxItem | undefined>;
  getFinding(huntId: string, rowKey: string): Promise<StoredFinding | undefined>;
  getIncident(team: string, number: number): Promise<Incident | undefined>;
}
