import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  const settings = { initialMs: 1000, maxMs: 300_000 };

  it('doubles from the initial delay up to the cap, between half and all of it (equal jitter)', () => {
    const ceilings = [1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000];
    ceilings.forEach((ceiling, i) => {
      expect(retryDelayMs(i + 1, settings, () => 0)).toBe(ceiling / 2);
      expect(retryDelayMs(i + 1, settings, () => 1)).toBe(ceiling);
      const jittered = retryDelayMs(i + 1, settings);
      expect(jittered).toBeGreaterThanOrEqual(ceiling / 2);
      expect(jittered).toBeLessThanOrEqual(ceiling);
    });
  });

  it('never overflows nor exceeds the cap, whatever the attempt count', () => {
    expect(retryDelayMs(10_000, settings, () => 1)).toBe(300_000);
    expect(retryDelayMs(0, settings, () => 1)).toBe(1000);
  });
});
