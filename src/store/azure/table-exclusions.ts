/**
 * Exclusions in the Azure Table Storage store (`TableStore` delegates to this): one entity per
 * exclusion in the exclusions table's `exclusion` partition, row key `hash(key)`; a second insert of
 * a key gets 409 and returns the first. Removal is ETag-conditional (the first removal wins).
 *
 * Exclusions made from a card before they bound device ids are bound to their source finding's
 * device when the store is opened (`bindLegacyExclusions`); those whose finding is gone are marked
 * checked and keep their recorded name, read literally.
 */
import { odata } from '@azure/data-tables';
import { idFromKey } from '../ids';
import type { Actor, Created, Exclusion, ExclusionStore, NewExclusion } from '../store';
import { StoreError } from '../store-error';
import { checkNewExclusion, checkSourceDevice, isRowKey } from '../validate';
import { getText, putText } from './entity-text';
import { isContention, withRetries } from './optimistic';
import {
  actorOf,
  byTimeThenId,
  insertEntity,
  optActor,
  optDate,
  optS,
  putActor,
  queryEntities,
  readEntity,
  s,
  time,
  type Entity,
  type Keyed,
} from './table-entities';
import type { TableParts } from './table-parts';

const EXCLUSIONS = 'exclusion';

function exclusionFrom(e: Entity): Exclusion {
  const toolId = optS(e, 'toolId');
  const sourceHuntId = optS(e, 'sourceHuntId');
  const removedAt = optDate(e, 'removedAt');
  const removedBy = optActor(e, 'removedBy');
  const deviceId = getText(e, 'deviceId');
  const tenant = getText(e, 'tenant');
  return {
    id: s(e, 'rowKey'),
    key: getText(e, 'key')!,
    pattern: getText(e, 'pattern')!,
    ...(deviceId !== undefined && { deviceId }),
    ...(tenant !== undefined && { tenant }),
    scope: toolId === undefined ? { kind: 'all' } : { kind: 'tool', toolId },
    reason: getText(e, 'reason')!,
    createdBy: actorOf(e, 'createdBy'),
    createdAt: time(e, 'createdAt'),
    expiresAt: e.expiresAt instanceof Date ? time(e, 'expiresAt') : null,
    ...(sourceHuntId !== undefined && { source: { huntId: sourceHuntId, rowKey: s(e, 'sourceRowKey') } }),
    ...(removedAt !== undefined && { removedAt }),
    ...(removedBy !== undefined && { removedBy }),
  };
}

/** The Azure Table Storage implementation of {@link ExclusionStore}. */
export class TableExclusions implements ExclusionStore {
  constructor(private readonly parts: Pick<TableParts, 'exclusions' | 'now' | 'getFinding'>) {}

  async addExclusion(exclusion: NewExclusion): Promise<Created<Exclusion>> {
    checkNewExclusion(exclusion);
    const id = idFromKey('exclusion', exclusion.key);
    const existing = await readEntity(this.parts.exclusions, EXCLUSIONS, id);
    if (existing) return { record: exclusionFrom(existing), created: false };
    const { source } = exclusion;
    if (source) {
      const finding = await this.parts.getFinding(source.huntId, source.rowKey);
      if (!finding) throw new StoreError('not-found', 'no such finding');
      checkSourceDevice(exclusion, finding.deviceId);
    }
    const entity: Keyed = {
      partitionKey: EXCLUSIONS,
      rowKey: id,
      createdAt: new Date(this.parts.now()),
    };
    putText(entity, 'pattern', exclusion.pattern);
    if (exclusion.deviceId !== undefined) putText(entity, 'deviceId', exclusion.deviceId);
    if (exclusion.tenant !== undefined) putText(entity, 'tenant', exclusion.tenant);
    putText(entity, 'key', exclusion.key);
    putText(entity, 'reason', exclusion.reason);
    putActor(entity, 'createdBy', exclusion.createdBy);
    if (exclusion.scope.kind === 'tool') entity.toolId = exclusion.scope.toolId;
    if (exclusion.expiresAt !== null) entity.expiresAt = new Date(exclusion.expiresAt.getTime());
    if (source) {
      entity.sourceHuntId = source.huntId;
      entity.sourceRowKey = source.rowKey;
    }
    if (await insertEntity(this.parts.exclusions, entity)) return { record: exclusionFrom(entity), created: true };
    return { record: exclusionFrom((await readEntity(this.parts.exclusions, EXCLUSIONS, id))!), created: false };
  }

  async getExclusion(id: string): Promise<Exclusion | undefined> {
    if (!isRowKey(id)) return undefined;
    const entity = await readEntity(this.parts.exclusions, EXCLUSIONS, id);
    return entity && exclusionFrom(entity);
  }

  async listExclusions(filter: { readonly activeAt?: Date; readonly tenant?: string } = {}): Promise<Exclusion[]> {
    const all = (await queryEntities(this.parts.exclusions, odata`PartitionKey eq ${EXCLUSIONS}`)).map(exclusionFrom).sort(byTimeThenId((x) => x.createdAt.getTime()));
    const at = filter.activeAt?.getTime();
    const { tenant } = filter;
    return all.filter(
      (x) =>
        (at === undefined || (x.removedAt === undefined && (x.expiresAt === null || x.expiresAt.getTime() > at))) &&
        (tenant === undefined || x.tenant === undefined || x.tenant === tenant),
    );
  }

  /**
   * Binds exclusions made from a card before exclusions bound device ids to their source finding's
   * device; marks those whose finding is gone as checked (they keep their name, read literally).
   */
  async bindLegacyExclusions(): Promise<void> {
    const legacy = (await queryEntities(this.parts.exclusions, odata`PartitionKey eq ${EXCLUSIONS}`)).filter(
      (e) => typeof e.sourceHuntId === 'string' && getText(e, 'deviceId') === undefined && e.legacyChecked !== true,
    );
    for (const entity of legacy) {
      const finding = await this.parts.getFinding(s(entity, 'sourceHuntId'), s(entity, 'sourceRowKey'));
      const update: Keyed = { partitionKey: EXCLUSIONS, rowKey: entity.rowKey!, legacyChecked: true };
      if (finding) putText(update, 'deviceId', finding.deviceId);
      try {
        await this.parts.exclusions.updateEntity(update, 'Merge', { etag: entity.etag });
      } catch (error) {
        if (!isContention(error)) throw error;
      }
    }
  }

  async removeExclusion(id: string, removedBy: Actor): Promise<{ readonly record: Exclusion; readonly removed: boolean } | undefined> {
    if (!isRowKey(id)) return undefined;
    return withRetries('remove exclusion', async () => {
      const entity = await readEntity(this.parts.exclusions, EXCLUSIONS, id);
      if (entity === undefined) return undefined;
      if (entity.removedAt instanceof Date) return { record: exclusionFrom(entity), removed: false };
      const update: Keyed = { partitionKey: EXCLUSIONS, rowKey: id, removedAt: new Date(this.parts.now()) };
      putActor(update, 'removedBy', removedBy);
      await this.parts.exclusions.updateEntity(update, 'Merge', { etag: entity.etag });
      return { record: exclusionFrom({ ...entity, ...update }), removed: true };
    });
  }
}
