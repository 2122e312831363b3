/** Time comes in through this port, so tests can move it (expiry, acknowledgement age). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export const CLOCK = Symbol('Clock');
