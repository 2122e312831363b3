/**
 * Storage failures: the store could not do what was asked for a reason outside the request (disk full, I/O
 * error, read-only or vanished file, a write lock held past busy_timeout, KurrentDB unreachable). Temporary
 * as far as the caller can tell: the same request may succeed later, so the API answers 503 + Retry-After
 * (apps/api/src/problem/problem-details.filter.ts), never a 500 naming the driver's code.
 *
 * It lives beside the SQLite adapter, which throws it, and is exported from #event-store with it; it belongs
 * with the port (event-store.port.ts) once the KurrentDB adapter wraps its own UnavailableError too.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'STORE_UNAVAILABLE';

  constructor(
    /** What failed: an append (nothing of it was written) or a read. */
    readonly operation: 'append' | 'read' | 'probe',
    /** The driver's code (SQLITE_FULL…), or the KurrentDB error's name. */
    readonly driverCode: string,
    options: { cause: unknown },
  ) {
    super(`The event store cannot ${operation === 'read' ? 'read' : 'write'} (${driverCode})`, options);
    this.name = 'StoreUnavailableError';
  }
}

// SQLite result codes (extended codes start with the primary one: SQLITE_IOERR_WRITE, SQLITE_READONLY_DBMOVED…).
// Not here: SQLITE_CORRUPT and SQLITE_NOTADB (a retry does not help: that is an operator's 500), SQLITE_CONSTRAINT
// and SQLITE_ERROR (bugs), SQLITE_NOMEM (the process, not the store).
const SQLITE_STORAGE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|PROTOCOL)(_|$)/;

/** The driver code of a storage failure anywhere in the error's cause chain, else null. */
export const storageFailureCode = (error: unknown): string | null => {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof StoreUnavailableError) return e.driverCode;
    const { code, name, type } = e as { code?: unknown; name?: unknown; type?: unknown };
    if (typeof code === 'string' && SQLITE_STORAGE.test(code)) return code;
    // @kurrent/kurrentdb-client's UnavailableError (type "unavailable"), recognised without loading the driver.
    if (name === 'UnavailableError' || type === 'unavailable') return 'KurrentDB UnavailableError';
  }
  return null;
};

export const isStorageFailure = (error: unknown): boolean => storageFailureCode(error) !== null;
