/**
 * A hunt as HuntOps remembers it: what was asked, the query, and what came back. Card actions carry
 * only a hunt id and a row key; the server looks the finding up here.
 */
import { randomBytes } from 'node:crypto';
import type { Finding } from './finding';

/** Lifecycle of a hunt. */
export type HuntStatus = 'running' | 'done' | 'failed';

/** One hunt. */
export interface HuntRecord {
  readonly id: string;
  readonly toolId: string;
  readonly windowMs: number;
  readonly device?: string;
  readonly kql: string;
  readonly source: string;
  readonly createdAt: Date;
  readonly status: HuntStatus;
  readonly findings: readonly Finding[];
  readonly queryMs?: number;
}

/** Where hunts are kept. */
export interface HuntRepository {
  save(record: HuntRecord): Promise<void>;
  get(id: string): Promise<HuntRecord | undefined>;
}

/** A new opaque, unguessable hunt id (12 URL-safe characters). */
export function newHuntId(): string {
  return randomBytes(9).toString('base64url');
}

/** Keeps the latest hunts in memory, oldest forgotten first. */
export class MemoryHuntRepository implements HuntRepository {
  private readonly hunts = new Map<string, HuntRecord>();

  constructor(private readonly options: { readonly maxHunts: number } = { maxHunts: 1000 }) {}

  async save(record: HuntRecord): Promise<void> {
    this.hunts.delete(record.id);
    this.hunts.set(record.id, record);
    while (this.hunts.size > this.options.maxHunts) {
      const oldest = this.hunts.keys().next().value as string;
      this.hunts.delete(oldest);
    }
  }

  async get(id: string): Promise<HuntRecord | undefined> {
    return this.hunts.get(id);
  }
}
