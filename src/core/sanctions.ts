/**
 * Sanctions as domain operations: the tenant's own RMM tools (optionally only with its own
 * instances), set, listed and removed. Hunts, checks and watches read them (`sanction-marks.ts`).
 */
import type { Actor, Sanction, Store } from '../store/store';
import type { SanctionRequest } from './sanction-words';

/** Sanction operations. */
export class SanctionService {
  constructor(private readonly store: Store) {}

  /** Sanctions a tool for the tenant, replacing its earlier sanction (returned). */
  set(tenant: string, request: SanctionRequest, by: Actor): Promise<{ readonly record: Sanction; readonly replaced?: Sanction }> {
    return this.store.setSanction({ tenant, toolId: request.tool.id, instances: request.instances, reason: request.reason, by });
  }

  /** The tenant's sanctions, by tool id. */
  list(tenant: string): Promise<Sanction[]> {
    return this.store.listSanctions(tenant);
  }

  /** Removes the tool's sanction; `undefined` when there was none. */
  remove(tenant: string, toolId: string): Promise<Sanction | undefined> {
    return this.store.removeSanction(tenant, toolId);
  }
}
