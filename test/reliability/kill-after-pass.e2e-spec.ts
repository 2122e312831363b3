import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqlite, sqliteFileIn } from '#event-store';
import { settings, settingsJwt, startReplica, type Replica } from '../e2e/multi-replica/replica-processes.js';
import { loggedUseRequestIds, readModelsThenRebuilt } from './crash-checks.js';


/**
 * The embedded write path: KeyUsed appends are fsynced by the store's writer thread (synchronous=FULL), while a
 * projection pass commits every projection's rows and checkpoints in ONE transaction on the main connection
 * with synchronous=NORMAL (no fsync). kill -9 right after a pass commits (seen by a read-only observer of the
 * file), twice: once when the uses have stopped, once while they keep coming. After a restart on the same file,
 * every acknowledged use is in the log and the read models equal a rebuild of it. And once between the answers of
 * uses and their pass (issue 11: passes of uses are coalesced), with the same checks.
 */
describe('kill -9 right after a projection pass', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-kill-pass-'));
  const file = sqliteFileIn(dataDir);
  let replica: Replica | null = null;
  afterAll(async () => {
    await replica?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The lowest projection checkpoint and the head of the log, read-only (never a write lock). */
  const observe = (): { checkpoint: number; head: number } => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const head = db.prepare('SELECT COALESCE(MAX(global_position), 0) FROM events').pluck().get() as number;
      const checkpoint = db.prepare('SELECT COALESCE(MIN(position), 0) FROM projection_checkpoints').pluck().get() as number;
      return { checkpoint, head };
    } finally {
      db.close();
    }
  };

  let seq = 0;
  const use = async (url: string, token: string, acked: Set<string>): Promise<void> => {
    const requestId = `use-${seq++}`;
    try {
      const res = await fetch(`${url}/api/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json, text/event-stream',
          'content-type': 'application/json',
          'x-request-id': requestId,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
      });
      // 200 with a result: its KeyUsed was fsynced before the answer left.
      if (res.status === 200 && ((await res.json()) as { result?: unknown }).result) acked.add(requestId);
    } catch {
      // The kill: whatever was not answered was not acknowledged.
    }
  };

  it('loses no acknowledged use, and the read models equal a rebuild', async () => {
    const acked = new Set<string>();
    replica = await startReplica({ name: 'A', dataDir });
    const tokens: string[] = [];
    for (const [sub, company] of [['ann', 'acme'], ['cat', 'globex']]) {
      const jwt = await settingsJwt({ sub, company, role: 'user', permissions: ['settings:view'] });
      tokens.push((await settings(replica, jwt).mint(`key of ${sub}`)).token);
    }

    // 1. A burst of uses, all answered; then, as soon as a pass has taken them all (checkpoint = head), kill -9.
    await Promise.all(Array.from({ length: 60 }, (_, i) => use(replica!.url, tokens[i % 2], acked)));
    const head = observe().head;
    for (let t = Date.now(); observe().checkpoint < head; ) {
      if (Date.now() - t > 10_000) throw new Error(`no pass reached ${head}: ${JSON.stringify(observe())}`);
    }
    process.kill(replica.pid, 'SIGKILL');
    await replica.stop();
    expect(acked.size).toBe(60);

    // 2. Restart; uses keep coming; kill -9 the moment a checkpoint is seen moving (a pass just committed).
    replica = await startReplica({ name: 'A2', dataDir });
    let stop = false;
    const url = replica.url;
    const callers = Array.from({ length: 8 }, async (_, i) => {
      while (!stop) await use(url, tokens[i % 2], acked);
    });
    const before = acked.size;
    while (acked.size < before + 200) await new Promise((r) => setTimeout(r, 5));
    const seen = observe().checkpoint;
    // Polls the file but yields between looks: the callers share this thread, and a loop that never yields
    // stops the uses that would make the next pass (it failed so once, on a loaded machine).
    for (let t = Date.now(); observe().checkpoint === seen; await new Promise((r) => setImmediate(r))) {
      if (Date.now() - t > 10_000) throw new Error('no pass committed under load');
    }
    process.kill(replica.pid, 'SIGKILL');
    await replica.stop();
    stop = true;
    await Promise.all(callers);
    console.log(`[kill after pass] acknowledged tools/call: ${acked.size}`);

    // 3. Between the answers and their pass: uses are answered once durable, but passes of uses only wait for the
    //    next ones (KEYGATE_USAGE_PASS_INTERVAL_MS, long here so the window is certain). kill -9 inside that window.
    replica = await startReplica({ name: 'A3', dataDir, env: { KEYGATE_USAGE_PASS_INTERVAL_MS: '10000' } });
    const inWindow = new Set<string>();
    for (let i = 0; i < 20; i++) await use(replica.url, tokens[i % 2], inWindow);
    expect(inWindow.size).toBe(20);
    const atKill = observe();
    expect(atKill.checkpoint).toBeLessThan(atKill.head);
    process.kill(replica.pid, 'SIGKILL');
    await replica.stop();
    for (const id of inWindow) acked.add(id);

    // 4. Restart: it catches up from the checkpoints before serving; then a clean stop.
    replica = await startReplica({ name: 'A4', dataDir });
    await replica.stop();
    replica = null;

    // 5. Every acknowledged use is in the log.
    const db = openSqlite(file);
    const logged = loggedUseRequestIds(db);
    expect([...acked].filter((id) => !logged.has(id))).toEqual([]);

    // 6. The read models (and checkpoints) the restarted process left equal a rebuild of the log.
    const { left, rebuilt } = await readModelsThenRebuilt(db, dataDir);
    expect(rebuilt).toEqual(left);
    db.close();
  }, 90_000);
});
