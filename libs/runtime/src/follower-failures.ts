import type { ParkedEvent, ProjectionStatus } from '#projections';

/**
 * Each follower's last subscription drop, until it next applies a batch: what /health reports as the
 * reason a process is not ready. Reported only while that follower is behind, because a follower that
 * resubscribed on a quiet log receives nothing, and "no batch since the drop" alone would flag it forever.
 */
export class FollowerFailures {
  private readonly last = new Map<string, string>();

  dropped(follower: string, error: unknown): void {
    this.last.set(follower, `${follower}: ${error instanceof Error ? error.message : String(error)}`);
  }

  applied(follower: string): void {
    this.last.delete(follower);
  }

  /** The failure of the first follower that is both behind and failing, else null. */
  errorOf(followers: readonly ProjectionStatus[]): string | null {
    const stuck = followers.find((f) => f.lag > 0 && this.last.has(f.name));
    return stuck ? this.last.get(stuck.name)! : null;
  }
}

/**
 * The hooks a follower of the log is given: a batch clears its failure, a drop records it and is told on
 * (logs, metrics), a park is told on. One place, for the hot table and the projections of either profile.
 */
export const followerHooks = (
  failures: FollowerFailures,
  told: { onFollowerDrop?: (follower: string, error: unknown, attempt: number, delayMs: number) => void; onParked?: (entry: ParkedEvent) => void },
) => ({
  onBatch: (follower: string) => failures.applied(follower),
  onDrop: (follower: string, error: unknown, attempt: number, delayMs: number) => {
    failures.dropped(follower, error);
    told.onFollowerDrop?.(follower, error, attempt, delayMs);
  },
  onParked: told.onParked,
});

/** The same hooks for one named follower (followLog's callbacks do not name it). */
export const hooksFor = (hooks: ReturnType<typeof followerHooks>, follower: string) => ({
  onBatch: () => hooks.onBatch(follower),
  onDrop: (error: unknown, attempt: number, delayMs: number) => hooks.onDrop(follower, error, attempt, delayMs),
  onParked: hooks.onParked,
});
