import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { APPEND_SQL, appendRows, type AppendedRows, type AppendRequest, type WrongVersion } from './append-rows.js';

/** What became of one append of a group: written (durable), refused (stream state), or failed (the error, as data). */
export type AppendOutcome = { ok: AppendedRows } | { wrong: WrongVersion } | { error: { message: string; code?: string; name?: string } };

interface WriterData {
  file: string;
  driver: string;
  sql: typeof APPEND_SQL;
}

/**
 * The body of the writer thread. Its source is sent to the worker (eval), so, like appendRows, it uses only its
 * parameters. One connection of its own to the file, synchronous=FULL: a group returns once fsynced. The groups
 * waiting when it looks (each message one group) are committed in ONE IMMEDIATE transaction (one fsync), each
 * append in a savepoint of its own, so a stream in the wrong state refuses its append alone. A failed COMMIT fails
 * every append of those groups (better-sqlite3 rolls the transaction back): nothing is answered as written that was not.
 */
function writerThread(req: (id: string) => any, append: typeof appendRows, data: WriterData): void {
  const { parentPort, receiveMessageOnPort } = req('node:worker_threads');
  const Database = req(data.driver);
  const db = new Database(data.file);
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = FULL');
  const stmts = {
    streamPosition: db.prepare(data.sql.streamPosition).pluck(),
    insert: db.prepare(data.sql.insert),
    byEventId: db.prepare(data.sql.byEventId),
  };
  const errorOf = (e: any) => ({ message: String(e?.message ?? e), code: typeof e?.code === 'string' ? e.code : undefined, name: e?.name });
  const one = db.transaction((a: AppendRequest) => append(stmts, a));
  const group = db.transaction((batch: AppendRequest[]) =>
    batch.map((a) => {
      try {
        return { ok: one(a) };
      } catch (e: any) {
        return e?.wrongExpectedVersion === true ? { wrong: e } : { error: errorOf(e) };
      }
    }),
  );
  type Msg = { type: 'append'; id: number; batch: AppendRequest[] } | { type: 'close' };
  const commit = (appends: { id: number; batch: AppendRequest[] }[]) => {
    if (appends.length === 0) return;
    const all = appends.flatMap((m) => m.batch);
    let outcomes: any[];
    try {
      outcomes = group.immediate(all);
    } catch (e) {
      const error = errorOf(e);
      outcomes = all.map(() => ({ error }));
    }
    let at = 0;
    for (const m of appends) {
      parentPort.postMessage({ id: m.id, outcomes: outcomes.slice(at, at + m.batch.length) });
      at += m.batch.length;
    }
  };
  parentPort.on('message', (first: Msg) => {
    // The groups sent while the last commit ran are committed together: one transaction, one fsync.
    const appends: { id: number; batch: AppendRequest[] }[] = [];
    for (let msg: Msg | undefined = first; msg !== undefined; msg = receiveMessageOnPort(parentPort)?.message) {
      if (msg.type === 'close') {
        commit(appends.splice(0));
        db.close();
        parentPort.close();
        return;
      }
      appends.push(msg);
    }
    commit(appends);
  });
}

const SOURCE = `const appendRows = ${appendRows.toString()};\n(${writerThread.toString()})(require, appendRows, require('node:worker_threads').workerData);`;

/**
 * A worker thread owning the write connection of one SQLite file: the fsync of a commit happens there, so the
 * thread that sent the appends goes on reading requests meanwhile. The caller sends a group while at most one other
 * is in flight (SqliteEventStore queues what arrives meanwhile: the next group), so groups grow with load; groups
 * that reach the thread while it commits are committed together, each answered with its own outcomes.
 * The thread keeps the process alive only while a group is in flight.
 */
export class SqliteWriterThread {
  private worker: Worker | null = null;
  private nextId = 1;
  /** Groups sent and not answered, each with the thread it went to: a thread that dies fails its own groups only. */
  private readonly inFlight = new Map<number, { worker: Worker; resolve(o: AppendOutcome[]): void; reject(e: unknown): void }>();
  private readonly driver = createRequire(import.meta.url).resolve('better-sqlite3');

  constructor(private readonly file: string) {
    this.spawn();
  }

  private spawn(): Worker {
    const worker = new Worker(SOURCE, { eval: true, workerData: { file: this.file, driver: this.driver, sql: APPEND_SQL } satisfies WriterData });
    worker.unref();
    worker.on('message', ({ id, outcomes }: { id: number; outcomes: AppendOutcome[] }) => {
      const waiting = this.inFlight.get(id);
      this.inFlight.delete(id);
      if (!this.hasGroupsOn(worker)) worker.unref();
      waiting?.resolve(outcomes);
    });
    // A dead thread's 'exit' may come after the groups queued behind its failed ones were sent to the next thread:
    // those are not its to fail (they would be written and reported failed).
    const fail = (error: unknown) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, waiting] of this.inFlight) {
        if (waiting.worker !== worker) continue;
        this.inFlight.delete(id);
        waiting.reject(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(Object.assign(new Error(`the SQLite writer thread exited (${code})`), { code: 'SQLITE_IOERR_WRITER_EXIT' })));
    this.worker = worker;
    return worker;
  }

  /** Commits the group in one transaction; resolves once it is durable (or refused), one outcome per append. */
  append(batch: AppendRequest[]): Promise<AppendOutcome[]> {
    const worker = this.worker ?? this.spawn();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.inFlight.set(id, { worker, resolve, reject });
      worker.ref();
      worker.postMessage({ type: 'append', id, batch });
    });
  }

  private hasGroupsOn(worker: Worker): boolean {
    for (const waiting of this.inFlight.values()) if (waiting.worker === worker) return true;
    return false;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage({ type: 'close' });
    worker.ref();
    await exited;
  }
}
