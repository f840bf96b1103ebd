/**
 * WAL checkpoints off the event loop. SQLite in WAL mode copies the log back into the database
 * now and then; done by the writing connection, that copy (and its fsyncs) stalls every request
 * behind it for tens of milliseconds. Here a worker thread with its own connection does it on a
 * timer (PASSIVE: it never blocks writers), and the main connection's automatic checkpoints are off.
 */
import { Worker } from 'node:worker_threads';

/** Runs in the worker: its own connection, a passive checkpoint on a timer. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error)); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/** A running checkpointer. */
export class Checkpointer {
  private readonly worker: Worker;
  /** Settles when the worker has exited: after a stop, or at once if it failed (its `exit` may come before any stop). */
  private readonly exited: Promise<void>;

  /** Starts checkpointing the database at `path` every `intervalMs`. */
  constructor(path: string, options: { readonly intervalMs?: number; readonly onError?: (message: string) => void } = {}) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { path, intervalMs: options.intervalMs ?? 1000, driver: require.resolve('better-sqlite3') },
    });
    this.worker.on('message', (message: string) => options.onError?.(message));
    this.worker.on('error', (error) => options.onError?.(String(error)));
    this.exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.unref();
  }

  /**
   * Stops the worker after its current checkpoint. The worker keeps the process alive meanwhile:
   * unreferenced, a process with nothing else to do (the bot at the end of its stop) would exit
   * while waiting, before whatever follows the stop.
   */
  async stop(): Promise<void> {
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}
