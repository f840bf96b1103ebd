/**
 * `<dataDir>/dataset.json`, present when the folder holds a recorded sample:
 * `{ "anchor": "<ISO 8601 datetime>" }`, the instant the sample was recorded at. The local backend
 * has every query see each datetime of the sample moved by (now - anchor), so the sample always
 * looks recent (without copying it: see `kql/data-clock.ts`).
 */
import { readFile } from 'node:fs/promises';
import { parseIsoDatetime } from '../kql';
import { LocalDataError } from './local-data-error';

/** The anchor of the data set described by `file` (ms since the epoch), or `undefined` when there is no such file. */
export async function readDatasetAnchor(file: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let description: unknown;
  try {
    description = JSON.parse(text.replace(/^\ufeff/, ''));
  } catch (e) {
    throw new LocalDataError(file, undefined, `not valid JSON (${(e as Error).message})`);
  }
  const anchor = (description as { anchor?: unknown } | null)?.anchor;
  const ms = typeof anchor === 'string' ? parseIsoDatetime(anchor) : undefined;
  if (ms === undefined) {
    throw new LocalDataError(file, undefined, `expected { "anchor": "<ISO 8601 datetime>" }, got anchor ${JSON.stringify(anchor) ?? 'undefined'}`);
  }
  return ms;
}
