/**
 * Reads a text file line by line, fast: the file is read in large chunks, decoded as UTF-8 (a
 * character split across chunks is kept whole) and cut at line feeds. A carriage return before a
 * line feed and a byte-order mark at the start are dropped. Lines are numbered from 1.
 */
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

/** Options of {@link forEachLine}. */
export interface ForEachLineOptions {
  /** Bytes read at a time (default 4 MiB). */
  readonly chunkBytes?: number;
}

/** Calls `onLine` with each line of `file` and its number. */
export async function forEachLine(file: string, onLine: (line: string, lineNumber: number) => void, options: ForEachLineOptions = {}): Promise<void> {
  const chunkBytes = options.chunkBytes ?? 4 * 1024 * 1024;
  const handle = await open(file, 'r');
  try {
    const decoder = new StringDecoder('utf8');
    const buffer = Buffer.allocUnsafe(chunkBytes);
    let pending = '';
    let lineNumber = 0;
    let first = true;
    const emit = (line: string): void => {
      lineNumber++;
      onLine(line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line, lineNumber);
    };
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      let text = pending + decoder.write(buffer.subarray(0, bytesRead));
      if (first && text !== '') {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        emit(text.slice(start, nl));
        start = nl + 1;
      }
      pending = text.slice(start);
    }
    const rest = pending + decoder.end();
    if (rest !== '') emit(rest);
  } finally {
    await handle.close();
  }
}
