import { START, type Position, type ReadPosition } from '@kurrent/kurrentdb-client';

/*
 * Global positions: how KurrentDB's {commit, prepare} pair becomes the port's single `number`.
 *
 * What KurrentDB reports (read in the server source, kurrent-io/KurrentDB: ReaderIndex/AllReader.cs, IndexCommitter.cs,
 * StorageChaser.cs, Transport/Grpc/Streams.Read.cs):
 * - An append over gRPC is an implicit transaction: one prepare record per event, every one flagged as committed.
 *   $all reads, catch-up subscriptions and live subscriptions all report such an event at {commit: P, prepare: P},
 *   P being the byte offset of the event's OWN record. So the events of one multi-event append (Keygate's batches of
 *   KeyUsed) do NOT share a commit position: they get distinct positions, increasing in the order of the append. The
 *   append result carries the position of the append's last event (CommitAck of the TransactionEnd prepare).
 *   The int-spec checks commit === prepare, distinct per event, on the pinned image, so a server that changes this
 *   fails a test instead of corrupting checkpoints.
 * - A shared commit position exists in two places only. (a) Explicit transactions of the legacy TCP API: every event
 *   is reported at {commit: C, prepare: P_i}, C being the commit record written after all of them, P_i < C. (b)
 *   Servers before 20.6.0 put the transaction's position in the prepare field of gRPC reads (KurrentDB PR #2522).
 *   This is also why EventStore-Client-Go #88 says an append returns only its last event's position.
 * - Events read from a stream (not $all) carry a position only on servers from 22.6 (client typings); without one
 *   the adapter fails the read rather than invent a position.
 *
 * Mapping: global = commit. A byte offset, so exact as a number up to 2^53 bytes (8 PiB) of log; a log of a billion
 * 1 KB events is about 2^40. Resuming after checkpoint X reads from {commit: X, prepare: 0} and keeps the events with
 * commit > X, or commit = X and prepare < commit (the rest of a shared-commit group).
 *
 * What holds:
 * - Self-committed events (every event Keygate writes, each event of a multi-event append included): positions are
 *   strictly increasing, and resuming after any one of them yields exactly the events after it: nothing skipped,
 *   nothing repeated. The port's contract, exactly.
 * - Shared-commit groups (legacy writers only): every member gets the same position C, so positions are
 *   non-decreasing there, not strictly increasing; a checkpoint at C re-delivers the whole group (at-least-once),
 *   never skips any of it. Safe for Keygate's projections, which ignore an event they have already applied, but
 *   weaker than the contract; Keygate itself never writes such events.
 *
 * Rejected: prepare alone (not monotonic in $all order: an event written between a transaction's prepares and its
 * commit comes first in $all with a larger prepare); commit·2^k + index (needs the index within the group, which no
 * position carries, and spends k of the 53 bits); resuming from {X, X} (the server compares positions
 * lexicographically, so it would drop the group members at {X, P_i < X}: a skip).
 *
 * A checkpoint must be 0 or a position this adapter returned: the server answers InvalidPosition to an offset that is
 * not the start of a record.
 */

/** The client's way of saying "no position" (u64::MAX), e.g. on stream reads from servers before 22.6. */
const NO_POSITION = 2n ** 64n - 1n;
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Whether the client gave a real log position: an append answered without one, a stream read on an old server. */
export function hasLogPosition(position: Position | undefined): position is Position {
  return position !== undefined && position.commit !== NO_POSITION;
}

export function globalPositionOf(position: Position | undefined): number {
  if (!hasLogPosition(position)) {
    throw new Error('KurrentDB returned an event without a log position (stream reads have one from server 22.6)');
  }
  if (position.commit < 0n || position.commit > MAX_EXACT) {
    throw new RangeError(`KurrentDB commit position ${position.commit} is not an exact JavaScript number`);
  }
  return Number(position.commit);
}

/** Where a read or subscription resuming after `after` starts (inclusive reads re-send the event at `after`). */
export function resumeFrom(after: number): ReadPosition {
  checkCheckpoint(after);
  return after === 0 ? START : { commit: BigInt(after), prepare: 0n };
}

/** Whether an event at `position` comes strictly after checkpoint `after`, as defined above. */
export function isAfterCheckpoint(position: Position, after: number): boolean {
  const checkpoint = BigInt(after);
  return position.commit > checkpoint || (position.commit === checkpoint && position.prepare < position.commit);
}

/** $all order: by commit position, then prepare position. */
export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

function checkCheckpoint(after: number): void {
  if (!Number.isSafeInteger(after) || after < 0) {
    throw new RangeError(`a checkpoint is a non-negative integer global position, got ${after}`);
  }
}
