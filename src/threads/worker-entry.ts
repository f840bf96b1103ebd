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

/**
 * How to start a thread running `entry`: its file, and, when the entry is TypeScript and the process
 * has no loader, the process's own Node options plus tsx's require hook.
 */
export function workerStart(entry: string): { readonly filename: string; readonly execArgv?: string[] } {
  if (!entry.endsWith('.ts') || process.execArgv.some((arg) => arg.includes('tsx'))) return { filename: entry };
  return { filename: entry, execArgv: [...process.execArgv, '--require', require.resolve('tsx/cjs')] };
}
