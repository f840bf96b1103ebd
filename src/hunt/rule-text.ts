/**
 * The text of a hunting-rule file as the YAML parser should see it: decoded (UTF-8, UTF-16 with a
 * byte-order mark, or Windows-1252 when it is not UTF-8), without a byte-order mark, with `\n` line
 * endings. Real-world rule files come from Windows editors and web downloads; none of that is an
 * error in the rule.
 */

/** A decoded rule file. */
export interface RuleText {
  /** The text, `\n` line endings, no byte-order mark. */
  readonly text: string;
  /** Set when the bytes were not UTF-8 and were read in another encoding: a note for the user. */
  readonly encodingNote?: string;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes the bytes of a rule file and normalises its line endings. */
export function decodeRuleText(bytes: Uint8Array): RuleText {
  let text: string;
  let encodingNote: string | undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    text = new TextDecoder('utf-16le').decode(bytes.subarray(2));
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    text = new TextDecoder('utf-16be').decode(bytes.subarray(2));
  } else {
    try {
      text = UTF8.decode(bytes);
    } catch {
      text = new TextDecoder('windows-1252').decode(bytes);
      encodingNote = 'the file is not valid UTF-8; it was read as Windows-1252';
    }
  }
  return encodingNote ? { text: normaliseLineEndings(text), encodingNote } : { text: normaliseLineEndings(text) };
}

/** Removes a leading byte-order mark and turns `\r\n` and lone `\r` into `\n`. */
export function normaliseLineEndings(text: string): string {
  return text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n');
}
