/**
 * Work that runs after its turn (hunts updating their message): tracked so shutdown can wait for it.
 */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();

  /** Tracks `work` until it settles. */
  track(work: Promise<unknown>): void {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** How many are still running. */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves when everything tracked so far has settled, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const all = Promise.allSettled([...this.pending]).then(() => true);
    try {
      return await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
