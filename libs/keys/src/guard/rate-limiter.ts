/**
 * Per-key request limit, in process: a fixed window per key (1000 per minute by default). A Map entry
 * and two integer compares per request; windows of idle keys are dropped by sweep().
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

interface Window {
  startMs: number;
  count: number;
}

export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
  ) {}

  take(key: string, nowMs: number): RateDecision {
    let w = this.windows.get(key);
    if (!w || nowMs - w.startMs >= this.windowMs) {
      w = { startMs: nowMs, count: 0 };
      this.windows.set(key, w);
    }
    const resetSeconds = Math.max(1, Math.ceil((w.startMs + this.windowMs - nowMs) / 1000));
    if (w.count >= this.limit) return { allowed: false, limit: this.limit, remaining: 0, resetSeconds };
    w.count += 1;
    return { allowed: true, limit: this.limit, remaining: this.limit - w.count, resetSeconds };
  }

  /** Requests left in the current window, without taking one. */
  remaining(key: string, nowMs: number): number {
    const w = this.windows.get(key);
    return !w || nowMs - w.startMs >= this.windowMs ? this.limit : Math.max(0, this.limit - w.count);
  }

  resetSeconds(key: string, nowMs: number): number {
    const w = this.windows.get(key);
    return w ? Math.max(1, Math.ceil((w.startMs + this.windowMs - nowMs) / 1000)) : 1;
  }

  /** Forgets windows that ended; call from a timer, never on the request path. */
  sweep(nowMs: number): void {
    for (const [key, w] of this.windows) if (nowMs - w.startMs >= this.windowMs) this.windows.delete(key);
  }
}
