/**
 * The append itself, on one connection, inside the caller's transaction: the same code commits inline (on the
 * caller's connection) and in the writer thread (sqlite-writer-thread.ts sends this function's source to the worker).
 * So it must stay self-contained: no imports, no closure, only its parameters (the worker has no module graph).
 */

/** What appendRows needs prepared on its connection. */
export interface AppendStatements {
  streamPosition: { get(streamId: string): unknown };
  insert: { run(...params: unknown[]): { lastInsertRowid: number | bigint } };
  byEventId: { all(eventId: string): unknown[] };
}

/**
 * One append, its events' data and metadata already JSON text: serialized once, on the thread that appends, so what
 * crosses to the writer thread is strings (a structured clone of strings is a copy; of objects, a walk on each side),
 * and so the appending thread knows the rows written without reading them back (RecentRows).
 */
export interface AppendRequest {
  streamId: string;
  events: readonly { eventId: string; type: string; data: string; metadata: string }[];
  expected: 'any' | 'no_stream' | 'stream_exists' | number;
  recordedAt: string;
}

/** A stream not in the expected state: a plain object (it crosses the thread boundary), mapped to WrongExpectedVersionError. */
export interface WrongVersion {
  wrongExpectedVersion: true;
  streamId: string;
  expected: AppendRequest['expected'];
  actual: number;
}

export const APPEND_SQL = {
  streamPosition: 'SELECT MAX(stream_position) AS p FROM events WHERE stream_id = ?',
  insert: `INSERT INTO events (event_id, stream_id, stream_position, type, data, metadata, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
  byEventId: 'SELECT global_position, stream_position FROM events WHERE event_id = ?',
} as const;

/** The positions of an append's last event; `inserted` false when its events were already there (nothing written). */
export interface AppendedRows {
  nextExpectedStreamPosition: number;
  lastGlobalPosition: number;
  inserted: boolean;
}

/** Checks the expected state and inserts; throws a WrongVersion object; returns the positions. */
export function appendRows(stmts: AppendStatements, { streamId, events, expected, recordedAt }: AppendRequest): AppendedRows {
  // A command retried after its events were written: answer what was written, write nothing.
  const already = stmts.byEventId.all(events[events.length - 1].eventId) as { global_position: number; stream_position: number }[];
  if (already.length > 0) {
    return { nextExpectedStreamPosition: already[0].stream_position, lastGlobalPosition: already[0].global_position, inserted: false };
  }
  const current = (stmts.streamPosition.get(streamId) as number | null) ?? -1;
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === -1) ||
    (expected === 'stream_exists' && current !== -1) ||
    expected === current;
  if (!ok) throw { wrongExpectedVersion: true, streamId, expected, actual: current } satisfies WrongVersion;
  let position = current;
  let global = 0;
  for (const e of events) {
    position += 1;
    const info = stmts.insert.run(e.eventId, streamId, position, e.type, e.data, e.metadata, recordedAt);
    global = Number(info.lastInsertRowid);
  }
  return { nextExpectedStreamPosition: position, lastGlobalPosition: global, inserted: true };
}

export const isWrongVersion = (e: unknown): e is WrongVersion =>
  typeof e === 'object' && e !== null && (e as { wrongExpectedVersion?: unknown }).wrongExpectedVersion === true;
