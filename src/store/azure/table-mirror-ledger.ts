/**
 * The exclusion mirror's ledger in the Azure Table Storage store (`TableStore` delegates to this):
 * one entity per exclusion whose item is in the Sentinel watchlist, in the exclusions table's
 * `mirrored` partition, row key `hash(exclusion id)`. Marking inserts (a second insert is a no-op),
 * unmarking deletes (a missing entity is a no-op).
 */
import { odata, type TableClient } from '@azure/data-tables';
import { idFromKey } from '../ids';
import type { MirrorLedgerStore } from '../store';
import { checkKey } from '../validate';
import { isNotFound, statusOf } from './optimistic';

const MIRRORED = 'mirrored';

/** The Azure Table Storage implementation of {@link MirrorLedgerStore}. */
export class TableMirrorLedger implements MirrorLedgerStore {
  constructor(
    private readonly exclusions: TableClient,
    private readonly now: () => number,
  ) {}

  async listMirroredExclusions(): Promise<string[]> {
    const ids: string[] = [];
    for await (const entity of this.exclusions.listEntities<{ exclusionId: string }>({ queryOptions: { filter: odata`PartitionKey eq ${MIRRORED}` } })) ids.push(entity.exclusionId);
    return ids.sort();
  }

  async markExclusionMirrored(exclusionId: string): Promise<void> {
    checkKey('exclusion id', exclusionId);
    try {
      await this.exclusions.createEntity({ partitionKey: MIRRORED, rowKey: idFromKey('mirrored', exclusionId), exclusionId, mirroredAt: new Date(this.now()) });
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
  }

  async markExclusionUnmirrored(exclusionId: string): Promise<void> {
    checkKey('exclusion id', exclusionId);
    try {
      await this.exclusions.deleteEntity(MIRRORED, idFromKey('mirrored', exclusionId));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}
