import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

const POOL_IDS = 256;

/**
 * UUIDv7 ids, monotonic in this process, for the uses (one per tools/call). uuid's own v7() asks the OS for 16
 * random bytes per id (crypto.getRandomValues, a synchronous job each time): ~2% of the server thread under load
 * in the MCP bench's profile. Here the random bytes come from a pool filled 256 ids at a time, and the
 * millisecond and counter are kept as uuid's v7() keeps them (a new millisecond starts a random 31-bit counter;
 * within one, the counter goes up by one and, if it wraps, the millisecond moves on), since given its own
 * random bytes v7() keeps no state.
 */
export const timeOrderedIds = (now: () => number = Date.now): (() => string) => {
  const pool = new Uint8Array(16 * POOL_IDS);
  let next = POOL_IDS;
  let msecs = -Infinity;
  let seq = 0;
  return () => {
    if (next === POOL_IDS) {
      randomFillSync(pool);
      next = 0;
    }
    const random = pool.subarray(16 * next, 16 * next + 16);
    next += 1;
    const at = now();
    if (at > msecs) {
      msecs = at;
      seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
    } else {
      seq = (seq + 1) | 0;
      if (seq === 0) msecs += 1;
    }
    return uuidv7({ random, msecs, seq });
  };
};
