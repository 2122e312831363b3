import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, sqliteFileIn } from '#event-store';
import { settingsJwt, startReplica, type Replica } from '../e2e/multi-replica/replica-processes.js';
import { loggedUseRequestIds, readModelsThenRebuilt } from './crash-checks.js';

const LOAD_MS = 1500;

/**
 * kill -9 in the middle of a mixed load (mints, revokes, MCP tools/call), then a restart on the same file:
 * everything the server acknowledged is there, and the read models equal a rebuild of the log.
 */
describe('kill -9 under mixed load', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-kill-'));
  let replica: Replica | null = null;
  afterAll(async () => {
    await replica?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses nothing acknowledged, and the read models equal a rebuild', async () => {
    replica = await startReplica({ name: 'A', dataDir });
    const acked = { minted: new Set<string>(), revoked: new Set<string>(), used: new Set<string>() };
    const url = replica.url;
    let stop = false;
    let seq = 0;

    // 1. Four users in two companies: each mints, calls tools/call with its keys, revokes the oldest.
    const user = async (sub: string, company: string) => {
      const jwt = await settingsJwt({ sub, company, role: 'user', permissions: ['settings:view'] });
      const h = { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' };
      const live: { id: string; token: string }[] = [];
      while (!stop) {
        try {
          if (live.length < 3) {
            const ack = await fetch(`${url}/api/keys/acknowledgements`, { method: 'POST', headers: { authorization: h.authorization } });
            const { acknowledgementId } = (await ack.json()) as { acknowledgementId: string };
            const res = await fetch(`${url}/api/keys`, { method: 'POST', headers: h, body: JSON.stringify({ acknowledgementId, label: `k${seq++}` }) });
            if (res.status === 201) {
              const { key, token } = (await res.json()) as { key: { id: string }; token: string };
              acked.minted.add(key.id);
              live.push({ id: key.id, token });
            }
          } else if (seq % 5 === 0) {
            const old = live.shift()!;
            const res = await fetch(`${url}/api/keys/${old.id}/revoke`, { method: 'POST', headers: { authorization: h.authorization } });
            if (res.status === 200) acked.revoked.add(old.id);
          }
          for (const key of live) {
            const requestId = `load-${sub}-${seq++}`;
            const res = await fetch(`${url}/api/mcp`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${key.token}`,
                accept: 'application/json, text/event-stream',
                'content-type': 'application/json',
                'x-request-id': requestId,
              },
              body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
            });
            // Answered 200 with a result: its KeyUsed was durable before the answer left.
            if (res.status === 200 && ((await res.json()) as { result?: unknown }).result) acked.used.add(requestId);
          }
        } catch {
          // The kill: connections reset. Whatever was not answered was not acknowledged.
        }
      }
    };
    const users = [user('ann', 'acme'), user('bob', 'acme'), user('cat', 'globex'), user('dan', 'globex')];

    // 2. kill -9 mid-load.
    await new Promise((r) => setTimeout(r, LOAD_MS));
    process.kill(replica.pid, 'SIGKILL');
    await replica.stop();
    stop = true;
    await Promise.all(users);
    console.log(
      `[kill -9] acknowledged before the kill: ${acked.minted.size} mints, ${acked.revoked.size} revokes, ${acked.used.size} tools/call`,
    );
    expect(acked.minted.size).toBeGreaterThan(0);
    expect(acked.used.size).toBeGreaterThan(0);

    // 3. Restart on the same file: every acknowledged mint and revoke shows in the lists.
    replica = await startReplica({ name: 'A2', dataDir });
    const seen = new Map<string, string>();
    for (const [sub, company] of [['ann', 'acme'], ['bob', 'acme'], ['cat', 'globex'], ['dan', 'globex']]) {
      const jwt = await settingsJwt({ sub, company, role: 'user' });
      const res = await fetch(`${replica.url}/api/keys`, { headers: { authorization: `Bearer ${jwt}` } });
      for (const k of ((await res.json()) as { items: { id: string; status: string }[] }).items) seen.set(k.id, k.status);
    }
    expect([...acked.minted].filter((id) => !seen.has(id))).toEqual([]);
    expect([...acked.revoked].filter((id) => seen.get(id) !== 'revoked')).toEqual([]);
    await replica.stop();
    replica = null;

    // 4. Every acknowledged tools/call has its KeyUsed in the log.
    const db = openSqlite(sqliteFileIn(dataDir));
    const used = loggedUseRequestIds(db);
    expect([...acked.used].filter((id) => !used.has(id))).toEqual([]);

    // 5. The read models the restarted process left equal a rebuild of the log (the operator's own command).
    const { left, rebuilt } = await readModelsThenRebuilt(db, dataDir);
    expect(rebuilt).toEqual(left);
    db.close();
  }, 60_000);
});
