/**
 * Deleting entities from Azure Table Storage when another instance may be deleting the same ones
 * (two instances purging at once): an entity already gone counts as nobody's deletion, not an error.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { isNotFound } from './optimistic';

/** Entities per entity group transaction: the service's limit. */
const BATCH = 100;

/** Deletes an entity; false when it was already gone. */
export async function deleteEntity(table: TableClient, partitionKey: string, rowKey: string): Promise<boolean> {
  try {
    await table.deleteEntity(partitionKey, rowKey);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/**
 * Deletes entities of one partition in transactions of up to 100; a transaction refused because
 * one of them is already gone is redone one by one. Returns how many this call deleted.
 */
export async function deleteEntities(table: TableClient, partitionKey: string, rowKeys: readonly string[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < rowKeys.length; i += BATCH) {
    const batch = rowKeys.slice(i, i + BATCH);
    try {
      await table.submitTransaction(batch.map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }]));
      deleted += batch.length;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      for (const rowKey of batch) if (await deleteEntity(table, partitionKey, rowKey)) deleted++;
    }
  }
  return deleted;
}
