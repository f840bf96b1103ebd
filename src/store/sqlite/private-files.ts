/**
 * The SQLite store's files are readable by the bot's user only: the folder is created 0700, the
 * database 0600 before SQLite opens it, and SQLite gives its WAL and shared-memory files the
 * database's mode. Files left looser by an earlier version are tightened when the store opens.
 * A folder that already exists keeps its mode: it may be shared with other files (`/var/lib`).
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/** Mode of the folder HuntOps creates for the database. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of the database, its WAL and its shared-memory file. */
export const PRIVATE_FILE_MODE = 0o600;

/** The files SQLite keeps for the database at `path` in WAL mode. */
export function databaseFiles(path: string): readonly string[] {
  return [path, `${path}-wal`, `${path}-shm`];
}

/** Creates the database's folder (0700) and file (0600) if missing, and tightens its files if they exist. */
export function preparePrivateDatabase(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  tightenDatabaseFiles(path);
}

/** Sets 0600 on those of the database's files that exist. */
function tightenDatabaseFiles(path: string): void {
  for (const file of databaseFiles(path)) if (existsSync(file)) chmodSync(file, PRIVATE_FILE_MODE);
}
