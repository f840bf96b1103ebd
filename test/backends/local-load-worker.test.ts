/**
 * A loading thread starts for each load, so what its entry loads is start-up the load waits for:
 * the readers and the engine's tables, not the query language (its parser and executor).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** The project's source modules a fresh process has loaded after requiring `entry`. */
function modulesLoadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(path.join(ROOT, entry))}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
  const out = execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd: ROOT, encoding: 'utf8' });
  return (JSON.parse(out) as string[]).filter((file) => file.startsWith(path.join(ROOT, 'src'))).map((file) => path.relative(ROOT, file));
}

test('the loading threads do not load the query language', () => {
  const loaded = modulesLoadedBy('src/backends/local-load-worker.ts');
  expect(loaded).toEqual(expect.arrayContaining([path.join('src', 'backends', 'local-jsonl.ts'), path.join('src', 'kql', 'tables.ts')]));
  expect(loaded.filter((file) => /kql[/\\](parser|execute|index)\.ts$/.test(file))).toEqual([]);
});

test('the query threads do', () => {
  const loaded = modulesLoadedBy('src/backends/local-query-worker.ts');
  expect(loaded).toEqual(expect.arrayContaining([path.join('src', 'kql', 'parser.ts'), path.join('src', 'kql', 'execute.ts')]));
});
