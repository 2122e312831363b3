import type { AppendResult, EventStore, ExpectedStreamState, NewEvent } from './event-store.port.js';

/**
 * The store port's own check on append: every event of an append is checked (its schema, its bounds) before
 * any of them is written, so a bug in any caller cannot put an event in the log that a reader cannot read.
 * `check` throws to refuse; the append then writes nothing.
 *
 * Reads pass through unchanged: readers check what they read on their own (an old log may hold events written
 * before a rule existed).
 */
export const schemaCheckedStore = (store: EventStore, check: (event: NewEvent) => void): EventStore => ({
  appendToStream(streamId: string, events: readonly NewEvent[], expected: ExpectedStreamState): Promise<AppendResult> {
    try {
      for (const event of events) check(event);
    } catch (error) {
      return Promise.reject(error);
    }
    return store.appendToStream(streamId, events, expected);
  },
  readStream: (...args) => store.readStream(...args),
  readAll: (options) => store.readAll(options),
  subscribeToAll: (options) => store.subscribeToAll(options),
  headPosition: (eventTypes) => store.headPosition(eventTypes),
  close: () => store.close(),
});
