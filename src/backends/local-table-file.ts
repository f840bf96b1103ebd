/**
 * Reads a table file of the local backend (`<Table>.jsonl` or `<Table>.csv`): the fast readers,
 * and for a CSV file they are not sure of, the general one (csv-parse).
 */
import { loadCsvTable } from './local-csv';
import { readCsvFast } from './local-csv-reader';
import { readJsonlTable, type LoadProgress, type TableFileSource } from './local-jsonl';
import { buffersFromTable, ownMemory, partOf, type SharedTable, type TablePart } from './local-shared-table';
import { mergeParts } from './local-table-merge';

/**
 * Reads `source.file` whole into a part in buffers of its own (`between` as in `ReadOptions`).
 * Rejects with `LocalDataError` on bad content.
 */
export async function readTablePart(source: TableFileSource, onProgress?: LoadProgress, between?: () => void): Promise<TablePart> {
  if (!source.file.endsWith('.csv')) return readJsonlTable(source, { onProgress, between }).toPart();
  const sink = readCsvFast(source, { onProgress, between });
  return sink ? sink.toPart() : partOf(buffersFromTable(await loadCsvTable(source), 'part', ownMemory));
}

/** Reads `source.file` into a shared table with this `id`. Rejects with `LocalDataError` on bad content. */
export async function readTableFile(source: TableFileSource, id: string, onProgress?: LoadProgress): Promise<SharedTable> {
  return mergeParts([await readTablePart(source, onProgress)], id);
}
