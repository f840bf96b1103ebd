import { parseHuntArgs, type HuntLimits } from '../../src/core/parse-hunt';
import { tokenize } from '../../src/core/tokenize';
import { UserError } from '../../src/core/user-error';
import { loadCatalog } from '../../src/hunt/catalog';
import { parseWindow } from '../../src/hunt/window';

const limits: HuntLimits = { catalog: loadCatalog(), maxWindow: parseWindow('30d')!, backendName: 'sample data' };
const DAY = 86_400_000;

function parse(text: string) {
  return parseHuntArgs(tokenize(text), limits);
}

function refusal(text: string): UserError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

describe('hunt arguments', () => {
  test.each([
    ['kaseya', 'kaseya', 5 * DAY, undefined],
    ['Kaseya 5d', 'kaseya', 5 * DAY, undefined],
    ['KASEYA 12h', 'kaseya', 12 * 3_600_000, undefined],
    ['kaseya P2D', 'kaseya', 2 * DAY, undefined],
    ['kaseya PT30M', 'kaseya', 30 * 60_000, undefined],
    ['kaseya 2w', 'kaseya', 14 * DAY, undefined],
    ['kaseya 24h device WS-FIN-014', 'kaseya', DAY, 'WS-FIN-014'],
    ['kaseya device ws-fin-014.contoso.com 24h', 'kaseya', DAY, 'ws-fin-014.contoso.com'],
    ['kaseya DEVICE WS-FIN-014', 'kaseya', 5 * DAY, 'WS-FIN-014'],
    ['anydesk', 'anydesk', 5 * DAY, undefined],
    ['AnyDesk 1d', 'anydesk', DAY, undefined],
    ['teamviewer 30d', 'teamviewer', 30 * DAY, undefined],
    ['screenconnect', 'connectwise', 5 * DAY, undefined],
  ])('%j', (text, toolId, ms, device) => {
    const args = parse(text);
    expect(args.tool.id).toBe(toolId);
    expect(args.window.ms).toBe(ms);
    expect(args.device).toBe(device);
  });

  test.each([
    ['', /Which tool/],
    ['kasea', /I don't know the tool 'kasea'.*/],
    ['kaseya 5x', /'5x' is not a time window/],
    ['kaseya 0d', /'0d' is not a time window/],
    ['kaseya 5d 6d', /One time window/],
    ['kaseya 31d', /31d is longer than sample data can answer/],
    ['kaseya device', /Which device/],
    ['kaseya device a device b', /One device at a time/],
    ["kaseya device x'or'1", /is not a device name/],
    ['kaseya device "two words"', /is not a device name/],
    ['kaseya device ../../etc/passwd', /is not a device name/],
    ['kaseya | take 10', /I didn't understand '\|'/],
    ['kaseya 5d please', /I didn't understand 'please'/],
  ])('%j is refused with the usage', (text, message) => {
    const error = refusal(text);
    expect(`${error.title} ${error.hint}`).toMatch(message);
    expect(error.usage).toEqual(['hunt <tool> [window] [device <name>]']);
  });

  test('an unknown tool gets the closest names', () => {
    expect(refusal('kasea').hint).toMatch(/Did you mean Kaseya/);
    expect(refusal('anydisk').hint).toMatch(/Did you mean .*AnyDesk/);
    expect(refusal('zzzzzzzzzz').hint).not.toMatch(/Did you mean/);
  });
});
