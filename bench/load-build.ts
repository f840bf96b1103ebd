/**
 * Compiles what the benches run in child processes — `src/`, the echo bot, the fake connector and
 * the engine bench's phases — to CommonJS in `bench/out/build/`, so they run on plain `node` as production runs
 * `dist/` (a TypeScript loader such as tsx adds ~30–40 MB of RSS and start-up work to every process
 * it loads). Transpile only, file by file (the project sets `isolatedModules`): type errors are
 * `npm run typecheck`'s business. `cards/` and `data/` are linked in beside `src/`, where the
 * compiled code looks for them (as it does from `dist/`).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { ROOT } from './load-processes';

/** Where the build goes (git-ignored). */
export const BUILD_DIR = path.join(ROOT, 'bench', 'out', 'build');

/** The bench's own files the children run (and what they import). */
const BENCH_ENTRIES = ['echo-bot.ts', 'load-connector.ts', 'engine-child.ts', 'engine-duckdb.ts', 'engine-hunts.ts', 'load-stats.ts'];

/** The compiled entry points. */
export interface BenchBuild {
  readonly huntops: string;
  readonly echo: string;
  readonly connector: string;
  readonly engineChild: string;
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  resolveJsonModule: true,
};

function compile(source: string, target: string): void {
  const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), { compilerOptions: COMPILER_OPTIONS, fileName: source });
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, outputText);
}

function compileTree(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (entry.isDirectory()) compileTree(source, path.join(to, entry.name));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) compile(source, path.join(to, entry.name.replace(/\.ts$/, '.js')));
    else if (entry.name.endsWith('.json')) {
      mkdirSync(to, { recursive: true });
      copyFileSync(source, path.join(to, entry.name));
    }
  }
}

/** Builds afresh; returns the entry points. */
export function buildForBench(): BenchBuild {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  compileTree(path.join(ROOT, 'src'), path.join(BUILD_DIR, 'src'));
  for (const file of BENCH_ENTRIES) compile(path.join(ROOT, 'bench', file), path.join(BUILD_DIR, 'bench', file.replace(/\.ts$/, '.js')));
  for (const linked of ['cards', 'data']) symlinkSync(path.join(ROOT, linked), path.join(BUILD_DIR, linked), 'dir');
  return builtForBench();
}

/**
 * The entry points of the last build, as it is: compares runs on one snapshot of `src/` while the
 * tree changes. Throws if there is none.
 */
export function builtForBench(): BenchBuild {
  const build = {
    huntops: path.join(BUILD_DIR, 'src', 'index.js'),
    echo: path.join(BUILD_DIR, 'bench', 'echo-bot.js'),
    connector: path.join(BUILD_DIR, 'bench', 'load-connector.js'),
    engineChild: path.join(BUILD_DIR, 'bench', 'engine-child.js'),
  };
  for (const file of Object.values(build)) if (!existsSync(file)) throw new Error(`${file} is missing: run without --reuse-build first`);
  return build;
}
