/**
 * Paths into `../shared/` (read at test time, never copied into the project).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The shared folder next to the repository. */
export const SHARED_DIR = path.resolve(__dirname, '..', '..', '..', 'shared');
/** The public RMM hunting rules. */
export const RMM_HUNTS_DIR = path.join(SHARED_DIR, 'rmm-hunts');
/** The Adaptive Card 1.5 schema. */
export const ADAPTIVE_CARD_SCHEMA = path.join(SHARED_DIR, 'schemas', 'adaptive-card-1.5.json');

/** Reads a shared file as UTF-8. */
export function readShared(...parts: string[]): string {
  return readFileSync(path.join(SHARED_DIR, ...parts), 'utf8');
}
