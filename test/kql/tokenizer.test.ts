import { KqlError } from '../../src/kql';
import { SourceText } from '../../src/kql/source-text';
import { tokenize } from '../../src/kql/tokenizer';

const lex = (text: string): Array<[string, string | number | boolean]> =>
  tokenize(new SourceText(text))
    .filter((t) => t.kind !== 'end')
    .map((t) => [t.kind, t.value ?? t.text]);

const lexError = (text: string): KqlError => {
  try {
    tokenize(new SourceText(text));
  } catch (e) {
    if (e instanceof KqlError) return e;
    throw e;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
};

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('tokenizer', () => {
  test.each<[string, Array<[string, string | number | boolean]>]>([
    ['T | where a == b', [['identifier', 'T'], ['punctuation', '|'], ['identifier', 'where'], ['identifier', 'a'], ['punctuation', '=='], ['identifier', 'b']]],
    ['Time_start..Time_end', [['identifier', 'Time_start'], ['punctuation', '..'], ['identifier', 'Time_end']]],
    ['1..2', [['long', 1], ['punctuation', '..'], ['long', 2]]],
    ['1.5..2', [['real', 1.5], ['punctuation', '..'], ['long', 2]]],
    ['a =~ b != c !~ d', [['identifier', 'a'], ['punctuation', '=~'], ['identifier', 'b'], ['punctuation', '!='], ['identifier', 'c'], ['punctuation', '!~'], ['identifier', 'd']]],
    ['a !has b', [['identifier', 'a'], ['identifier', '!has'], ['identifier', 'b']]],
    ['a !in~ (b)', [['identifier', 'a'], ['identifier', '!in~'], ['punctuation', '('], ['identifier', 'b'], ['punctuation', ')']]],
    ['a // comment == x\r\nb', [['identifier', 'a'], ['identifier', 'b']]],
    ['//\n', []],
    ['42 1.5 1e3 2.5E-1 0x1F', [['long', 42], ['real', 1.5], ['real', 1000], ['real', 0.25], ['long', 31]]],
    ['true True TRUE false False FALSE tRue', [['bool', true], ['bool', true], ['bool', true], ['bool', false], ['bool', false], ['bool', false], ['identifier', 'tRue']]],
    ['$x _y', [['identifier', '$x'], ['identifier', '_y']]],
  ])('%j', (text, expected) => {
    expect(lex(text)).toEqual(expected);
  });

  test.each<[string, number]>([
    ['5d', 5 * DAY],
    ['12h', 12 * HOUR],
    ['30m', 30 * MINUTE],
    ['1.5h', 1.5 * HOUR],
    ['10s', 10_000],
    ['100ms', 100],
    ['10microsecond', 0.01],
    ['1tick', 0.0001],
    ['2days', 2 * DAY],
    ['3min', 3 * MINUTE],
    ['1hr', HOUR],
    ['90minutes', 90 * MINUTE],
    ['007d', 7 * DAY],
  ])('timespan literal %s', (text, ms) => {
    const [token] = tokenize(new SourceText(text));
    expect(token!.kind).toBe('timespan');
    expect(token!.value).toBeCloseTo(ms, 10);
  });

  test.each<[string, string]>([
    [`'Kaseya'`, 'Kaseya'],
    [`"Kaseya"`, 'Kaseya'],
    [`'it\\'s'`, "it's"],
    [`"say \\"hi\\""`, 'say "hi"'],
    [`'a"b'`, 'a"b'],
    [`"a'b"`, "a'b"],
    [`'C:\\\\temp'`, 'C:\\temp'],
    [`'\\n\\r\\t'`, '\n\r\t'],
    [`'\\u00DC\\x41\\101'`, 'ÜAA'],
    [`@'C:\\temp\\'`, 'C:\\temp\\'],
    [`@'it''s'`, "it's"],
    [`@"say ""hi"""`, 'say "hi"'],
    [`h'secret'`, 'secret'],
    [`H@"x\\y"`, 'x\\y'],
    ['```multi\nline```', 'multi\nline'],
    [`'DWSNET OÜ'`, 'DWSNET OÜ'],
  ])('string literal %s', (text, value) => {
    expect(lex(text)).toEqual([['string', value]]);
  });

  test.each<[string, string, number, number]>([
    ['let a = 2w;', "invalid literal '2w': weeks are not a Kusto timespan unit", 1, 9],
    ['x\r\n| where t > 5D', "invalid literal '5D'", 2, 13],
    ['5d5', "invalid literal '5d5'", 1, 1],
    ["where a == 'abc", 'unterminated string literal', 1, 12],
    ["'line\nbreak'", 'unterminated string literal', 1, 1],
    ["a\n  'bad \\q escape'", "invalid escape sequence '\\q'", 2, 8],
    ['T\r\n| where x == #', "unexpected character '#'", 2, 14],
    ['a ! b', "unexpected character '!'", 1, 3],
  ])('%j is a syntax error', (text, message, line, column) => {
    const error = lexError(text);
    expect(error.kind).toBe('syntax');
    expect(error.detail).toContain(message);
    expect(error.position).toEqual({ line, column });
    expect(error.message).toContain(`(line ${line}, column ${column})`);
  });

  test('token offsets point into the text', () => {
    const text = "let x = 'a';\r\nT";
    const tokens = tokenize(new SourceText(text));
    expect(tokens.map((t) => text.slice(t.start, t.end))).toEqual(['let', 'x', '=', "'a'", ';', 'T', '']);
  });
});
