export interface BackoffSettings {
  /** Delay after the first failed attempt. */
  initialMs: number;
  /** The cap: no wait is longer. */
  maxMs: number;
}

/**
 * How long to wait after the `attempt`-th failure of the same event: exponential (initial × 2^(attempt-1)), capped,
 * with "equal jitter" (between half and all of it), so endpoints that failed together do not retry in lockstep and
 * a wait never shrinks to nothing. `random` is Math.random unless a test fixes it.
 */
export const retryDelayMs = (attempt: number, settings: BackoffSettings, random: () => number = Math.random): number => {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 40);
  const ceiling = Math.min(settings.maxMs, settings.initialMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
};
