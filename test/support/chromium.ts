/**
 * Debian's Chromium driven by playwright-core, for end-to-end tests against the Agents Playground.
 * Nothing downloads a browser: the executable is the system package (`apt-get install -y chromium`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage } from 'playwright-core';

/** The system Chromium (Debian package `chromium`). */
export const CHROMIUM_EXECUTABLE = '/usr/bin/chromium';

/** Flags from DESIGN.md: headless, no sandbox (containers), no GPU, no background traffic. */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A running Chromium with its own temporary profile. */
export interface ChromiumSession {
  readonly context: BrowserContext;
  /**
   * Requests to anything but loopback, which were aborted on purpose (the Playground's page asks a
   * public CDN for an animation worklet): on a machine with or without internet alike.
   */
  readonly blockedRequests: readonly string[];
  /**
   * Whether a console message only reports a request this session blocked: Chromium logs "Failed to
   * load resource: net::ERR_BLOCKED_BY_CLIENT…" at the blocked URL for a fetch, and "Failed to load
   * worklet module script: <blocked URL> (Network error)" for a worklet. Any other error is the page's own.
   */
  isBlockedRequestError(message: ConsoleMessage): boolean;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Options of {@link launchChromium}. */
export interface LaunchChromiumOptions {
  /** Window size; default 1400x900, wide enough for the Playground's three panes. */
  viewport?: { width: number; height: number };
}

/**
 * Launches Debian's Chromium with {@link CHROMIUM_FLAGS} and a fresh user-data-dir. Every request
 * that does not go to loopback is aborted, so a test never depends on (or talks to) the internet,
 * and behaves the same on a machine with loopback only.
 */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<ChromiumSession> {
  if (!existsSync(CHROMIUM_EXECUTABLE)) {
    throw new Error(`${CHROMIUM_EXECUTABLE} not found: install Debian's browser with \`apt-get install -y chromium\``);
  }
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'huntops-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_EXECUTABLE,
      headless: true,
      args: [...CHROMIUM_FLAGS],
      viewport: options.viewport ?? { width: 1400, height: 900 },
    });
    const blockedRequests: string[] = [];
    await context.route(
      (url) => !LOOPBACK_HOSTS.has(url.hostname),
      async (route) => {
        blockedRequests.push(route.request().url());
        await route.abort('blockedbyclient');
      },
    );
    return {
      context,
      blockedRequests,
      isBlockedRequestError(message) {
        const text = message.text();
        if (blockedRequests.some((url) => text.includes(url))) return true;
        return text.startsWith('Failed to load resource: net::ERR_BLOCKED_BY_CLIENT') && blockedRequests.includes(message.location().url);
      },
      async close() {
        await context.close();
        rmSync(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
