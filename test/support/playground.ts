/**
 * The Microsoft 365 Agents Playground for end-to-end tests: started offline on a free 127.0.0.1 port
 * against a given bot endpoint, stopped (with its process group) by the test that started it.
 * The process itself is launched by `scripts/playground.js`, shared with `npm run dev`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { DEFAULT_CONFIG_PATH, PortInUseError, startPlayground as startPlaygroundProcess } from '../../scripts/playground';
import type { RunningPlayground } from '../../scripts/playground';

export type { RunningPlayground } from '../../scripts/playground';
export { DEFAULT_CONFIG_PATH } from '../../scripts/playground';

/** Options of {@link startPlayground}. */
export interface PlaygroundOptions {
  /** The bot's messaging endpoint, e.g. `http://127.0.0.1:<port>/api/messages`. */
  botEndpoint: string;
  /** `.m365agentsplayground.yml`; default: the repository's. */
  configPath?: string;
}

const PORT_ATTEMPTS = 5;

/** A port that was free on 127.0.0.1 a moment ago. */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts the Playground on a free loopback port and resolves once it serves its UI and connector.
 * The returned `stop()` also removes the temporary folder holding its log.
 */
export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  const logDir = mkdtempSync(path.join(tmpdir(), 'huntops-playground-'));
  const logFile = path.join(logDir, 'playground.log');
  try {
    for (let attempt = 1; ; attempt += 1) {
      const port = await freeLoopbackPort();
      try {
        const playground = await startPlaygroundProcess({
          port,
          botEndpoint: options.botEndpoint,
          logFile,
          ...(options.configPath ? { configPath: options.configPath } : {}),
        });
        return {
          ...playground,
          async stop() {
            await playground.stop();
            rmSync(logDir, { recursive: true, force: true });
          },
        };
      } catch (error) {
        // Another process took the port between the probe and the Playground's listen: try another.
        if (!(error instanceof PortInUseError) || attempt >= PORT_ATTEMPTS) throw error;
      }
    }
  } catch (error) {
    rmSync(logDir, { recursive: true, force: true });
    throw error;
  }
}

const userSchema = z.object({ id: z.string(), name: z.string(), aadObjectId: z.string() });
const configSchema = z.object({
  tenantId: z.string(),
  bot: z.object({ id: z.string(), name: z.string() }),
  currentUser: userSchema,
  users: z.array(userSchema),
  personalChat: z.object({ id: z.string() }),
  groupChat: z.object({ id: z.string(), name: z.string() }),
  team: z.object({
    id: z.string(),
    name: z.string(),
    aadGroupId: z.string(),
    channels: z.array(z.object({ id: z.string(), name: z.string() })),
  }),
});

/** A conversation as the Playground lists it, with the id the bot sees on activities. */
export interface PlaygroundConversation {
  /** `conversation.id` on activities; in a channel, a thread adds `;messageid=<root id>`. */
  readonly id: string;
  /** The entry in the Playground's conversation list (its accessible name). */
  readonly label: string;
}

/** The mock Teams context of a Playground configuration: who the user is, which chats exist. */
export interface PlaygroundContext {
  readonly tenantId: string;
  /** The bot's account: `recipient` on activities; `name` is what an @mention shows. */
  readonly bot: { readonly id: string; readonly name: string };
  /** The user the browser acts as: `from` on activities. */
  readonly currentUser: { readonly id: string; readonly name: string; readonly aadObjectId: string };
  readonly personalChat: PlaygroundConversation;
  readonly groupChat: PlaygroundConversation;
  readonly team: { readonly id: string; readonly name: string; readonly aadGroupId: string };
  /** General (whose id is the team id) first, then the configured channel. */
  readonly channels: readonly (PlaygroundConversation & { readonly name: string })[];
}

/** Reads a `.m365agentsplayground.yml` into the context the Playground will present. */
export function readPlaygroundContext(configPath: string = DEFAULT_CONFIG_PATH): PlaygroundContext {
  const config = configSchema.parse(parse(readFileSync(configPath, 'utf8')));
  const channel = (id: string, name: string) => ({ id, name, label: `${config.team.name} - ${name}` });
  return {
    tenantId: config.tenantId,
    bot: config.bot,
    currentUser: { id: config.currentUser.id, name: config.currentUser.name, aadObjectId: config.currentUser.aadObjectId },
    personalChat: { id: config.personalChat.id, label: 'Personal Chat' },
    groupChat: { id: config.groupChat.id, label: config.groupChat.name },
    team: { id: config.team.id, name: config.team.name, aadGroupId: config.team.aadGroupId },
    channels: [channel(config.team.id, 'General'), ...config.team.channels.map((c) => channel(c.id, c.name))],
  };
}
