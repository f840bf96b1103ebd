/**
 * Reads a table file of the local backend (`<Table>.jsonl` or `<Table>.csv`) into shared memory:
 * the fast readers, and for a CSV file they are not sure of, the general one (csv-parse).
 */
import { loadCsvTable } from './local-csv';
import { readCsvFast } from './local-csv-reader';
import { readJsonlTable, type LoadProgress, type TableFileSource } from './local-jsonl';
import { buffersFromTable, sharedMemory, type Allocate, type SharedTable, type TableBuffers } from './local-shared-table';

/** Reads `source.file` into buffers from `allocate`, as a table with this `id`. Rejects with `LocalDataError` on bad content. */
export async function readTableBuffers<B extends ArrayBufferLike>(source: TableFileSource, id: string, allocate: Allocate<B>, onProgress?: LoadProgress): Promise<TableBuffers<B>> {
  if (!source.file.endsWith('.csv')) return readJsonlTable(source, onProgress).toBuffers(id, allocate);
  const sink = readCsvFast(source, onProgress);
  return sink ? sink.toBuffers(id, allocate) : buffersFromTable(await loadCsvTable(source), id, allocate);
}

/** Reads `source.file` into a shared table with this `id`. Rejects with `LocalDataError` on bad content. */
export function readTableFile(source: TableFileSource, id: string, onProgress?: LoadProgress): Promise<SharedTable> {
  return readTableBuffers(source, id, sharedMemory, onProgress);
}
