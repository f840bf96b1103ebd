import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileTableCache } from '../../src/backends/local-table-cache';
import { Table } from '../../src/kql';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'huntops-cache-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A loader that records its calls and builds a one-row table from the file name and call number. */
function countingLoader(fail = false): { loads: string[]; load: (file: string) => Promise<Table> } {
  const loads: string[] = [];
  return {
    loads,
    load: async (file) => {
      loads.push(file);
      if (fail) throw new Error('cannot load');
      return Table.fromRecords('T', [{ name: 'n', type: 'long' }], [{ n: loads.length }]);
    },
  };
}

describe('FileTableCache', () => {
  test('loads once per version of the file, sharing a load between concurrent uses', async () => {
    const file = path.join(dir, 'T.jsonl');
    writeFileSync(file, 'one');
    const loader = countingLoader();
    const cache = new FileTableCache(loader.load);
    const [a, b] = await Promise.all([cache.get(file), cache.get(file)]);
    expect(a).toBe(b);
    expect(await cache.get(file)).toBe(a);
    expect(loader.loads).toEqual([file]);
    writeFileSync(file, 'two, longer');
    const c = await cache.get(file);
    expect(c).not.toBe(a);
    expect(loader.loads).toEqual([file, file]);
  });

  test('a missing file is undefined, and loads nothing', async () => {
    const loader = countingLoader();
    expect(await new FileTableCache(loader.load).get(path.join(dir, 'missing.jsonl'))).toBeUndefined();
    expect(loader.loads).toEqual([]);
  });

  test('a failed load is forgotten', async () => {
    const file = path.join(dir, 'T.jsonl');
    writeFileSync(file, 'x');
    const loader = countingLoader(true);
    const cache = new FileTableCache(loader.load);
    await expect(cache.get(file)).rejects.toThrow('cannot load');
    await expect(cache.get(file)).rejects.toThrow('cannot load');
    expect(loader.loads).toEqual([file, file]);
  });
});
