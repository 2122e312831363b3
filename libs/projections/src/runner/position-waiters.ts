interface Waiter {
  position: number;
  names: readonly string[];
  resolve(): void;
  reject(error: Error): void;
}

const reached = (checkpoints: Readonly<Record<string, number>>, position: number, names: readonly string[]): boolean =>
  names.every((n) => (checkpoints[n] ?? 0) >= position);

/**
 * Callers waiting for projections to reach a position of the log (a command reading its own write), on either
 * runner: each waits for the checkpoints of the projections it names (all of them by default), and the runner
 * releases them whenever it learns the checkpoints (SQLite: after each commit; MongoDB: by polling them).
 */
export class PositionWaiters {
  private waiters: Waiter[] = [];

  constructor(private readonly known: readonly string[]) {}

  get size(): number {
    return this.waiters.length;
  }

  /**
   * Resolves once each named projection's checkpoint is at or past `position` (at once if `now` says so);
   * rejects after `timeoutMs`, or at once when a name is unknown.
   */
  wait(position: number, names: readonly string[] = this.known, timeoutMs = 5000, now?: Readonly<Record<string, number>>): Promise<void> {
    const unknown = names.filter((n) => !this.known.includes(n));
    if (unknown.length > 0) return Promise.reject(new Error(`unknown projections: ${unknown.join(', ')}`));
    if (now && reached(now, position, names)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`projections ${names.join(', ')} did not reach ${position} in ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        position,
        names,
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error) => (clearTimeout(timer), reject(error)),
      };
      this.waiters.push(waiter);
    });
  }

  /** Releases every waiter the checkpoints satisfy. No await inside: waiters added meanwhile are kept. */
  release(checkpoints: Readonly<Record<string, number>>): void {
    if (this.waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const w of this.waiters) (reached(checkpoints, w.position, w.names) ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  /** On stop: every waiter resolved, or rejected with `error`. */
  settleAll(error?: Error): void {
    for (const w of this.waiters.splice(0)) (error ? w.reject(error) : w.resolve());
  }
}
