/**
 * The end-to-end suite's artifacts folder (`test-artifacts/e2e/`, gitignored): a screenshot of each
 * step, numbered in the order taken, a screenshot of the screen when a test fails, and the logs of
 * the bot, the Playground and the page. Emptied when the suite starts and kept afterwards, whether
 * the suite passed or failed.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';

/** Where the suite writes its artifacts. */
export const E2E_ARTIFACTS_DIR = path.resolve(__dirname, '..', '..', 'test-artifacts', 'e2e');

/** A folder of numbered screenshots and logs. */
export class Artifacts {
  private count = 0;

  private constructor(readonly dir: string) {}

  /** Empties (or creates) `dir` and returns it as the artifacts folder. */
  static fresh(dir: string = E2E_ARTIFACTS_DIR): Artifacts {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    return new Artifacts(dir);
  }

  /**
   * Saves `NN-<name>.png`, numbered in the order taken: of a page, the visible screen (the
   * Playground scrolls inside its panes); of an element, the element. Returns the file.
   */
  async screenshot(target: Page | Locator, name: string): Promise<string> {
    this.count += 1;
    const file = path.join(this.dir, `${String(this.count).padStart(2, '0')}-${slug(name)}.png`);
    await target.screenshot({ path: file });
    return file;
  }

  /** Writes a text file. */
  write(name: string, text: string): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, text);
    return file;
  }

  /** Copies a file in (if it exists). */
  copy(from: string, name: string): void {
    if (existsSync(from)) copyFileSync(from, path.join(this.dir, name));
  }
}

/** A file-name-safe form of a step's name. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}

/**
 * A `test` that leaves a screenshot of the page behind when it fails: `artifacts` and `page` are
 * read when the step runs (the suite sets them up in `beforeAll`).
 */
export function screenshotOnFailure(artifacts: () => Artifacts, page: () => Page): (name: string, run: () => Promise<void>) => void {
  return (name, run) =>
    test(name, async () => {
      try {
        await run();
      } catch (error) {
        await artifacts()
          .screenshot(page(), `${name} FAILED`)
          .catch(() => undefined);
        throw error;
      }
    });
}
