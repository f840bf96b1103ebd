/**
 * The engine's regular expressions: RE2 on a linear-time matcher. The patterns that make a
 * backtracking engine take time exponential in the text (the probe that froze the bot among them)
 * take time proportional to it here, measured against the same pattern on a text a quarter as long
 * in the same run; RE2's refusals and bounds; replace_regex's rewrite and empty-match rules worked
 * by hand from RE2's GlobalReplace.
 */
import { DEFENDER_SCHEMAS, executeKql, Table, tablesFrom } from '../../src/kql';
import { KustoRegex, MAX_PROGRAM_SIZE, parseRewrite, RegexError } from '../../src/kql/regex';

/** The median time of `runs` calls of `work`, in ms. */
function medianMs(work: () => unknown, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

/** A command line of `words` words that almost matches `^(\w+\s?)*$`: the `!` at its end defeats it. */
const hostileLine = (words: number): string => `${'word '.repeat(words)}!`;

describe('linear time on hostile patterns and texts', () => {
  test.each([
    ['the probe: ^(\\w+\\s?)*$', '^(\\w+\\s?)*$', (r: KustoRegex, s: string) => r.test(s)],
    ['the probe as trim_end anchors it: (?:(\\w+\\s?)*)$', '(?:(\\w+\\s?)*)$', (r: KustoRegex, s: string) => r.firstMatch(s)?.start],
    ['nested quantifiers: (a|aa)+$ over a run of a', '(a|aa)+$', (r: KustoRegex, s: string) => r.test(s.replace(/[^!]/g, 'a'))],
    ['with a group to extract: ^((\\w+\\s?)*)$', '^((\\w+\\s?)*)$', (r: KustoRegex, s: string) => r.firstMatch(s)?.group(1)],
  ])('%s: four times the text costs about four times the time, not more', (_name, pattern, run) => {
    const regex = KustoRegex.compile(pattern);
    const short = hostileLine(1000);
    const long = hostileLine(4000);
    run(regex, short);
    const shortMs = medianMs(() => run(regex, short));
    const longMs = medianMs(() => run(regex, long));
    expect(longMs).toBeLessThan(Math.max(16 * shortMs, 50));
    expect(longMs).toBeLessThan(5_000);
  });

  test('the probe rule over long command lines, through the engine', () => {
    const now = new Date('2026-01-15T09:00:00Z');
    const lines = [hostileLine(4000), `${hostileLine(2000)} tail`, 'C:\\Windows\\System32\\cmd.exe /c whoami'];
    const events = lines.map((ProcessCommandLine, i) => ({ DeviceId: `d${i}`, DeviceName: `ws-${i}`, Timestamp: now.toISOString(), ProcessCommandLine }));
    const tables = tablesFrom([Table.fromRecords('DeviceProcessEvents', DEFENDER_SCHEMAS.DeviceProcessEvents, events)]);
    const started = performance.now();
    const result = executeKql(
      String.raw`DeviceProcessEvents
| extend Tail = trim_end(@'(\w+\s?)*', ProcessCommandLine), Whole = ProcessCommandLine matches regex @'^(\w+\s?)*$'
| project DeviceId, TailLength = strlen(Tail), Whole`,
      { tables, now },
    );
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.rows).toEqual([
      { DeviceId: 'd0', TailLength: lines[0]!.length, Whole: false },
      { DeviceId: 'd1', TailLength: lines[1]!.length - 'tail'.length, Whole: false },
      { DeviceId: 'd2', TailLength: lines[2]!.length - 'c whoami'.length, Whole: false },
    ]);
  });
});

describe('RE2, bounded', () => {
  test.each([
    ['look-ahead', '(?=K)', 'invalid or unsupported Perl syntax: `(?=`'],
    ['a back-reference', '(a)\\1', 'invalid escape sequence: `\\1`'],
    ['a repetition count above 1000', 'a{1001}', 'invalid repeat count: `{1001}`'],
    ['nested repetitions above 1000 in all', '(a{100}){11}', 'invalid repeat count'],
    ['an unbalanced parenthesis', 'a)(b', 'unexpected )'],
  ])('refuses %s', (_what, pattern, message) => {
    expect(() => KustoRegex.compile(pattern)).toThrow(RegexError);
    expect(() => KustoRegex.compile(pattern)).toThrow(message);
  });

  test(`refuses a program of more than ${MAX_PROGRAM_SIZE} instructions, accepts one just under`, () => {
    const alternatives = (n: number) => Array.from({ length: n }, (_, i) => `${i}\\w{999}`).join('|');
    expect(() => KustoRegex.compile(alternatives(9))).not.toThrow();
    const refusal = (() => {
      try {
        KustoRegex.compile(alternatives(11));
      } catch (error) {
        return error as RegexError;
      }
      throw new Error('accepted');
    })();
    expect(refusal).toMatchObject({ tooLarge: true, message: expect.stringContaining('is too large: 11013 instructions, at most 10000') });
  });

  test('RE2 semantics where JavaScript differs: \\s is not \\v, . is not \\n, \\pL and \\x{…} exist', () => {
    expect(KustoRegex.compile('^\\s$').test('\u000b')).toBe(false);
    expect(KustoRegex.compile('a.b').test('a\nb')).toBe(false);
    expect(KustoRegex.compile('(?s)a.b').test('a\nb')).toBe(true);
    expect(KustoRegex.compile('^\\pL+$').test('Krämer')).toBe(true);
    expect(KustoRegex.compile('^\\w+$').test('Krämer')).toBe(false);
    expect(KustoRegex.compile('\\x{00DC}').test('DWSNET OÜ')).toBe(true);
    expect(KustoRegex.compile('^.$').test('😀')).toBe(true);
  });
});

describe('replace_regex as RE2 rewrites', () => {
  const replace = (text: string, pattern: string, rewrite: string): string => {
    const regex = KustoRegex.compile(pattern);
    return regex.replaceAll(text, parseRewrite(rewrite, regex.groupCount));
  };

  test.each([
    ['baaac', 'a*', '-', '-b-c-'],
    ['abc', 'x*', '-', '-a-b-c-'],
    ['', 'x*', '-', '-'],
    ['😀😀', '', '-', '-😀-😀-'],
    ['Number is 1.5', 'is (\\d+)', 'was: \\1', 'Number was: 1.5'],
    ['ws-fin-014', '(\\w+)-(\\w+)', '\\2_\\1\\0', 'fin_wsws-fin-014'],
    ['ab', '(a)|(b)', '[\\2]', '[][b]'],
    ['a.b', '\\.', '\\\\', 'a\\b'],
    ['ab', '(a)', '$1', '$1b'],
    ['no match here', 'z+', '-', 'no match here'],
  ])('%j =~ s/%s/%s/g → %j', (text, pattern, rewrite, expected) => {
    expect(replace(text, pattern, rewrite)).toBe(expected);
  });

  test('a rewrite with another escape, or a group the pattern lacks, is refused', () => {
    expect(() => parseRewrite('\\n', 0)).toThrow('has the escape \\n');
    expect(() => parseRewrite('trailing \\', 0)).toThrow('has the escape \\');
    expect(() => parseRewrite('\\2', 1)).toThrow('refers to group 2, but the pattern has 1');
    expect(parseRewrite('a\\1b\\\\', 1)).toEqual(['a', 1, 'b\\']);
  });
});
