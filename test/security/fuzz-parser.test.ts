/**
 * Property-based fuzzing of the command parser alone (fast, so many inputs): `tokenize`,
 * `parseHuntArgs` and `parseCheckArgs` either parse or throw a UserError (shown to the analyst with a
 * hint), never anything else; what they parse is made of the input's own words: a device name of
 * letters and digits (any script) with dots, dashes, underscores and dollars, a window of whole
 * minutes, a tool that has the hunt asked for.
 *
 * `HUNT_FUZZ_SCALE=10` multiplies the counts.
 */
import fc from 'fast-check';
import { parseCheckArgs, parseHuntArgs } from '../../src/core/parse-hunt';
import { MAX_COMMAND_LENGTH, tokenize } from '../../src/core/tokenize';
import { UserError } from '../../src/core/user-error';
import { loadCatalog } from '../../src/hunt/catalog';
import { NO_RULES } from '../../src/hunt/rule-book';
import { commandText, hostileText } from './hostile-text';

const SCALE = Number(process.env.HUNT_FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
const catalog = loadCatalog();
const toolWords = [...new Set(catalog.tools.flatMap((t) => [t.id, t.name, ...t.aliases]))];
const vocabulary = { catalog, rules: NO_RULES };
const DEVICE = /^[\p{L}\p{N}][\p{L}\p{N}._$-]{0,254}$/u;

const tally: Record<string, number> = {};
const count = (key: string) => (tally[key] = (tally[key] ?? 0) + 1);

afterAll(() => {
  process.stdout.write(`fuzz-parser counts: ${JSON.stringify(tally)}\n`);
});

/** Runs `parse`; a UserError is an answer, anything else thrown is a failure. */
function attempt<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UserError) {
      expect(error.title.length).toBeGreaterThan(0);
      return undefined;
    }
    throw error;
  }
}

function checkWindowShape(ms: number): void {
  expect(ms).toBeGreaterThan(0);
  if (Number.isSafeInteger(ms)) expect(ms % 60_000).toBe(0);
}

function parseAll(text: string): void {
  const words = attempt(() => tokenize(text));
  if (!words) {
    count('tokenize refused');
    return;
  }
  expect(text.length).toBeLessThanOrEqual(MAX_COMMAND_LENGTH);
  for (const word of words) expect(text).toContain(word);
  const [command, ...rest] = words;
  if (command?.toLowerCase() === 'hunt') {
    const args = attempt(() => parseHuntArgs(rest, vocabulary));
    if (!args) return void count('hunt refused');
    count('hunt parsed');
    checkWindowShape(args.window.ms);
    if (args.device !== undefined) {
      expect(args.device).toMatch(DEVICE);
      expect(rest).toContain(args.device);
    }
    if (args.subject.kind === 'tool') {
      const { tool, huntKind } = args.subject;
      expect(huntKind === 'file-signature' ? tool.fileSignature : huntKind === 'process' ? tool.process : tool.network).toBeTruthy();
    }
  } else if (command?.toLowerCase() === 'check') {
    const args = attempt(() => parseCheckArgs(rest));
    if (!args) return void count('check refused');
    count('check parsed');
    checkWindowShape(args.window.ms);
    expect(args.device).toMatch(DEVICE);
    expect(rest[0]).toBe(args.device);
  } else {
    count('other');
  }
}

describe('the command parser under hostile text', () => {
  test('hostile text', () => {
    fc.assert(fc.property(hostileText(), parseAll), { numRuns: runs(20_000) });
  }, 300_000);

  test('hunt and check commands in chat’s many spellings', () => {
    fc.assert(fc.property(commandText(toolWords), parseAll), { numRuns: runs(20_000) });
    expect(tally['hunt parsed']).toBeGreaterThan(runs(20_000) / 10);
  }, 300_000);

  test('hostile text after hunt and check', () => {
    fc.assert(fc.property(fc.constantFrom('hunt', 'check', 'hunt kaseya', 'hunt all', 'hunt kaseya 5d device', 'check ws-1'), hostileText({ maxParts: 10 }), (head, rest) => parseAll(`${head} ${rest}`)), {
      numRuns: runs(10_000),
    });
  }, 300_000);

  test('megabyte messages are refused at once, whatever they hold', () => {
    for (const piece of ["'", '\\', '\n', '|', '\u202e', '\u200b', '\ud800', '\u201c', 'hunt kaseya device ']) {
      const text = piece.repeat(Math.ceil((1024 * 1024) / piece.length));
      const started = performance.now();
      expect(() => tokenize(text)).toThrow(UserError);
      expect(performance.now() - started).toBeLessThan(1_000);
      count('megabyte refused');
    }
  });
});
