/**
 * Preloaded (`node --import`) into the API processes of the start-up bench: the process's wall clock reads
 * KEYGATE_BENCH_NOW_MS plus the time since it started. The synthetic log is dated 2025; without this, every
 * key of it would be past its expiry today, the expiry sweeper would expire them all at the first start, and
 * the hot table would hold none: the bench would measure a log with no live key.
 */
const target = Number(process.env.KEYGATE_BENCH_NOW_MS);
if (Number.isFinite(target) && target > 0) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  const offset = target - realNow();
  const ShiftedDate = function (this: unknown, ...args: unknown[]) {
    if (!new.target) return new RealDate(realNow() + offset).toString();
    return Reflect.construct(RealDate, args.length === 0 ? [realNow() + offset] : args, new.target);
  } as unknown as DateConstructor;
  Object.setPrototypeOf(ShiftedDate, RealDate);
  Object.defineProperty(ShiftedDate, 'prototype', { value: RealDate.prototype });
  Object.defineProperty(ShiftedDate, 'now', { value: () => realNow() + offset });
  globalThis.Date = ShiftedDate;
}
export {};
