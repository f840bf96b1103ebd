/**
 * Keeps work that follows a turn (running a hunt, handling its result, updating its card) from
 * delaying other people's turns: each stretch of it starts once no turn is being handled, or after
 * `maxDelayMs` at the latest so that a steady stream of turns cannot starve it. Acknowledging
 * quickly is what Teams needs; the hunt's answer can wait a moment.
 *
 * Waiting stretches start one per turn of the event loop, each once the one before has run up to
 * its next wait, so that a request that arrives meanwhile is taken in (and holds the rest back)
 * instead of queueing behind all of them.
 */
export class TurnGate {
  private active = 0;
  private readonly waiting = new Set<() => void>();
  private releasing = false;

  constructor(private readonly maxDelayMs = 100) {}

  /** Handles one turn inside the gate. */
  async turn<T>(work: () => Promise<T>): Promise<T> {
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
      if (this.active === 0) this.release();
    }
  }

  /** Resolves when no turn is being handled (or after the maximum delay). */
  idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      const start = () => {
        clearTimeout(timer);
        this.waiting.delete(start);
        resolve();
      };
      const timer = setTimeout(start, this.maxDelayMs);
      this.waiting.add(start);
      if (this.active === 0) this.release();
    });
  }

  /** Runs `task` when no turn is being handled (or after the maximum delay). */
  whenIdle<T>(task: () => Promise<T>): Promise<T> {
    return this.idle().then(task);
  }

  /** Starts the waiting stretches one per turn of the event loop while no turn is being handled. */
  private release(): void {
    if (this.releasing) return;
    this.releasing = true;
    const next = () => {
      const [start] = this.waiting;
      if (this.active > 0 || !start) {
        this.releasing = false;
        return;
      }
      start();
      setImmediate(next);
    };
    setImmediate(next);
  }
}
