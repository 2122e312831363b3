import { FixedWindowRateLimiter } from './rate-limiter.js';

const T0 = 1_000_000;
const WINDOW = 60_000;

/** Takes `n` requests for `key` at `nowMs` and returns the decisions. */
const takeMany = (limiter: FixedWindowRateLimiter, key: string, n: number, nowMs = T0) =>
  Array.from({ length: n }, () => limiter.take(key, nowMs));

describe('FixedWindowRateLimiter', () => {
  it('defaults to a one-minute window', () => {
    expect(new FixedWindowRateLimiter(5).windowMs).toBe(WINDOW);
  });

  it('allows exactly `limit` requests in a window, counting remaining down', () => {
    const limiter = new FixedWindowRateLimiter(3);

    const decisions = takeMany(limiter, 'k', 3);

    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true]);
    expect(decisions.map((d) => d.remaining)).toEqual([2, 1, 0]);
    expect(decisions.every((d) => d.limit === 3)).toBe(true);
    expect(decisions[0].resetSeconds).toBe(60);
  });

  it('given the limit is used up, when one more request comes, then it is denied with remaining 0 and a reset ahead', () => {
    const limiter = new FixedWindowRateLimiter(3);
    takeMany(limiter, 'k', 3);

    const denied = limiter.take('k', T0 + 10_500);

    expect(denied).toEqual({ allowed: false, limit: 3, remaining: 0, resetSeconds: 50 });
  });

  it('given the limit is used up, when the window is nearly over, then resetSeconds is still at least 1', () => {
    const limiter = new FixedWindowRateLimiter(1);
    limiter.take('k', T0);

    const denied = limiter.take('k', T0 + WINDOW - 1);

    expect(denied.allowed).toBe(false);
    expect(denied.resetSeconds).toBe(1);
  });

  it('counts each key separately', () => {
    const limiter = new FixedWindowRateLimiter(1);
    limiter.take('a', T0);

    expect(limiter.take('b', T0).allowed).toBe(true);
    expect(limiter.take('a', T0).allowed).toBe(false);
  });

  it('given the limit is used up, when windowMs has passed, then a new window allows `limit` again', () => {
    const limiter = new FixedWindowRateLimiter(2);
    takeMany(limiter, 'k', 3);
    expect(limiter.take('k', T0 + WINDOW - 1).allowed).toBe(false);

    const next = takeMany(limiter, 'k', 3, T0 + WINDOW);

    expect(next.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(next[0]).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
  });

  it('honours a custom window', () => {
    const limiter = new FixedWindowRateLimiter(1, 1_000);
    limiter.take('k', T0);

    expect(limiter.take('k', T0 + 999).allowed).toBe(false);
    expect(limiter.take('k', T0 + 1_000).allowed).toBe(true);
  });

  describe('remaining', () => {
    it('given no requests, then reports the full limit', () => {
      expect(new FixedWindowRateLimiter(4).remaining('k', T0)).toBe(4);
    });

    it('reports what is left without consuming a request', () => {
      const limiter = new FixedWindowRateLimiter(3);
      limiter.take('k', T0);

      expect(limiter.remaining('k', T0)).toBe(2);
      expect(limiter.remaining('k', T0)).toBe(2);
      expect(takeMany(limiter, 'k', 2).every((d) => d.allowed)).toBe(true);
      expect(limiter.remaining('k', T0)).toBe(0);
    });

    it('given the window ended, then reports the full limit again', () => {
      const limiter = new FixedWindowRateLimiter(3);
      takeMany(limiter, 'k', 3);

      expect(limiter.remaining('k', T0 + WINDOW)).toBe(3);
    });
  });

  describe('resetSeconds', () => {
    it('reports the seconds left in the key window, rounded up, and 1 for an unknown key', () => {
      const limiter = new FixedWindowRateLimiter(3);
      limiter.take('k', T0);

      expect(limiter.resetSeconds('k', T0 + 30_001)).toBe(30);
      expect(limiter.resetSeconds('k', T0 + 29_999)).toBe(31);
      expect(limiter.resetSeconds('unknown', T0)).toBe(1);
    });
  });

  describe('sweep', () => {
    it('drops ended windows and keeps running ones', () => {
      const limiter = new FixedWindowRateLimiter(2);
      takeMany(limiter, 'old', 2, T0);
      takeMany(limiter, 'new', 2, T0 + 30_000);

      limiter.sweep(T0 + WINDOW);

      // Looking just before the old window's end: only a dropped window reads as full.
      expect(limiter.remaining('old', T0 + WINDOW - 1)).toBe(2);
      expect(limiter.remaining('new', T0 + WINDOW - 1)).toBe(0);
    });

    it('given a window still running, then keeps it', () => {
      const limiter = new FixedWindowRateLimiter(2);
      takeMany(limiter, 'k', 2, T0);

      limiter.sweep(T0 + WINDOW - 1);

      expect(limiter.remaining('k', T0 + WINDOW - 1)).toBe(0);
    });
  });
});
