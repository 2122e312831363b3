import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transformFileSync } from '@swc/core';
import { eventStoreContract, startSubscription, type Subscription } from '../event-store.contract.js';
import { WrongExpectedVersionError } from '../event-store.port.js';
import { openSqlite, sqliteFileIn, type SqliteDb } from './open-sqlite.js';
import { SqliteEventStore, StoreUnavailableError, type SqliteEventStoreOptions } from './sqlite-event-store.js';
import { SqliteWriterThread } from './sqlite-writer-thread.js';
import type { AppendRequest } from './append-rows.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'keygate-event-store-'));

/** A store on a fresh file, inline writes or (the embedded runtime's) a writer thread with a connection of its own. */
const onFreshFile = (options: ConstructorParameters<typeof SqliteEventStore>[1] = {}) => async () => {
  const dir = tempDir();
  const db = openSqlite(sqliteFileIn(dir));
  const store = new SqliteEventStore(db, options);
  return {
    store,
    async teardown() {
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

eventStoreContract('SqliteEventStore', onFreshFile());
eventStoreContract('SqliteEventStore (writer thread)', onFreshFile({ writer: 'worker' }));

describe('SqliteEventStore on a file', () => {
  let dir: string;
  let file: string;
  let opened: { db: SqliteDb; store: SqliteEventStore }[];
  let subscriptions: Subscription[];

  beforeEach(() => {
    dir = tempDir();
    file = sqliteFileIn(dir);
    opened = [];
    subscriptions = [];
  });

  afterEach(async () => {
    await Promise.allSettled(subscriptions.map((s) => s.stop()));
    for (const { db, store } of opened) {
      await store.close();
      if (db.open) db.close();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const open = (options?: SqliteEventStoreOptions) => {
    const db = openSqlite(file);
    const connection = { db, store: new SqliteEventStore(db, options) };
    opened.push(connection);
    return connection;
  };
  const minted = (eventId: string, n: number) => ({ eventId, type: 'KeyMinted', data: { n } });

  it('reports head position 0 when empty', async () => {
    await expect(open().store.headPosition()).resolves.toBe(0);
  });

  it('keeps appended events across closing and reopening the file', async () => {
    const first = open();
    await first.store.appendToStream('key-1', [minted('e0', 0), minted('e1', 1)], 'no_stream');
    const before = await first.store.readStream('key-1');
    await first.store.close();
    first.db.close();

    const reopened = open();
    expect(await reopened.store.readStream('key-1')).toEqual(before);
    expect(before.events.map((e) => [e.eventId, e.streamPosition, e.globalPosition, e.data])).toEqual([
      ['e0', 0, 1, { n: 0 }],
      ['e1', 1, 2, { n: 1 }],
    ]);
  });

  it('opens every connection with WAL, synchronous=FULL and a busy timeout (what the durability claims rest on)', () => {
    const { db } = open();

    expect({
      journal_mode: db.pragma('journal_mode', { simple: true }),
      synchronous: db.pragma('synchronous', { simple: true }),
      busy_timeout: db.pragma('busy_timeout', { simple: true }),
    }).toEqual({ journal_mode: 'wal', synchronous: 2, busy_timeout: 5000 }); // 2 = FULL
  });

  it('keeps what a killed process committed through openSqlite and SqliteEventStore, and drops its open transaction', async () => {
    const child = spawnWriter(file);
    const pragmas = JSON.parse(await untilStdout(child, /^pragmas (.*)$/m));
    await untilStdout(child, /^committed$/m);
    child.kill('SIGKILL');
    const [, signal] = await once(child, 'exit');
    expect(signal).toBe('SIGKILL');
    // The writer's own connection, as openSqlite made it: a commit is fsynced before the append returns.
    expect(pragmas).toEqual({ journal_mode: 'wal', synchronous: 2 });
    // Not checkpointed: the rows are only in the WAL, which the reopen must recover.
    expect(existsSync(`${file}-wal`)).toBe(true);

    const read = await open().store.readStream('key-1');
    expect(read.currentStreamPosition).toBe(1);
    expect(read.events.map((e) => [e.eventId, e.streamPosition, e.type, e.data])).toEqual([
      ['e0', 0, 'KeyMinted', { n: 0 }],
      ['e1', 1, 'KeyMinted', { n: 1 }],
    ]);
  });

  it('turns a storage failure of an append into StoreUnavailableError, writes nothing, and reports it until a write goes through', async () => {
    const { db, store } = open();
    await store.appendToStream('key-1', [minted('e0', 0)], 'no_stream');
    expect(store.writeStatus()).toEqual({ writable: true });

    // The file turned read-only under us (as good as a full disk for a writer): SQLITE_READONLY.
    db.pragma('query_only = ON');
    const failed = await store.appendToStream('key-1', [minted('e1', 1)], 0).catch((e: unknown) => e);

    expect(failed).toBeInstanceOf(StoreUnavailableError);
    expect(failed).toMatchObject({ operation: 'append', driverCode: 'SQLITE_READONLY', cause: { code: 'SQLITE_READONLY' } });
    expect(store.writeStatus()).toMatchObject({ writable: false, error: expect.stringMatching(/^SQLITE_READONLY: /) });
    // Writable again: the probe (one tiny committed write) notices without waiting for a user's append.
    db.pragma('query_only = OFF');
    expect(store.writeStatus()).toEqual({ writable: true });
    // Not a storage failure: passed on as it was, and not remembered as one.
    await expect(store.appendToStream('key-1', [minted('e2', 2)], 5)).rejects.toThrow(WrongExpectedVersionError);
    expect(store.writeStatus()).toEqual({ writable: true });
    await store.appendToStream('key-1', [minted('e1', 1)], 0);
    expect((await store.readStream('key-1')).events.map((e) => e.eventId)).toEqual(['e0', 'e1']);
  });

  it('shares appends and the expected-state check between two connections to one file', async () => {
    const a = open();
    const b = open({ pollIntervalMs: 20 });
    const sub = startSubscription(b.store, { after: 0 });
    subscriptions.push(sub);

    await a.store.appendToStream('key-1', [minted('e0', 0)], 'no_stream');
    await sub.waitFor(1, 1000); // B is not told about A's append: only its poll finds it
    expect(sub.events.map((e) => [e.eventId, e.streamId, e.globalPosition])).toEqual([['e0', 'key-1', 1]]);

    await expect(b.store.appendToStream('key-1', [minted('e1', 1)], 'no_stream')).rejects.toThrow(
      WrongExpectedVersionError,
    );
    await b.store.appendToStream('key-1', [minted('e1', 1)], 0);
    await expect(a.store.appendToStream('key-1', [minted('e2', 2)], 0)).rejects.toMatchObject({
      name: 'WrongExpectedVersionError',
      expected: 0,
      actual: 1,
    });
    expect((await a.store.readStream('key-1')).events.map((e) => e.eventId)).toEqual(['e0', 'e1']);
  });

  it('writer thread: appends sent while groups are in flight commit in the order sent, each answered for itself', async () => {
    const { store } = open({ writer: 'worker' });
    // Not awaited: many groups, two in flight at a time, merged by the thread when they wait for it together.
    const sent = Array.from({ length: 120 }, (_, i) =>
      i % 3 === 0
        ? store.appendToStream('chain', [minted(`c${i / 3}`, i)], i === 0 ? 'no_stream' : i / 3 - 1)
        : store.appendToStream(`loose-${i % 7}`, [minted(`l${i}`, i)], 'any'),
    );
    // One append in the wrong state among them: refused alone.
    const wrong = store.appendToStream('chain', [minted('wrong', -1)], 0);
    const results = await Promise.all(sent);
    await expect(wrong).rejects.toThrow(WrongExpectedVersionError);

    const positions = results.map((r) => r.lastGlobalPosition);
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
    expect(new Set(positions).size).toBe(120);
    expect((await store.readStream('chain')).events.map((e) => e.eventId)).toEqual(Array.from({ length: 40 }, (_, i) => `c${i}`));
    expect((await store.readAll({ after: 0, maxCount: 200 })).map((e) => e.eventId)).not.toContain('wrong');
  });

  it('writer thread: groups that reach it while it commits are committed together, each answered with its own appends', async () => {
    open(); // the schema
    const writer = new SqliteWriterThread(file);
    const request = (streamId: string, events: number): AppendRequest => ({
      streamId,
      events: Array.from({ length: events }, (_, i) => ({ eventId: randomUUID(), type: 'KeyMinted', data: JSON.stringify({ i }), metadata: '{}' })),
      expected: 'any',
      recordedAt: new Date().toISOString(),
    });
    try {
      // A large group keeps the thread busy, so the three after it wait for it together: one transaction.
      const busy = writer.append(Array.from({ length: 2000 }, (_, i) => request(`busy-${i % 10}`, 1)));
      const groups = await Promise.all([
        writer.append([request('a', 1), request('a', 2)]),
        writer.append([request('b', 3)]),
        writer.append([request('c', 1), request('c', 1), request('c', 1)]),
      ]);
      expect((await busy).every((o) => 'ok' in o)).toBe(true);
      const last = groups.map((outcomes) => outcomes.map((o) => ('ok' in o ? o.ok.lastGlobalPosition : o)));
      expect(last).toEqual([[2001, 2003], [2006], [2007, 2008, 2009]]);
    } finally {
      await writer.close();
    }
  });

  it('writer thread: a thread that dies fails its own groups only, not one sent to the thread started after it', async () => {
    const later = join(dir, 'not-yet', 'keygate.sqlite');
    const writer = new SqliteWriterThread(later); // its directory does not exist: the thread dies opening the file
    const request = (streamId: string): AppendRequest => ({
      streamId,
      events: [{ eventId: randomUUID(), type: 'KeyMinted', data: '{}', metadata: '{}' }],
      expected: 'any',
      recordedAt: new Date().toISOString(),
    });
    try {
      await expect(writer.append([request('a')])).rejects.toBeDefined();
      // Before the dead thread's exit is reported: the file exists now, and the next group goes to a new thread.
      mkdirSync(dirname(later));
      const db = openSqlite(later);
      opened.push({ db, store: new SqliteEventStore(db) }); // the schema
      const outcomes = await writer.append([request('b')]);
      expect(outcomes.map((o) => Object.keys(o))).toEqual([['ok']]);
    } finally {
      await writer.close();
    }
  });

  it('writer thread: a projection pass (runExclusive) waits for every group in flight and goes before the next group', async () => {
    const { db, store } = open({ writer: 'worker' });
    const count = db.prepare('SELECT COUNT(*) FROM events').pluck();
    // Two groups in flight, a third queued behind them.
    const appends = ['x1', 'x2', 'x3'].map((s) => store.appendToStream(s, [minted(s, 0)], 'no_stream'));
    const seen = await store.runExclusive(() => count.get());
    expect(seen).toBe(2);
    await Promise.all(appends);
    expect(count.get()).toBe(3);
  });

  describe.each([['inline', {}], ['writer thread', { writer: 'worker' }]] as const)('subscriptions served from its own appends (%s)', (_, options) => {
    it('deliver exactly what the file holds, in order, own appends from memory and another process’s from the file', async () => {
      const own = open({ ...options, pollIntervalMs: 10 });
      const other = open(); // another connection to the file: the other process
      const all = startSubscription(own.store, { after: 0 });
      const filtered = startSubscription(own.store, { after: 0, eventTypes: ['KeyRevoked'] });
      subscriptions.push(all, filtered);
      // A fixed pseudo-random mix (LCG), so a failure replays.
      let seed = 20261202;
      const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
      let id = 0;
      const event = () => ({ eventId: `e${id++}`, type: next(4) === 0 ? 'KeyRevoked' : 'KeyUsed', data: { n: id, text: 'é"\\u2028' } });
      for (let step = 0; step < 300; step++) {
        const store = next(5) === 0 ? other.store : own.store;
        const events = Array.from({ length: 1 + next(3) }, event);
        // Several appends at once, now and then: one group in the writer thread.
        if (next(6) === 0) {
          // The other process appends while a group of this one is on its way: positions interleave either way.
          const mine = own.store.appendToStream(`s${step}`, events, 'any');
          await other.store.appendToStream(`o${step}`, [event()], 'any');
          await mine;
        } else if (next(4) === 0) await Promise.all(events.map((e, i) => store.appendToStream(`s${step}-${i}`, [e], 'any')));
        else await store.appendToStream(`s${step % 7}`, events, 'any');
        if (next(3) === 0) await new Promise((resolve) => setImmediate(resolve)); // the subscriptions read between
      }
      const file = own.store.readAllSync({ after: 0, maxCount: 10_000 });
      const revoked = file.filter((e) => e.type === 'KeyRevoked');
      await all.waitFor(file.length);
      await filtered.waitFor(revoked.length);

      expect(all.events).toEqual(file);
      expect(filtered.events).toEqual(revoked);
      // Both paths were taken: memory for its own appends, the file after the other process's.
      expect(own.store.subscriptionReads().fromMemory).toBeGreaterThan(10);
      expect(own.store.subscriptionReads().fromFile).toBeGreaterThan(10);
    });

    it('take nothing from memory for an append answered from the file (a retried command)', async () => {
      const own = open(options);
      await own.store.appendToStream('k', [minted('e0', 0), minted('e1', 1)], 'no_stream');
      // A retry of that append (its event ids; here, other data): nothing written, the positions of what was.
      expect(await own.store.appendToStream('k', [minted('e0', 10), minted('e1', 11)], 'no_stream')).toEqual({ nextExpectedStreamPosition: 1, lastGlobalPosition: 2 });
      await own.store.appendToStream('k', [minted('e2', 2)], 1);
      const sub = startSubscription(own.store, { after: 0 });
      subscriptions.push(sub);
      await sub.waitFor(3);
      expect(sub.events.map((e) => [e.eventId, e.globalPosition, e.streamPosition, e.data])).toEqual([
        ['e0', 1, 0, { n: 0 }],
        ['e1', 2, 1, { n: 1 }],
        ['e2', 3, 2, { n: 2 }],
      ]);
    });
  });

  it('subscriptions read this process’s appends from memory while its next groups are in flight (not from the file)', async () => {
    const { store } = open({ writer: 'worker', pollIntervalMs: 1000 });
    const sub = startSubscription(store, { after: 0 });
    subscriptions.push(sub);
    // Three callers at a time, as under load: while the first group is answered, the next is often committed already.
    for (let round = 0; round < 200; round++) {
      await Promise.all([0, 1, 2].map((i) => store.appendToStream(`s${i}`, [minted(`e${round}-${i}`, round)], 'any')));
    }
    await sub.waitFor(600, 5000);
    const { fromMemory, fromFile } = store.subscriptionReads();
    // Without the rule for groups in flight, about a third of these reads went to the file.
    expect(fromFile / (fromMemory + fromFile)).toBeLessThan(0.05);
  });

  it('subscriptions see another process’s append by their next poll while this one’s groups stay in flight adding nothing', async () => {
    const own = open({ writer: 'worker', pollIntervalMs: 20 });
    const other = open();
    await own.store.appendToStream('k', [minted('e0', 0)], 'no_stream');
    const sub = startSubscription(own.store, { after: 0 });
    subscriptions.push(sub);
    await sub.waitFor(1);
    await other.store.appendToStream('x', [minted('foreign', 0)], 'no_stream');
    // Three callers whose appends are all refused (the stream exists): a group is in flight nearly all the time,
    // and none adds a row.
    let stop = false;
    const refused = async () => {
      while (!stop) await own.store.appendToStream('k', [minted(randomUUID(), 9)], 'no_stream').catch(() => undefined);
    };
    const callers = [refused(), refused(), refused()];
    try {
      await sub.waitFor(2, 1000);
      expect(sub.events.map((e) => e.eventId)).toEqual(['e0', 'foreign']);
    } finally {
      stop = true;
      await Promise.all(callers);
    }
  });

  it('subscriptions get an id with a lone surrogate as the file holds it (SQLite stores U+FFFD), not as it was appended', async () => {
    const { store } = open({ writer: 'worker' });
    await store.appendToStream('k-\ud800', [minted('e0', 0)], 'no_stream');
    await store.appendToStream('k', [minted('e1', 1)], 'no_stream');
    const sub = startSubscription(store, { after: 0 });
    subscriptions.push(sub);
    await sub.waitFor(2);
    const file = store.readAllSync({ after: 0, maxCount: 10 });
    expect(file[0].streamId).not.toBe('k-\ud800');
    expect(sub.events).toEqual(file);
  });

  it('subscriptions take nothing from memory for an inline append inside a caller’s transaction that rolls back', async () => {
    const own = open();
    const other = open();
    await own.store.appendToStream('k', [minted('e0', 0)], 'no_stream');
    expect(() =>
      own.db.transaction(() => {
        void own.store.appendToStream('k', [minted('ghost', 1)], 0);
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    // Position 2 is taken by the other process: were the ghost remembered at 2, the head would match it.
    await other.store.appendToStream('k', [minted('e1', 1)], 0);
    const sub = startSubscription(own.store, { after: 0 });
    subscriptions.push(sub);
    await sub.waitFor(2);
    expect(sub.events.map((e) => [e.eventId, e.globalPosition])).toEqual([
      ['e0', 1],
      ['e1', 2],
    ]);
  });

  it('filters on a list of types and on a single type containing a comma separately', async () => {
    const { store } = open();
    await store.appendToStream('s', [{ eventId: 'e0', type: 'A,B', data: {} }, { eventId: 'e1', type: 'A', data: {} }], 'no_stream');

    const one = await store.readAll({ after: 0, maxCount: 10, eventTypes: ['A,B'] });
    const two = await store.readAll({ after: 0, maxCount: 10, eventTypes: ['A', 'B'] });

    expect(one.map((e) => e.eventId)).toEqual(['e0']);
    expect(two.map((e) => e.eventId)).toEqual(['e1']);
  });

  it('ends open subscriptions on close, so the connection can be closed after', async () => {
    const { store } = open({ pollIntervalMs: 20 });
    const sub = startSubscription(store, { after: 0 });
    subscriptions.push(sub);
    await store.appendToStream('s', [minted('e0', 0)], 'no_stream');
    await sub.waitFor(1);

    await store.close();
    const ended = await Promise.race([
      sub.ended.then(() => 'ended'),
      new Promise((resolve) => setTimeout(resolve, 200, 'still running')),
    ]);
    expect(ended).toBe('ended');
  });
});

// The killed writer runs the real adapter: openSqlite and SqliteEventStore, compiled from this checkout's sources
// by swc (what jest uses) into a scratch folder under node_modules/.cache, so `better-sqlite3` resolves as for the
// app and no `npm run build` is needed. Its appends are real; e2 is appended inside an outer transaction it
// never commits (the append's own transaction becomes a savepoint of it).
const WRITER = `
const { openSqlite } = await import(process.env.OPEN_SQLITE_URL);
const { SqliteEventStore } = await import(process.env.SQLITE_EVENT_STORE_URL);
const db = openSqlite(process.env.DB_FILE);
const store = new SqliteEventStore(db);
console.log('pragmas ' + JSON.stringify({ journal_mode: db.pragma('journal_mode', { simple: true }), synchronous: db.pragma('synchronous', { simple: true }) }));
const minted = (eventId, n) => ({ eventId, type: 'KeyMinted', data: { n } });
await store.appendToStream('key-1', [minted('e0', 0), minted('e1', 1)], 'no_stream');
db.exec('BEGIN IMMEDIATE');
await store.appendToStream('key-1', [minted('e2', 2)], 1);
console.log('committed');
setInterval(() => {}, 60_000);
`;

/** The event store's sources the writer needs, compiled to ESM JavaScript; returns the folder. */
function compileAdapter(): string {
  const here = dirname(fileURLToPath(import.meta.url)); // libs/event-store/src/sqlite
  const cache = join(createRequire(import.meta.url).resolve('better-sqlite3').split('/node_modules/')[0], 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(join(cache, 'keygate-writer-'));
  mkdirSync(join(out, 'sqlite'));
  const sources = [
    join('..', 'event-store.port.ts'),
    ...readdirSync(here).filter((f) => f.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(f)),
  ];
  for (const source of sources) {
    const { code } = transformFileSync(join(here, source), {
      jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
      module: { type: 'es6' },
      sourceMaps: false,
    });
    writeFileSync(join(out, 'sqlite', source.replace(/\.ts$/, '.js')), code);
  }
  return out;
}

let compiled: string | undefined;
afterAll(() => compiled && rmSync(compiled, { recursive: true, force: true }));

function spawnWriter(file: string): ChildProcess {
  compiled ??= compileAdapter();
  const url = (name: string) => pathToFileURL(join(compiled!, 'sqlite', name)).href;
  return spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
    env: { ...process.env, NODE_OPTIONS: '', DB_FILE: file, OPEN_SQLITE_URL: url('open-sqlite.js'), SQLITE_EVENT_STORE_URL: url('sqlite-event-store.js') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the first capture group of `pattern` (or the match) once the child's stdout holds it. */
function untilStdout(child: ChildProcess, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const onStderr = (chunk: Buffer) => (stderr += chunk.toString());
    const onStdout = (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = pattern.exec(stdout);
      if (match) done(() => resolve(match[1] ?? match[0]));
    };
    const onExit = (code: number | null) => fail(`writer exited with ${code}`);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      child.stdout!.off('data', onStdout);
      child.stderr!.off('data', onStderr);
      child.off('exit', onExit);
      settle();
    };
    const fail = (why: string) => done(() => (child.kill('SIGKILL'), reject(new Error(`${why}; stderr: ${stderr}`))));
    const timer = setTimeout(() => fail(`no ${pattern} within ${timeoutMs} ms`), timeoutMs);
    child.stderr!.on('data', onStderr);
    child.stdout!.on('data', onStdout);
    child.once('exit', onExit);
  });
}
