import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  type AppendStreamState,
  type CurrentStreamState,
} from '@kurrent/kurrentdb-client';
import type { ExpectedStreamState } from '../event-store.port.js';

/** The port's expected state as the client's: always passed explicitly, so no append relies on the client's ANY default. */
export function toStreamState(expected: ExpectedStreamState): AppendStreamState {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new RangeError(`an expected stream position is a non-negative integer, got ${expected}`);
      }
      return BigInt(expected);
  }
}

/**
 * The stream's current position as the port reports it in WrongExpectedVersionError: -1 for no stream. A deleted or
 * tombstoned stream (negative revisions in KurrentDB) has no last event either, so it is -1 too.
 */
export function actualStreamPosition(current: CurrentStreamState): number {
  return current === NO_STREAM || current < 0n ? -1 : Number(current);
}
