import { MAX_COMMAND_LENGTH, tokenize } from '../../src/core/tokenize';
import { UserError } from '../../src/core/user-error';

describe('tokenize', () => {
  test.each([
    ['hunt kaseya 5d', ['hunt', 'kaseya', '5d']],
    ['  hunt   kaseya\t5d \n', ['hunt', 'kaseya', '5d']],
    ['HUNT Kaseya', ['HUNT', 'Kaseya']],
    ['reason "IT admin workstations" for 90d', ['reason', 'IT admin workstations', 'for', '90d']],
    ['reason \u201cIT admin\u201d', ['reason', 'IT admin']],
    ['reason \u201eIT admin\u201c', ['reason', 'IT admin']],
    ['a"b c"', ['a', 'b c']],
    ['""', ['']],
    ["device O'Brien-PC", ['device', "O'Brien-PC"]],
    ['', []],
    ['\u00a0', []],
  ])('%j → %j', (text, words) => {
    expect(tokenize(text)).toEqual(words);
  });

  test('an unclosed quote is a user error', () => {
    expect(() => tokenize('exclude device x reason "never closed')).toThrow(UserError);
  });

  test('a message longer than a command can be is a user error, not a hang', () => {
    const started = Date.now();
    expect(() => tokenize('a'.repeat(1_000_000))).toThrow(/too long/);
    expect(tokenize('a'.repeat(MAX_COMMAND_LENGTH))).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
