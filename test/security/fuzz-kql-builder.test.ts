/**
 * Property-based fuzzing of the one escaping query builder, in two tiers.
 *
 * - Kusto's official parser is the judge: `kqlString` of any hostile text is refused
 *   (KqlLiteralError) or read back by Kusto as one string literal whose value is exactly the text;
 *   and whole hunt queries (every tool, kind and dialect; the all-tools hunt; the device check) have
 *   exactly the builder's template structure, token for token (trivia included, so no comment
 *   appears), with the user's text only inside string literals whose values are that text.
 * - The builder is compositional, for many more inputs, without the (slow) parser: every query is
 *   its template, made with a placeholder device, with each literal holding the placeholder replaced
 *   by `kqlString` of the same value with the user's text. With the first tier (a string literal is
 *   self-delimiting), that is the same guarantee for every input of the second.
 *
 * `HUNT_FUZZ_SCALE=10` multiplies every count, for a longer run.
 */
import fc from 'fast-check';
import type { Dialect } from '../../src/backends/backend';
import { loadCatalog, type RmmTool } from '../../src/hunt/catalog';
import { buildAllToolsQuery } from '../../src/hunt/hunt-queries-all-tools';
import { buildDeviceCheckQuery } from '../../src/hunt/hunt-queries-device-check';
import { buildHuntQuery, KqlLiteralError, kqlString, type HuntKind } from '../../src/hunt/kql-builder';
import { windowOf, type HuntWindow } from '../../src/hunt/window';
import { anyDeviceText, hostileText } from './hostile-text';
import { parseKusto, structuralDifferences } from './kusto-structure';

const catalog = loadCatalog();
const PLACEHOLDER = 'zqxjPLACEHOLDERzqxj';
const MAX_WINDOW_MINUTES = 90 * 24 * 60;
const SCALE = Number(process.env.HUNT_FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

function kindsOf(tool: RmmTool): HuntKind[] {
  return [...(tool.fileSignature ? (['file-signature'] as const) : []), ...(tool.process ? (['process'] as const) : []), ...(tool.network ? (['network'] as const) : [])];
}

const hunts = catalog.tools.flatMap((tool) => kindsOf(tool).map((kind) => ({ tool, kind })));
const dialect = fc.constantFrom<Dialect>('defender', 'loganalytics');
const anyWindow = fc.integer({ min: 1, max: MAX_WINDOW_MINUTES }).map((minutes) => windowOf(minutes * 60_000));
const anyCap = fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined });
/** Few windows and caps where Kusto judges, so that templates recur (each is parsed once). */
const someWindow = fc.constantFrom(...[1, 90, 36 * 60, 5 * 1440, 90 * 1440].map((m) => windowOf(m * 60_000)));
const someCap = fc.constantFrom(undefined, 1, 500, 100_000);

/** What the builders do with a device text: write it, unless kqlString refuses it or it is blank. */
function writable(device: string): boolean {
  try {
    kqlString(device);
    return device.trim() !== '';
  } catch (error) {
    if (error instanceof KqlLiteralError) return false;
    throw error;
  }
}

/** A template's literal values with the placeholder replaced by the device text. */
const withDevice = (device: string) => (value: string) => value.split(PLACEHOLDER).join(device);

/** The template, with each (single-quoted, escape-free) literal holding the placeholder written again with the device text. */
function expectedQuery(template: string, device: string): string {
  return template.replace(/'((?:[^'\\]|\\.)*)'/g, (literal, body: string) => (body.includes(PLACEHOLDER) && !body.includes('\\') ? kqlString(withDevice(device)(body)) : literal));
}

interface Build {
  (device: string | undefined): string;
}

function huntBuild(tool: RmmTool, kind: HuntKind, d: Dialect, window: HuntWindow, maxDevices: number | undefined): Build {
  const options = { dialect: d, ...(maxDevices !== undefined ? { maxDevices } : {}) };
  return (device) => buildHuntQuery({ tool, kind, window, ...(device !== undefined ? { device } : {}) }, options);
}

function allToolsBuild(d: Dialect, window: HuntWindow, maxDevices: number | undefined): Build {
  const options = { dialect: d, ...(maxDevices !== undefined ? { maxDevices } : {}) };
  return (device) => buildAllToolsQuery({ tools: catalog.tools, window, ...(device !== undefined ? { device } : {}) }, options);
}

function deviceCheckBuild(d: Dialect, window: HuntWindow): Build {
  return (device) => buildDeviceCheckQuery({ tools: catalog.tools, window, device: device ?? '' }, { dialect: d });
}

const tally: Record<string, number> = {};
const count = (key: string) => (tally[key] = (tally[key] ?? 0) + 1);

/** Refused exactly when the text cannot be written; otherwise judged by `judge`. */
function checkBuild(build: Build, device: string | undefined, judge: (query: string, template: string, device: string) => void, key: string): void {
  const template = build(device === undefined ? undefined : PLACEHOLDER);
  if (device !== undefined && !writable(device)) {
    expect(() => build(device)).toThrow(KqlLiteralError);
    count(`${key} refused`);
    return;
  }
  judge(build(device), template, device ?? '');
  count(key);
}

const byKusto = (query: string, template: string, device: string) => expect(structuralDifferences(query, template, withDevice(device))).toEqual([]);
const byComposition = (query: string, template: string, device: string) => expect(query).toBe(expectedQuery(template, device));

afterAll(() => {
  process.stdout.write(`fuzz-kql-builder counts: ${JSON.stringify(tally)}\n`);
});

describe('judged by Kusto’s parser', () => {
  beforeAll(() => {
    parseKusto('print 1');
    expect(catalog.tools.some((t) => JSON.stringify(t).includes(PLACEHOLDER))).toBe(false);
  }, 30_000);

  test('kqlString: any text is refused or read back by Kusto as exactly itself, in one literal', () => {
    fc.assert(
      fc.property(fc.oneof(anyDeviceText(), hostileText(), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        let literal: string;
        try {
          literal = kqlString(text);
        } catch (error) {
          if (!(error instanceof KqlLiteralError)) throw error;
          count('kqlString refused');
          return;
        }
        expect(structuralDifferences(`print x = ${literal}`, `print x = '${PLACEHOLDER}'`, withDevice(text))).toEqual([]);
        count('kqlString (Kusto)');
      }),
      { numRuns: runs(10_000) },
    );
  }, 600_000);

  test('single-tool hunts, every tool, kind and dialect', () => {
    fc.assert(
      fc.property(fc.constantFrom(...hunts), dialect, someWindow, someCap, fc.option(anyDeviceText(), { nil: undefined, freq: 8 }), ({ tool, kind }, d, w, cap, device) =>
        checkBuild(huntBuild(tool, kind, d, w, cap), device, byKusto, 'hunt (Kusto)'),
      ),
      { numRuns: runs(1_000) },
    );
  }, 600_000);

  test('the all-tools hunt', () => {
    fc.assert(
      fc.property(dialect, someCap, anyDeviceText(), (d, cap, device) => checkBuild(allToolsBuild(d, windowOf(5 * 86_400_000), cap), device, byKusto, 'all-tools (Kusto)')),
      { numRuns: runs(20) },
    );
  }, 600_000);

  test('the device check', () => {
    fc.assert(
      fc.property(dialect, anyDeviceText(), (d, device) => checkBuild(deviceCheckBuild(d, windowOf(86_400_000)), device, byKusto, 'device check (Kusto)')),
      { numRuns: runs(10) },
    );
  }, 600_000);

  test('the judge is not blind: text that escapes its literal, or a changed value, is caught', () => {
    const template = buildHuntQuery({ tool: catalog.get('kaseya')!, window: windowOf(5 * 86_400_000), device: PLACEHOLDER }, { dialect: 'defender' });
    const escaped = template.split(`'${PLACEHOLDER}'`).join(`'x' or 1==1 //'`);
    expect(structuralDifferences(escaped, template, withDevice('x')).length).toBeGreaterThan(0);
    expect(structuralDifferences(template.split(PLACEHOLDER).join("a'b"), template, withDevice("a'b")).length).toBeGreaterThan(0);
    expect(structuralDifferences(template.split(PLACEHOLDER).join('ws-1'), template, withDevice('ws-2')).length).toBeGreaterThan(0);
    expect(structuralDifferences(template.replace('| summarize', '// c\n| summarize'), template, withDevice(PLACEHOLDER)).length).toBeGreaterThan(0);
  });
});

describe('compositional, for many more inputs', () => {
  test('single-tool hunts: any tool, kind, dialect, window and cap', () => {
    fc.assert(
      fc.property(fc.constantFrom(...hunts), dialect, anyWindow, anyCap, fc.option(anyDeviceText(), { nil: undefined, freq: 8 }), ({ tool, kind }, d, w, cap, device) =>
        checkBuild(huntBuild(tool, kind, d, w, cap), device, byComposition, 'hunt (composition)'),
      ),
      { numRuns: runs(30_000) },
    );
  }, 600_000);

  test('the all-tools hunt', () => {
    fc.assert(
      fc.property(dialect, anyWindow, anyCap, anyDeviceText(), (d, w, cap, device) => checkBuild(allToolsBuild(d, w, cap), device, byComposition, 'all-tools (composition)')),
      { numRuns: runs(2_000) },
    );
  }, 600_000);

  test('the device check', () => {
    fc.assert(
      fc.property(dialect, anyWindow, anyDeviceText(), (d, w, device) => checkBuild(deviceCheckBuild(d, w), device, byComposition, 'device check (composition)')),
      { numRuns: runs(1_000) },
    );
  }, 600_000);

  test('the composition check is not blind either', () => {
    const build = huntBuild(catalog.get('kaseya')!, 'file-signature', 'defender', windowOf(86_400_000), undefined);
    const template = build(PLACEHOLDER);
    expect(expectedQuery(template, "a'b")).toBe(build("a'b"));
    expect(template.split(PLACEHOLDER).join("a'b")).not.toBe(expectedQuery(template, "a'b"));
  });
});
