import { EVENT_BOUNDS, keyEventReadProblem, toDisplayText } from '#keys';
import type { RecordedEvent } from '#event-store';

/**
 * An event a projection could not apply. It is recorded here, with the reason, and the projection goes on
 * with the next event: one bad event must never stop a read model for every company, nor a start or a
 * rebuild. An operator lists them (`npm run projections:parked`), retries them once the code is fixed (a
 * rebuild of the projection, so the event lands in order) or skips them (the loss is accepted, on record).
 */
export interface ParkedEvent {
  projection: string;
  position: number;
  eventId: string;
  type: string;
  error: string;
  parkedAt: string;
  /** parked: waiting for an operator (reported by /health as degraded); skipped: an operator accepted it. */
  status: 'parked' | 'skipped';
}

/** Parked events of every projection, as /health and the operator command see them. */
export interface ParkedEvents {
  list(options?: { projection?: string; includeSkipped?: boolean; limit?: number }): Promise<ParkedEvent[]>;
  /** Unresolved ones, per projection name. */
  counts(): Promise<Record<string, number>>;
  /** Marks parked events skipped; all of a projection's when no positions are given. Returns how many. */
  skip(projection: string, positions?: readonly number[]): Promise<number>;
}

/**
 * What is wrong with an event before a projection even tries it: a field it reads missing or of another type.
 * The readers' schema, looser than the writers' (see keyEventReadProblem): an old event is applied, not parked.
 */
export const schemaProblemOf = (event: RecordedEvent): string | null => keyEventReadProblem(event.type, event.data);

/** The reason recorded for a failure: the error's own words, bounded (a parked list is read by people). */
export const reasonOf = (error: unknown): string => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return toDisplayText(text, 500) ?? '?';
};

export const parkedEntry = (projection: string, event: RecordedEvent, error: string, at: Date): ParkedEvent => ({
  projection,
  position: event.globalPosition,
  // What the bad event says about itself is shown to operators: made printable like every other display text.
  eventId: toDisplayText(String(event.eventId), EVENT_BOUNDS.identifier.max) ?? '?',
  type: toDisplayText(String(event.type), EVENT_BOUNDS.identifier.max) ?? '?',
  error: toDisplayText(error, 500) ?? '?',
  parkedAt: at.toISOString(),
  status: 'parked',
});
