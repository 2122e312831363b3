/**
 * Failures of the SQLite file itself (busy, locked, full, I/O, read-only): they say nothing about the event
 * being applied, so the batch is retried later, never parked. Anything else a projection throws while
 * applying one event (a TypeError on a field it did not expect, a constraint, a value SQLite cannot bind) is
 * that event's fault, and only that event is parked.
 */
const STORE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|NOMEM|READONLY|CANTOPEN|CORRUPT|NOTADB|INTERRUPT|PROTOCOL|PERM|AUTH|NOLFS)/;

export const isSqliteStoreFailure = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && STORE_CODES.test(code);
};
