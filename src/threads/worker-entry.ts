/**
 * Where a worker thread's entry is and how to start it: compiled JavaScript in production,
 * TypeScript under ts-jest or tsx, loaded through tsx's require hook when the process does not
 * already have a TypeScript loader.
 */
import path from 'node:path';

/** The entry `name` beside `callerFile` (`__filename` of the caller), with the caller's own extension. */
export function workerEntry(callerFile: string, name: string): string {
  return path.join(path.dirname(callerFile), `${name}${path.extname(callerFile)}`);
}

/** Node options for a thread running `entry`: the process's own, plus tsx's require hook when the entry is TypeScript and no loader is there. */
export function workerExecArgv(entry: string): string[] | undefined {
  if (!entry.endsWith('.ts') || process.execArgv.some((arg) => arg.includes('tsx'))) return undefined;
  return [...process.execArgv, '--require', require.resolve('tsx/cjs')];
}
