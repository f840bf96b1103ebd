/**
 * Cards rendered off the event loop. Expanding a template is the largest piece of work the bot does
 * for an answer that follows a turn (a hunt's result, a page), and the largest source of its
 * garbage; done on the thread that answers Teams, it holds up the turns that arrive meanwhile. So
 * follow-up answers are rendered on a thread of their own (piscina: it starts the thread, queues
 * the views and replaces a thread that dies), running below the event loop as the engine's threads
 * do (`threads/thread-priority.ts`): {@link RENDER_NICE} nice steps lower and under SCHED_IDLE, so
 * that handing it a view never takes the core from the event loop. A turn's own card (the
 * acknowledgement) is still rendered in the turn, where waiting for a thread would only add to it.
 *
 * The thread keeps its templates between cards and does not keep the process alive while idle.
 */
import type { Piscina } from 'piscina';
import type { View } from '../core/views';
import { ThreadsBelow } from '../threads/thread-priority';
import { workerEntry, workerStart } from '../threads/worker-entry';
import type { AdaptiveCard } from './render';
import type { RenderTask } from './render-thread';

const ENTRY = workerEntry(__filename, 'render-thread');

/** How many nice steps below the process the rendering thread runs. */
export const RENDER_NICE = 10;

/** Renders views on a thread of its own. */
export class CardRenderer {
  private pool?: Piscina;
  /** The thread's place: {@link RENDER_NICE} nice steps below the process (as it is when the renderer is made), and SCHED_IDLE. */
  private readonly below = new ThreadsBelow(RENDER_NICE);

  /** The Adaptive Card that shows `view`, rendered on the thread; rejects as rendering in the caller would. */
  render(view: View): Promise<AdaptiveCard> {
    this.pool ??= this.below.pool({ ...workerStart(ENTRY), name: 'render', minThreads: 1, maxThreads: 1 });
    return this.pool.run({ view, nice: this.below.nice } satisfies RenderTask) as Promise<AdaptiveCard>;
  }

  /** Stops the thread once the cards asked for are rendered. A thread started by a render after this keeps only its nice value. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
    this.below.stop();
  }
}
