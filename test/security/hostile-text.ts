/**
 * fast-check arbitraries of hostile chat text: quotes (straight, typographic, full-width, look-alike
 * apostrophes), backslashes, line breaks of every kind, pipes and semicolons, KQL keywords, operators
 * and comment starts, control commands, Unicode confusables, bidirectional controls, zero-width
 * characters, lone surrogates, combining marks; mixed with HuntOps' own keywords so that many of them
 * are commands that parse, and with arbitrary code points.
 */
import fc from 'fast-check';

/** Pieces of hostile text. */
export const HOSTILE_FRAGMENTS: readonly string[] = [
  "'", '"', '`', '\u2018', '\u2019', '\u201a', '\u201b', '\u201c', '\u201d', '\u201e', '\u201f', '\u2032', '\u2033', '\u02bc', '\u02b9', '\uff07', '\uff02', '\u275b', '\u275c',
  '\\', '\\\\', "\\'", '\\"', '\\n', '\\u0027', '\\x27',
  '\n', '\r', '\r\n', '\t', '\v', '\f', '\u0085', '\u2028', '\u2029', '\u00a0', '\u3000', '\u1680',
  '|', '||', ';', ';;', '//', '/*', '*/', '--', '#', '<!--', '..', ',', '(', ')', '[', ']', '{', '}', '=', '==', '=~', '!=', '!~', '<>', '>', '<', '@', '@"', "@'", "h'", "H'", 'h@"', '$', '$left', '%', '+', '*',
  'where', 'project', 'extend', 'take', 'union', 'join', 'summarize', 'let', 'or', 'and', 'not', 'has', 'has_any', '!has', 'contains', 'matches regex', 'between', 'in~', 'print', 'evaluate', 'invoke', 'materialize', 'toscalar',
  'externaldata', 'database("x")', 'cluster("attacker.invalid")', '.drop table DeviceFileCertificateInfo', '.set-or-append', '.show tables', 'render', 'datatable(x:string)["a"]', 'range x from 1 to 1000000000 step 1',
  "' or 1==1 //", "'; DeviceFileCertificateInfo | take 1000000 //", '" | project-away * //', "\\' | union *", '<at>HuntOps</at>', '&nbsp;', '&#39;', '%27', '%0a',
  '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u034f', '\u180e',
  '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c',
  '\u0430', '\u0435', '\u043e', '\u0440', '\u0441', '\u0445', '\u0391', '\u03bf', '\u0456', '\u04cf', '\uff4b', '\uff41', '\u212a', '\u0131', '\u0130', '\u00df', '\ufb00', '\u0301', '\u0336', '\u20dd',
  '\u05d0', '\u05d1', '\u0628', '\u0661', '\u06f5', '\uff13', '\u0969', '\u1d7d8',
  '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', '\ud83d', '\u{1f4a9}', '\u{e0041}', '\u{10ffff}',
  '\u0000', '\u0001', '\u0007', '\u0008', '\u001b', '\u007f', '\u009b', '\ufffd', '\ufff9', '\uffff',
  'hunt', 'HUNT', 'check', 'tools', 'help', 'exclude', 'exclusions', 'unexclude', 'incident', 'audit', 'rules',
  'kaseya', 'anydesk', 'team viewer', 'teamviewer', 'screenconnect', 'all', 'device', 'DEVICE', 'in', 'proc', 'net', 'reason', 'for', 'channel here',
  '5d', '90m', '12h', '2w', 'P5D', 'PT12H', 'P1DT12H', '0d', '-5d', '5.5d', '1e9d', '999999999999d', 'P99999999999D', '30d', '91d',
  'WS-FIN-014', 'ws-fin-014.contoso.com', 'IT-ADM-*', 'it-adm-00?',
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));

/** A separator between fragments. */
const separator = fc.constantFrom(' ', '', '  ', '\t', '\n', '\u00a0', '\u3000', '"', '\u201c', '\u201d');

/** Fragments of {@link HOSTILE_FRAGMENTS} and arbitrary code points, joined. */
export function hostileText(options: { maxParts?: number } = {}): fc.Arbitrary<string> {
  const part = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
    { weight: 1, arbitrary: loneSurrogate },
  );
  return fc
    .array(fc.tuple(part, separator), { maxLength: options.maxParts ?? 24 })
    .map((pairs) => pairs.map(([p, s]) => p + s).join(''));
}

/** Characters device names may have (letters and digits of any script) and the odd ones they may not. */
const DEVICE_CHARS = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('')) },
  { weight: 3, arbitrary: fc.constantFrom('.', '-', '_', '$') },
  { weight: 2, arbitrary: fc.constantFrom('\u0430', '\u0435', '\u043e', '\u0391', '\u212a', '\u0130', '\u0131', '\u00df', '\u05d0', '\u0628', '\u0661', '\uff13', '\uff41', '\u00e9', '\u4e2d', '\u{1d400}') },
  { weight: 1, arbitrary: fc.constantFrom("'", '"', '\\', '|', ';', '/', '*', ' ', '\n', '\u202e', '\u200b', '\u200f', '\ud800', '\u0000', '\u2028') },
);

/** A device name: mostly one the parser takes (any script's letters and digits), sometimes not. */
export function deviceName(): fc.Arbitrary<string> {
  return fc.array(DEVICE_CHARS, { minLength: 1, maxLength: 40 }).map((chars) => chars.join(''));
}

/** Any string a builder might be handed as a device: hostile text, device names, arbitrary code points. */
export function anyDeviceText(): fc.Arbitrary<string> {
  return fc.oneof(
    hostileText({ maxParts: 8 }).filter((s) => s.length > 0),
    deviceName(),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
    fc.string({ unit: fc.oneof(fc.constantFrom(...HOSTILE_FRAGMENTS), loneSurrogate), minLength: 1, maxLength: 12 }),
  );
}

/** How a word is written in chat: as is, upper-cased, or quoted (straight or typographic). */
function written(word: string): fc.Arbitrary<string> {
  return fc.constantFrom(word, word.toUpperCase(), `"${word}"`, `\u201c${word}\u201d`, `\u201e${word}\u201c`);
}

/**
 * `hunt <tool> [window] [proc|net] [device <name>]`, `hunt all …` and `check <name> …` in chat's many
 * spellings, with hostile device names and windows; most parse.
 */
export function commandText(toolWords: readonly string[]): fc.Arbitrary<string> {
  const window = fc.constantFrom('', '5d', '90m', '12h', '2w', 'P5D', 'PT12H', 'P1DT12H', '30d', '0d', '5x', '99999999999999d', '999999w', 'P999999W', 'P999999DT999999H');
  const kind = fc.constantFrom('', '', 'proc', 'net', 'process', 'network', 'sig');
  const device = fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 6, arbitrary: deviceName() }, { weight: 1, arbitrary: hostileText({ maxParts: 4 }) });
  const hunt = fc
    .tuple(fc.constantFrom(...toolWords, 'all'), window, kind, device, fc.boolean())
    .chain(([tool, w, k, d, deviceFirst]) => {
      const deviceWords = d === '' ? [] : [fc.constantFrom('device', 'DEVICE', 'Device'), written(d)];
      const options = deviceFirst ? [...deviceWords, written(w), written(k)] : [written(w), written(k), ...deviceWords];
      return fc.tuple(written('hunt'), written(tool), ...options);
    })
    .map((words) => words.filter((w) => w !== '' && w !== '""' && w !== '\u201c\u201d' && w !== '\u201e\u201c').join(' '));
  const check = fc
    .tuple(fc.constantFrom('check', 'CHECK'), deviceName(), window)
    .map(([c, d, w]) => [c, d, w].filter(Boolean).join(' '));
  return fc.oneof({ weight: 4, arbitrary: hunt }, { weight: 1, arbitrary: check });
}
