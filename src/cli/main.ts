/**
 * `huntops`: any chat command from a terminal or a script, against the configured backend.
 *   huntops hunt kaseya 5d                                   words as the shell split them
 *   huntops exclude device X reason "IT admin" for 7d        (quoted words stay one word)
 *   huntops "hunt kaseya 5d"                                 one argument is read as a chat message
 *   huntops --json hunt kaseya 5d                            the cards (JSON array, one per page)
 *
 * Exit codes: 0 answered; 1 it could not be done (refused, not found, the hunt or check failed,
 * HuntOps could not start or failed); 2 the command was wrong (no command, an unknown one, or
 * words it does not take).
 */
import os from 'node:os';
import { createHuntOps } from '../app/create-huntops';
import { huntOpsOptions } from '../app/huntops-options';
import { renderCard } from '../cards/render';
import { loadConfig, type Config } from '../config';
import type { RequestContext } from '../core/context';
import type { Log } from '../core/log';
import type { Reply } from '../core/reply';
import { VERBS } from '../core/verbs';
import type { ResultGroup, View } from '../core/views';
import { createLogger } from '../logger';
import { openParsedStore } from '../store/open-store';
import type { Store } from '../store/store';
import { viewText } from './text-view';

const USAGE = 'usage: huntops [--json] <command...>   e.g. huntops hunt kaseya 5d, huntops tools, huntops help';

/** The exit codes. */
const EXIT = { answered: 0, failed: 1, wrongCommand: 2 } as const;

/** The exit code of an answer: from how the request ended, or from the view a hunt or check came to. */
function exitCode(reply: Reply, view: View): number {
  if (reply.kind === 'view' && reply.status === 'invalid') return EXIT.wrongCommand;
  if (reply.kind === 'view' && reply.status !== undefined) return EXIT.failed;
  return view.name === 'huntFailed' ? EXIT.failed : EXIT.answered;
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
    return words.length === 0 ? EXIT.wrongCommand : EXIT.answered;
  }
  const loaded = loadConfig();
  // One answer and the process ends: a hunt waits for the local data however long it loads.
  const config: Config = loaded.backend.kind === 'local' ? { ...loaded, backend: { ...loaded.backend, engine: { ...loaded.backend.engine, loadWaitSeconds: Infinity } } } : loaded;
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const store = await openParsedStore(config.store);
  try {
    return await runWith({ store, config, log, words, json, out });
  } finally {
    await store.close();
  }
}

async function runWith(run: { store: Store; config: Config; log: Log; words: readonly string[]; json: boolean; out: (text: string) => void }): Promise<number> {
  const { store, config, log, words } = run;
  const { app } = createHuntOps(await huntOpsOptions(config, { store, log, instanceId: `cli:${os.hostname()}` }));
  const user = os.userInfo().username;
  const context: RequestContext = {
    caller: { id: `cli:${user}`, name: user },
    conversation: { id: `cli:${os.hostname()}`, kind: 'personal' },
    requestId: `cli:${process.pid}:${Date.now()}`,
  };
  // One argument is a whole command typed as in chat (`huntops "hunt kaseya 5d"`); several are
  // the words as the shell split them, quotes already removed.
  const answer = words.length === 1 ? await app.handleMessage(words[0]!, context) : await app.handleWords(words, context);
  const first = await settle(answer);
  const views: View[] = [first];
  if (first.name === 'huntResult') {
    for (let page = 2; page <= first.pageCount; page += 1) {
      views.push(await settle(await app.handleAction(VERBS.huntPage, { huntId: first.huntId, page }, context)));
    }
  }
  if (run.json) {
    run.out(JSON.stringify(views.map(renderCard), null, 2));
  } else {
    const groups = views.flatMap((v): readonly ResultGroup[] => (v.name === 'huntResult' ? v.groups : []));
    run.out(viewText(first, groups));
  }
  return exitCode(answer, first);
}

/** The `huntops` bin: runs the CLI on the process's arguments and exits with its code. */
export function main(): void {
  runCli(process.argv.slice(2), (text) => process.stdout.write(`${text}\n`))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      process.stderr.write(`huntops: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(EXIT.failed);
    });
}
