/**
 * Sanctioned tools in the Azure Table Storage store (`TableStore` delegates to this): one entity per
 * tool in its tenant's triage partition, row key `sanction|<hash(tool id)>`. Setting replaces the
 * entity (the last writer wins); removing is ETag-conditional.
 */
import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { idFromKey } from '../ids';
import type { NewSanction, Sanction, SanctionStore } from '../store';
import { checkNewSanction } from '../watch-validate';
import { getJson, getText, putJson, putText } from './entity-text';
import { isNotFound, withRetries } from './optimistic';

type Entity = Record<string, unknown>;

const SANCTION = 'sanction|';

function sanctionFrom(e: Entity): Sanction {
  return {
    tenant: getText(e, 'tenant')!,
    toolId: getText(e, 'toolId')!,
    instances: getJson(e, 'instances') as string[],
    reason: getText(e, 'reason')!,
    by: { aadObjectId: e.byId as string, name: e.byName as string },
    at: new Date((e.at as Date).getTime()),
  };
}

/** The Azure Table Storage implementation of {@link SanctionStore}. */
export class TableSanctions implements SanctionStore {
  constructor(
    private readonly triage: TableClient,
    private readonly partitionOf: (tenant: string) => string,
    private readonly now: () => number,
  ) {}

  private row(toolId: string): string {
    return `${SANCTION}${idFromKey('sanction', toolId)}`;
  }

  private async read(tenant: string, toolId: string): Promise<TableEntityResult<Entity> | undefined> {
    try {
      return await this.triage.getEntity<Entity>(this.partitionOf(tenant), this.row(toolId));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async setSanction(sanction: NewSanction): Promise<{ readonly record: Sanction; readonly replaced?: Sanction }> {
    checkNewSanction(sanction);
    const previous = await this.read(sanction.tenant, sanction.toolId);
    const entity: Entity & { partitionKey: string; rowKey: string } = {
      partitionKey: this.partitionOf(sanction.tenant),
      rowKey: this.row(sanction.toolId),
      at: new Date(this.now()),
      byId: sanction.by.aadObjectId,
      byName: sanction.by.name,
    };
    putText(entity, 'tenant', sanction.tenant);
    putText(entity, 'toolId', sanction.toolId);
    putJson(entity, 'instances', sanction.instances);
    putText(entity, 'reason', sanction.reason);
    await this.triage.upsertEntity(entity, 'Replace');
    const record = sanctionFrom(entity);
    return previous ? { record, replaced: sanctionFrom(previous) } : { record };
  }

  async getSanction(tenant: string, toolId: string): Promise<Sanction | undefined> {
    const entity = await this.read(tenant, toolId);
    return entity && sanctionFrom(entity);
  }

  async listSanctions(tenant: string): Promise<Sanction[]> {
    const filter = odata`PartitionKey eq ${this.partitionOf(tenant)} and RowKey ge ${SANCTION} and RowKey lt ${'sanction}'}`;
    const found: Sanction[] = [];
    for await (const entity of this.triage.listEntities<Entity>({ queryOptions: { filter } })) found.push(sanctionFrom(entity));
    return found.sort((a, b) => (a.toolId < b.toolId ? -1 : a.toolId > b.toolId ? 1 : 0));
  }

  async removeSanction(tenant: string, toolId: string): Promise<Sanction | undefined> {
    return withRetries('remove sanction', async () => {
      const entity = await this.read(tenant, toolId);
      if (!entity) return undefined;
      try {
        await this.triage.deleteEntity(entity.partitionKey!, entity.rowKey!, { etag: entity.etag });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      return sanctionFrom(entity);
    });
  }
}
