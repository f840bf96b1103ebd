import { checkWindow, HUNT_USAGE, parseCheckArgs, parseHuntArgs, type HuntArgs } from '../../src/core/parse-hunt';
import { tokenize } from '../../src/core/tokenize';
import { UserError } from '../../src/core/user-error';
import { loadCatalog } from '../../src/hunt/catalog';
import { RuleBook } from '../../src/hunt/rule-book';
import { defaultHuntKind, HUNT_KINDS, huntKindsOf } from '../../src/hunt/tool-lookup';
import { parseWindow } from '../../src/hunt/window';

/** The word that asks for each kind. */
const KEYWORD = { 'file-signature': 'file', process: 'proc', network: 'net' } as const;

const rule = {
  id: '732033dd-039b-426e-844f-1de2a67362fa',
  name: 'Kaseya signed binaries',
  description: '',
  query: 'DeviceFileCertificateInfo | take 1',
  tables: ['DeviceFileCertificateInfo'],
  tactics: [],
  techniques: [],
  source: 'rules/kaseya.yaml',
};
const vocabulary = { catalog: loadCatalog(), rules: new RuleBook([rule]) };
const DAY = 86_400_000;

function parse(text: string): HuntArgs {
  return parseHuntArgs(tokenize(text), vocabulary);
}

function refusal(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('accepted');
}

function describe_(args: HuntArgs): string {
  const s = args.subject;
  const what = s.kind === 'tool' ? `${s.tool.id}/${s.huntKind}` : s.kind === 'rule' ? `rule:${s.rule.id}` : 'all';
  return [what, args.window.ms / 60_000, args.device ?? '-', args.workspace ?? '-'].join(' ');
}

describe('hunt arguments', () => {
  test.each([
    ['kaseya', `kaseya/file-signature ${5 * 1440} - -`],
    ['Kaseya 5d', `kaseya/file-signature ${5 * 1440} - -`],
    ['KASEYA 12h', 'kaseya/file-signature 720 - -'],
    ['kaseya P2D', `kaseya/file-signature ${2 * 1440} - -`],
    ['kaseya PT30M', 'kaseya/file-signature 30 - -'],
    ['kaseya 2w', `kaseya/file-signature ${14 * 1440} - -`],
    ['kaseya 24h device WS-FIN-014', 'kaseya/file-signature 1440 WS-FIN-014 -'],
    ['kaseya device ws-fin-014.contoso.com 24h', 'kaseya/file-signature 1440 ws-fin-014.contoso.com -'],
    ['kaseya DEVICE WS-FIN-014 in EMEA', `kaseya/file-signature ${5 * 1440} WS-FIN-014 EMEA`],
    ['anydesk 7d net', `anydesk/network ${7 * 1440} - -`],
    ['AnyDesk proc 1d', 'anydesk/process 1440 - -'],
    ['anydesk network', `anydesk/network ${5 * 1440} - -`],
    ['teamviewer 30d', `teamviewer/file-signature ${30 * 1440} - -`],
    ['screenconnect', `connectwise/file-signature ${5 * 1440} - -`],
    ['chrome remote desktop net', `chrome-remote-desktop/network ${5 * 1440} - -`],
    ['rustdesk', `rustdesk/process ${5 * 1440} - -`],
    ['addigy 1d', 'addigy/network 1440 - -'],
    ['all', `all ${5 * 1440} - -`],
    ['ALL 2d device it-adm-003', `all ${2 * 1440} it-adm-003 -`],
    ['732033dd-039b-426e-844f-1de2a67362fa 3d', `rule:${rule.id} ${3 * 1440} - -`],
    ['"kaseya signed binaries" 3d in apac', `rule:${rule.id} ${3 * 1440} - apac`],
  ])('%j', (text, expected) => {
    expect(describe_(parse(text))).toBe(expected);
  });

  test.each([
    ['', /What should I hunt for/],
    ['kasea', /I don't know the tool 'kasea'.*/],
    ['kaseya 5x', /'5x' is not a time window/],
    ['kaseya 0d', /'0d' is not a time window/],
    ['kaseya 5d 6d', /One time window/],
    ['kaseya device', /Which device/],
    ['kaseya in', /Which workspace/],
    ['kaseya in emea in apac', /One workspace at a time/],
    ['kaseya device a device b', /One device at a time/],
    ["kaseya device x'or'1", /is not a device name/],
    ['kaseya device "two words"', /is not a device name/],
    ['kaseya device ../../etc/passwd', /is not a device name/],
    ['kaseya | take 10', /I didn't understand '\|'/],
    ['kaseya 5d please', /I didn't understand 'please'/],
    ['addigy proc', /Addigy has no process hunt.*Its hunts: network/],
    ['rustdesk file', /RustDesk has no file signature hunt.*Its hunts: process, network/],
    ['anydesk proc net', /One kind of hunt at a time/],
    ['all net', /hunt all covers file signatures/],
    ['"kaseya signed binaries" net', /is a rule/],
    ['"kaseya signed binaries" device x', /is a rule/],
  ])('%j is refused with the usage', (text, message) => {
    const error = refusal(() => parse(text));
    expect(`${error.title} ${error.hint}`).toMatch(message);
    expect(error.usage).toEqual(HUNT_USAGE);
  });

  test('every tool is hunted bare by its default kind, and by every kind it has', () => {
    for (const tool of vocabulary.catalog.tools) {
      const kinds = huntKindsOf(tool);
      expect(describe_(parse(tool.id))).toBe(`${tool.id}/${defaultHuntKind(tool)} ${5 * 1440} - -`);
      expect(kinds[0]).toBe(defaultHuntKind(tool));
      for (const kind of kinds) expect(describe_(parse(`${tool.id} ${KEYWORD[kind]}`))).toBe(`${tool.id}/${kind} ${5 * 1440} - -`);
      for (const kind of HUNT_KINDS.filter((k) => !kinds.includes(k))) {
        const error = refusal(() => parse(`${tool.id} ${KEYWORD[kind]}`));
        expect(error.title).toBe(`${tool.name} has no ${kind.replace('-', ' ')} hunt`);
        expect(error.hint).toContain(`Its hunts: ${kinds.map((k) => k.replace('-', ' ')).join(', ')}.`);
        for (const k of kinds) expect(error.hint).toContain(`hunt ${tool.id} 5d${k === 'file-signature' ? '' : ` ${KEYWORD[k]}`}`);
      }
    }
  });

  test('an unknown tool gets the closest names', () => {
    expect(refusal(() => parse('kasea')).hint).toMatch(/Did you mean Kaseya/);
    expect(refusal(() => parse('anydisk')).hint).toMatch(/Did you mean .*AnyDesk/);
    expect(refusal(() => parse('zzzzzzzzzz')).hint).not.toMatch(/Did you mean/);
  });

  test('windows longer than where the hunt runs are refused there', () => {
    expect(() => checkWindow(parseWindow('30d')!, parseWindow('30d')!, 'Defender XDR')).not.toThrow();
    expect(refusal(() => checkWindow(parseWindow('31d')!, parseWindow('30d')!, 'Defender XDR')).title).toBe('That window is longer than Defender XDR can answer');
  });
});

describe('check arguments', () => {
  test.each([
    ['WS-FIN-014', 'WS-FIN-014', 5 * DAY, undefined],
    ['ws-fin-014.contoso.com 24h', 'ws-fin-014.contoso.com', DAY, undefined],
    ['ws-1 2d in emea', 'ws-1', 2 * DAY, 'emea'],
  ])('%j', (text, device, ms, workspace) => {
    expect(parseCheckArgs(tokenize(text))).toEqual({ device, window: { ms }, ...(workspace ? { workspace } : {}) });
  });

  test.each([
    ['', /Which device/],
    ["x' or 1", /is not a device name/],
    ['ws-1 net', /I didn't understand 'net'/],
    ['ws-1 device ws-2', /One device at a time/],
  ])('%j is refused', (text, message) => {
    const error = refusal(() => parseCheckArgs(tokenize(text)));
    expect(`${error.title} ${error.hint}`).toMatch(message);
  });
});
