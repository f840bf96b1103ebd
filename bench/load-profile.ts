/**
 * Reads a V8 CPU profile (`node --cpu-prof`, e.g. from `bench/load.ts --cpu-prof DIR`) and says where
 * the time went: self time by area (HuntOps' own folders, each npm package, Node internals, GC,
 * idle), the functions with the most self time, and the inclusive time of named functions.
 *
 *   npx tsx bench/load-profile.ts DIR/huntops.cpuprofile [--top 25] [--focus renderCard,executeKql]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** The parts of a `.cpuprofile` this reads. */
interface CpuProfile {
  readonly nodes: ReadonlyArray<{
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }>;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Functions whose inclusive time the summary shows unless `--focus` names others. */
const DEFAULT_FOCUS = [
  'processActivity',
  'handleMessage',
  'renderCard',
  'expand',
  'sendActivity',
  'runDeferred',
  'buildHuntQuery',
  'parseKql',
  'executeKql',
  'withShiftedDatetimes',
  'findingsFromResult',
  'continueConversationAsync',
  'updateActivity',
];

/** The area a script belongs to: `src/<folder>`, `bench`, an npm package, `node` or a V8 pseudo-frame. */
export function areaOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const local = /\/src\/([^/]+)\//.exec(url);
  if (local) return `src/${local[1]}`;
  if (/\/src\/[^/]+$/.test(url)) return 'src';
  if (/\/bench\//.test(url)) return 'bench';
  return url;
}

/** Self and inclusive times (ms) of a profile. */
export function summarize(profile: CpuProfile, focus: readonly string[]) {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfByNode = new Map<number, number>();
  profile.samples.forEach((id, i) => selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const total = [...selfByNode.values()].reduce((a, b) => a + b, 0);
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const inclusive = new Map<string, number>(focus.map((f) => [f, 0]));
  for (const [id, ms] of selfByNode) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const key = `${functionName || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|src|bench)\//, '$1/')}:${lineNumber + 1}` : ''}`;
    functions.set(key, (functions.get(key) ?? 0) + ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)!.callFrame.functionName;
      if (inclusive.has(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, inclusive.get(name)! + ms);
      }
    }
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { total, areas: sorted(areas), functions: sorted(functions), inclusive: [...inclusive] };
}

function main(): void {
  const { values, positionals } = parseArgs({
    options: { top: { type: 'string', default: '25' }, focus: { type: 'string' } },
    allowPositionals: true,
  });
  const file = positionals[0];
  if (!file) throw new Error('usage: load-profile.ts FILE.cpuprofile [--top N] [--focus fn1,fn2]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const focus = values.focus ? values.focus.split(',') : DEFAULT_FOCUS;
  const { total, areas, functions, inclusive } = summarize(profile, focus);
  const busy = total - (areas.find(([a]) => a === '(idle)')?.[1] ?? 0);
  const line = (name: string, ms: number) => `${ms.toFixed(0).padStart(8)} ms ${((ms / busy) * 100).toFixed(1).padStart(5)}%  ${name}`;
  const out = [
    `${file}: ${total.toFixed(0)} ms sampled, ${busy.toFixed(0)} ms not idle (percentages are of the latter)`,
    '',
    'self time by area:',
    ...areas.filter(([a]) => a !== '(idle)').map(([a, ms]) => line(a, ms)),
    '',
    `top ${values.top} functions by self time:`,
    ...functions.slice(0, Number(values.top)).map(([f, ms]) => line(f, ms)),
    '',
    'inclusive time of:',
    ...inclusive.map(([f, ms]) => line(f, ms)),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

if (require.main === module) main();
