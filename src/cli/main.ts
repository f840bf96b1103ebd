/**
 * `huntops`: any chat command from a terminal or a script, against the configured backend.
 *   huntops "hunt kaseya 5d"        readable table
 *   huntops --json hunt kaseya 5d   the cards (JSON array, one per page)
 */
import os from 'node:os';
import { ConfigError, loadConfig, type Config } from '../config';
import type { Log } from '../core/log';
import { openParsedStore } from '../store/open-store';
import type { Store } from '../store/store';
import type { RequestContext } from '../core/context';
import type { Reply } from '../core/reply';
import type { ResultGroup, View } from '../core/views';
import { VERBS } from '../core/verbs';
import { renderCard } from '../cards/render';
import { loadCore } from '../load-core';
import { createLogger } from '../logger';
import { viewText } from './text-view';

const USAGE = 'usage: huntops [--json] <command...>   e.g. huntops "hunt kaseya 5d", huntops tools, huntops help';

/** Exit codes: 0 answered, 1 the hunt failed, 2 the command was wrong. */
function exitCode(view: View): number {
  if (view.name === 'huntFailed') return 1;
  if (view.name === 'notice' && view.tone !== 'default' && view.tone !== 'good') return 2;
  return 0;
}

async function settle(reply: Reply): Promise<View> {
  if (reply.kind === 'view') return reply.view;
  return reply.complete({ messageId: 'cli' }, async () => {});
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: readonly string[], out: (text: string) => void): Promise<number> {
  const json = argv.includes('--json');
  const words = argv.filter((a) => a !== '--json');
  if (words.length === 0 || words[0] === '--help' || words[0] === '-h') {
    out(USAGE);
    return words.length === 0 ? 2 : 0;
  }
  const loaded = loadConfig();
  // One answer and the process ends: a hunt waits for the local data however long it loads.
  const config: Config = loaded.backend.kind === 'local' ? { ...loaded, backend: { ...loaded.backend, engine: { ...loaded.backend.engine, loadWaitSeconds: Infinity } } } : loaded;
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const store = await openParsedStore(config.store);
  try {
    return await runWith(store, config, log, words, json, out);
  } finally {
    await store.close();
  }
}

async function runWith(store: Store, config: Config, log: Log, words: readonly string[], json: boolean, out: (text: string) => void): Promise<number> {
  const { app } = await loadCore(config, { store, log, instanceId: `cli:${os.hostname()}` });
  const user = os.userInfo().username;
  const context: RequestContext = {
    caller: { id: `cli:${user}`, name: user },
    conversation: { id: `cli:${os.hostname()}`, kind: 'personal' },
    requestId: `cli:${process.pid}:${Date.now()}`,
  };
  const first = await settle(await app.handleMessage(words.join(' '), context));
  const views: View[] = [first];
  if (first.name === 'huntResult') {
    for (let page = 2; page <= first.pageCount; page += 1) {
      views.push(await settle(await app.handleAction(VERBS.huntPage, { huntId: first.huntId, page }, context)));
    }
  }
  if (json) {
    out(JSON.stringify(views.map(renderCard), null, 2));
  } else {
    const groups = views.flatMap((v): readonly ResultGroup[] => (v.name === 'huntResult' ? v.groups : []));
    out(viewText(first, groups));
  }
  return exitCode(first);
}

/** The `huntops` bin: runs the CLI on the process's arguments and exits with its code. */
export function main(): void {
  runCli(process.argv.slice(2), (text) => process.stdout.write(`${text}\n`))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      process.stderr.write(`huntops: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    });
}
