import type { ProjectionStatus } from '#projections';

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
