/**
 * Types of `scripts/playground.js` (plain CommonJS so that `npm run dev` needs no compiler).
 */

/** A Playground process started by {@link startPlayground}. */
export interface RunningPlayground {
  /** Process id, also the id of its process group. */
  readonly pid: number;
  /** Port on 127.0.0.1. */
  readonly port: number;
  /** The web UI, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The `serviceUrl` on every activity the Playground sends, `http://127.0.0.1:<port>/_connector`. */
  readonly serviceUrl: string;
  /** The Playground's own log (console output goes there when stdout is not a terminal). */
  readonly logFile: string;
  /** The `.m365agentsplayground.yml` in use. */
  readonly configPath: string;
  /** Settles when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to the process group, SIGKILL after a grace period; resolves once it has exited. */
  stop(): Promise<void>;
}

/** Options of {@link startPlayground}. */
export interface StartPlaygroundOptions {
  /** Port on 127.0.0.1, > 0 (the service URL on every activity names it). */
  port: number;
  /** The bot's messaging endpoint, e.g. `http://127.0.0.1:3978/api/messages`. */
  botEndpoint: string;
  /** Where the Playground writes its log; the file is rewritten at start. */
  logFile: string;
  /** `.m365agentsplayground.yml`; default: the repository's. */
  configPath?: string;
  /** Base environment; default: `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** The Playground's CLI entry point. */
export declare const PLAYGROUND_CLI: string;
/** Preload that binds every TCP server of a Node process to 127.0.0.1. */
export declare const LOOPBACK_PRELOAD: string;
/** The repository's `.m365agentsplayground.yml`. */
export declare const DEFAULT_CONFIG_PATH: string;
/** 56150, the Playground's documented default port. */
export declare const DEFAULT_PLAYGROUND_PORT: number;

/** Raised when the requested port is taken (the Playground would silently fall back to another). */
export declare class PortInUseError extends Error {
  readonly code: 'EADDRINUSE';
  readonly port: number;
  constructor(port: number, actual: number);
}

/** Starts the Playground offline on loopback; resolves once its UI and connector answer. */
export declare function startPlayground(options: StartPlaygroundOptions): Promise<RunningPlayground>;

/** Sends `signal` to the process group led by `pid`; a group that is gone is not an error. */
export declare function signalGroup(pid: number, signal: NodeJS.Signals): void;
