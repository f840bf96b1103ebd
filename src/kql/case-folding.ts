/**
 * Case-insensitive comparison as Kusto's `=~`, `has`, `startswith` need it. Kusto documents these
 * operators as case-insensitive without naming a culture. The engine's choice: compare
 * upper-cased text one character at a time, as .NET's ordinal ignore-case comparison does (Kusto
 * is a .NET service), so `ü` matches `Ü` and `ſ` matches `s`, but `ß` does not match `SS`.
 * Folding never changes the length of a string, so an offset in the folded text is an offset in
 * the original.
 */

const ASCII = /^[\x00-\x7f]*$/;

/** `text` upper-cased one code point at a time, keeping any character whose upper case is longer. */
export function foldCase(text: string): string {
  if (ASCII.test(text)) return text.toUpperCase();
  let folded = '';
  for (const ch of text) {
    const upper = ch.toUpperCase();
    folded += upper.length === ch.length ? upper : ch;
  }
  return folded;
}
