/**
 * Keeps each loaded table of the local backend until its file changes. A file is loaded on first
 * use; a later use reloads it when its modification time, size or inode differ from the loaded
 * version. Concurrent uses of the same version share one load; a failed load is forgotten, so the
 * next use tries again.
 */
import { stat } from 'node:fs/promises';
import type { Table } from '../kql';

interface Entry {
  readonly version: string;
  readonly table: Promise<Table>;
}

/** Loads tables from files, once per version of each file. */
export class FileTableCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly load: (file: string) => Promise<Table>) {}

  /** The table of `file`, or `undefined` when the file does not exist. */
  async get(file: string): Promise<Table | undefined> {
    let version: string;
    try {
      const info = await stat(file);
      version = `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const cached = this.entries.get(file);
    if (cached?.version === version) return cached.table;
    const table = this.load(file);
    this.entries.set(file, { version, table });
    table.catch(() => {
      if (this.entries.get(file)?.table === table) this.entries.delete(file);
    });
    return table;
  }
}
