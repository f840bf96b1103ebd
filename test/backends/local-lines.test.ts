/**
 * Reading a data file line by line in chunks: lines, CRLF pairs and multi-byte characters split
 * across chunk boundaries come out whole.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { forEachLine } from '../../src/backends/local-lines';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'huntops-lines-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function lines(content: string | Buffer, chunkBytes: number): Promise<Array<[number, string]>> {
  const file = path.join(dir, 'f.jsonl');
  writeFileSync(file, content);
  const out: Array<[number, string]> = [];
  await forEachLine(file, (line, n) => out.push([n, line]), { chunkBytes });
  return out;
}

describe('forEachLine', () => {
  const text = '\ufeff{"Signer":"DWSNET OÜ"}\r\n\r\n{"Signer":"Krämer IT"}\n{"Signer":"€ 🎉"}';

  test.each([1, 2, 3, 5, 7, 64, 4096])('gives the same lines whatever the chunk size (%i bytes)', async (chunkBytes) => {
    expect(await lines(text, chunkBytes)).toEqual([
      [1, '{"Signer":"DWSNET OÜ"}'],
      [2, ''],
      [3, '{"Signer":"Krämer IT"}'],
      [4, '{"Signer":"€ 🎉"}'],
    ]);
  });

  test('an empty file has no lines; a final line feed adds none', async () => {
    expect(await lines('', 8)).toEqual([]);
    expect(await lines('a\n', 8)).toEqual([[1, 'a']]);
  });
});
