/**
 * Reads a table file of the local backend (`<Table>.jsonl` or `<Table>.csv`) into shared memory:
 * the fast readers, and for a CSV file they are not sure of, the general one (csv-parse).
 */
import { loadCsvTable } from './local-csv';
import { readCsvFast } from './local-csv-reader';
import { readJsonlTable, type LoadProgress, type TableFileSource } from './local-jsonl';
import { sharedFromTable, type SharedTable } from './local-shared-table';

/** Reads `source.file` into a shared table with this `id`. Rejects with `LocalDataError` on bad content. */
export async function readTableFile(source: TableFileSource, id: string, onProgress?: LoadProgress): Promise<SharedTable> {
  if (!source.file.endsWith('.csv')) return readJsonlTable(source, onProgress).toShared(id);
  const sink = readCsvFast(source, onProgress);
  return sink ? sink.toShared(id) : sharedFromTable(await loadCsvTable(source), id);
}
