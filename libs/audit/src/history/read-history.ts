import type { EventStore, RecordedEvent } from '#event-store';
import { keyEventReadProblem, keyringStreamId, type KeyEvent } from '#keys';
import { companyStreams } from './company-streams.js';
import { printable } from './printable.js';

/** An event the history left out because a reader could not apply it (reported, never a crash). */
export interface HistoryWarning {
  streamId: string;
  streamPosition: number;
  globalPosition: number;
  eventId: string;
  type: string;
  problem: string;
}

export interface CompanyHistory {
  companyId: string;
  /** The readable events of the company's keyring and usage streams, merged in log order (global position). */
  events: KeyEvent[];
  warnings: HistoryWarning[];
  /** False when neither stream exists: nothing was ever recorded for this company. */
  found: boolean;
}

export interface KeyHistory {
  companyId: string;
  keyId: string;
  /** This key's readable events, in log order. */
  events: KeyEvent[];
  /** The events left out that were this key's, or whose key could not be read. */
  warnings: HistoryWarning[];
}

const dataOf = (recorded: RecordedEvent): Record<string, unknown> =>
  recorded.data !== null && typeof recorded.data === 'object' ? (recorded.data as Record<string, unknown>) : {};

const notADate = (value: unknown): boolean => typeof value !== 'string' || Number.isNaN(Date.parse(value));

/**
 * Why the history leaves an event out, or null. keyEventReadProblem is the readers' rule (what the projections
 * park); on top, the history places every event in time, so an `at` (and a mint's expiresAt, a rotation's
 * overlapEndsAt) that is not a date is left out too, and an event naming another company than its stream's is not
 * this company's (the read models file it under the company it names).
 */
const historyProblem = (recorded: RecordedEvent, companyId: string): string | null => {
  const readProblem = keyEventReadProblem(recorded.type, recorded.data);
  if (readProblem) return readProblem;
  const data = dataOf(recorded);
  if (notADate(data.at)) return `${recorded.type}: at: not a date`;
  if (recorded.type === 'KeyMinted' && notADate(data.expiresAt)) return `${recorded.type}: expiresAt: not a date`;
  if (recorded.type === 'KeyRotated' && notADate(data.overlapEndsAt)) return `${recorded.type}: overlapEndsAt: not a date`;
  if (data.companyId !== companyId) return `${recorded.type}: names company ${JSON.stringify(String(data.companyId).slice(0, 128))}, not ${JSON.stringify(companyId)}`;
  return null;
};

const warningOf = (recorded: RecordedEvent, problem: string): HistoryWarning => ({
  streamId: recorded.streamId,
  streamPosition: recorded.streamPosition,
  globalPosition: recorded.globalPosition,
  eventId: recorded.eventId,
  type: recorded.type,
  problem,
});

/** One line for a person: which event was left out, where it is in the log, and why. */
export const describeWarning = (w: HistoryWarning): string =>
  printable(
    `warning: left out ${w.type.slice(0, 64)} ${w.eventId} (${w.streamId} #${w.streamPosition}, global position ${w.globalPosition}): ${w.problem}`,
  );

/** Two lists each in global order, merged in global order. */
const mergeByPosition = (a: RecordedEvent[], b: RecordedEvent[]): RecordedEvent[] => {
  const merged: RecordedEvent[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i].globalPosition < b[j].globalPosition)) merged.push(a[i++]);
    else merged.push(b[j++]);
  }
  return merged;
};

/** What stands in a KeyMinted's verifier in the history: none of it leaves the store through these readers. */
export const WITHHELD_VERIFIER = '(withheld)';

/**
 * The argon2id verifier is replaced where the event is read, so no consumer of the history (a command, an HTTP
 * answer that serializes events) can print it by mistake. Nothing the auditors compute needs it.
 */
const withoutVerifier = (event: KeyEvent): KeyEvent =>
  event.type === 'KeyMinted' ? { ...event, data: { ...event.data, verifier: WITHHELD_VERIFIER } } : event;

interface Selection {
  /** Keeps a readable event. */
  keep(event: KeyEvent): boolean;
  /** Reports a left-out event (its raw data). */
  report(data: Record<string, unknown>): boolean;
}

/**
 * The port reads a stream whole (readStream has no page size): memory is bounded by the company's two streams,
 * never by the log, and what is kept is cut down to `select` as soon as each stream arrives.
 */
const readSelected = async (store: EventStore, companyId: string, select: Selection) => {
  const streams = companyStreams(companyId);
  const [keyring, usage] = await Promise.all([store.readStream(streams.keyring), store.readStream(streams.usage)]);
  const events: KeyEvent[] = [];
  const warnings: HistoryWarning[] = [];
  for (const recorded of mergeByPosition(keyring.events, usage.events)) {
    const problem = historyProblem(recorded, companyId);
    if (problem) {
      if (select.report(dataOf(recorded))) warnings.push(warningOf(recorded, problem));
      continue;
    }
    const event = withoutVerifier({ type: recorded.type, data: recorded.data } as KeyEvent);
    if (select.keep(event)) events.push(event);
  }
  return { events, warnings, found: keyring.currentStreamPosition >= 0 || usage.currentStreamPosition >= 0 };
};

/**
 * Everything recorded about one company's keys (its keyring and usage streams), for keysAt.
 *
 * `until`, when given, leaves out events whose `data.at` is after it: they cannot count for keysAt at that instant,
 * so the answer for a past instant holds only the history up to it. Events a reader cannot apply are left out and
 * listed in `warnings`. Plain data; a KeyMinted's verifier is replaced by WITHHELD_VERIFIER.
 */
export const readCompanyHistory = async (store: EventStore, companyId: string, until?: Date): Promise<CompanyHistory> => {
  const limit = until?.getTime() ?? Infinity;
  const { events, warnings, found } = await readSelected(store, companyId, {
    keep: (e) => Date.parse(e.data.at) <= limit,
    report: () => true,
  });
  return { companyId, events, warnings, found };
};

const PAGE_SIZE = 500;
/** A key's id is reserved by its acknowledgement and repeated by its mint: both are in the company's keyring. */
const KEY_ORIGIN_TYPES = ['KeyAcknowledged', 'KeyMinted'] as const;

/**
 * Which company's keyring holds the key. The port has no index by key, so this reads the log's acknowledgements
 * and mints only (filtered by the store: on KurrentDB, on the server), a page at a time, and stops at the first one
 * of the key: the acknowledgement that reserved its id. Memory: one page. Time: up to the key's acknowledgement; the
 * whole of those two types when the key does not exist. Key ids are random (12 base62 characters), so the first
 * company found is the key's.
 */
export const findKeyCompany = async (store: EventStore, keyId: string): Promise<string | null> => {
  for (let after = 0; ; ) {
    const page = await store.readAll({ after, maxCount: PAGE_SIZE, eventTypes: KEY_ORIGIN_TYPES });
    if (page.length === 0) return null;
    for (const recorded of page) {
      const data = dataOf(recorded);
      if (data.keyId !== keyId || keyEventReadProblem(recorded.type, recorded.data)) continue;
      const companyId = data.companyId as string;
      // The keyring the product folds is the one named for the company; an event elsewhere is not the key's origin.
      if (recorded.streamId === keyringStreamId(companyId)) return companyId;
    }
    after = page[page.length - 1].globalPosition;
  }
};

/**
 * Everything recorded about one key, for timelineOf: its company (given, or found by findKeyCompany), then that
 * company's keyring and usage streams, cut down to the key. null when the key is in no keyring.
 */
export const readKeyHistory = async (store: EventStore, keyId: string, companyId?: string): Promise<KeyHistory | null> => {
  const company = companyId ?? (await findKeyCompany(store, keyId));
  if (company === null) return null;
  const { events, warnings } = await readSelected(store, company, {
    keep: (e) => e.data.keyId === keyId,
    report: (data) => data.keyId === keyId || typeof data.keyId !== 'string',
  });
  // Given a company, the key may not be in it: the same answer as a key in no keyring (unless its events were left out).
  if (!events.some((e) => e.type === 'KeyAcknowledged' || e.type === 'KeyMinted') && warnings.length === 0) return null;
  return { companyId: company, keyId, events, warnings };
};
