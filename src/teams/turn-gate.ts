/**
 * Keeps work that follows a turn (running a hunt, updating its card) from delaying other people's
 * turns: it starts once no turn is being handled, or after `maxDelayMs` at the latest so that a
 * steady stream of turns cannot starve it. Acknowledging quickly is what Teams needs; the hunt's
 * answer can wait a moment.
 */
export class TurnGate {
  private active = 0;
  private readonly waiting = new Set<() => void>();

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

  /** Runs `task` when no turn is being handled (or after the maximum delay). */
  whenIdle<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<void>((resolve) => {
      if (this.active === 0) {
        setImmediate(resolve);
        return;
      }
      const start = () => {
        clearTimeout(timer);
        this.waiting.delete(start);
        resolve();
      };
      const timer = setTimeout(start, this.maxDelayMs);
      this.waiting.add(start);
    }).then(task);
  }

  private release(): void {
    const ready = [...this.waiting];
    setImmediate(() => ready.forEach((start) => start()));
  }
}
