import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, sqliteFileIn, SqliteEventStore } from '#event-store';
import { settingsJwt, startReplica } from '../../test/e2e/multi-replica/replica-processes.js';

/**
 * A soak of the compiled app (embedded profile): SOAK_CLIENTS MCP clients call tools/call over SOAK_KEYS keys
 * for SOAK_SECONDS, while a manager mints new keys and revokes old ones. Designed answers: 200, 401 (a key
 * revoked under a client), 429 (the per-key rate limit). Anything else is an error. Prints the server's RSS at
 * start, middle and end, and checks every answered tools/call against the KeyUsed events in the log.
 *
 *   npm run -s build && SOAK_SECONDS=120 node dist/bench/soak/mcp-soak.js
 *
 * RSS is read every 10 s, so growth shows as a trend rather than one number.
 */
const seconds = Number(process.env.SOAK_SECONDS ?? 120);
const clients = Number(process.env.SOAK_CLIENTS ?? 16);
const keyCount = Number(process.env.SOAK_KEYS ?? 8);

const rssMb = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
};

const main = async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'keygate-soak-'));
  // The per-key limit raised (SOAK_RATE_LIMIT, default 60,000/min) so most calls do real work; a 429 is still a designed answer.
  const replica = await startReplica({ name: 'soak', dataDir, env: { KEYGATE_RATE_LIMIT_PER_MINUTE: process.env.SOAK_RATE_LIMIT ?? '60000' } });
  const url = replica.url;
  // Keys are spread over users (5 per creator at most) and two companies (10 per company at most).
  const owners = await Promise.all(
    ['u1', 'u2', 'u3', 'u4'].map(async (sub, i) => ({ company: i < 2 ? 'acme' : 'globex', jwt: await settingsJwt({ sub, company: i < 2 ? 'acme' : 'globex', role: 'user' }) })),
  );
  const mint = async (owner: (typeof owners)[number]) => {
    const auth = { authorization: `Bearer ${owner.jwt}` };
    const { acknowledgementId } = (await (await fetch(`${url}/api/keys/acknowledgements`, { method: 'POST', headers: auth })).json()) as { acknowledgementId: string };
    const res = await fetch(`${url}/api/keys`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ acknowledgementId }) });
    if (res.status !== 201) throw new Error(`mint: ${res.status} ${await res.text()}`);
    const { key, token } = (await res.json()) as { key: { id: string }; token: string };
    return { id: key.id, token, owner };
  };
  const keys: Awaited<ReturnType<typeof mint>>[] = [];
  for (let i = 0; i < keyCount; i++) keys.push(await mint(owners[i % owners.length]));

  const counts = new Map<string, number>();
  const count = (what: string) => counts.set(what, (counts.get(what) ?? 0) + 1);
  const answered = new Set<string>();
  const rss = [{ at: 0, mb: rssMb(replica.pid) }];
  const started = Date.now();
  const until = started + seconds * 1000;
  let seq = 0;

  // 2. Clients: each picks a key at random and calls whoami.
  const client = async (c: number) => {
    while (Date.now() < until) {
      const key = keys[Math.floor(Math.random() * keys.length)];
      const requestId = `soak-${c}-${seq++}`;
      try {
        const res = await fetch(`${url}/api/mcp`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key.token}`, accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'x-request-id': requestId },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
        });
        const body = await res.text();
        count(String(res.status));
        if (res.status === 200 && body.includes('"result"')) answered.add(requestId);
        else if (res.status === 200) count('200 without a result');
      } catch (error) {
        count(`network error: ${(error as Error).message}`);
      }
    }
  };
  // 3. The manager: every 2 s revokes the oldest key and mints a new one for the same owner.
  const manager = async () => {
    let minted = 0;
    let revoked = 0;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 2000));
      if (Date.now() >= until) break;
      const old = keys[0];
      const res = await fetch(`${url}/api/keys/${old.id}/revoke`, { method: 'POST', headers: { authorization: `Bearer ${old.owner.jwt}` } });
      if (res.status !== 200) count(`revoke ${res.status}`);
      else revoked++;
      keys.push(await mint(old.owner));
      keys.shift();
      minted++;
    }
    return { minted, revoked };
  };
  const sampler = setInterval(() => rss.push({ at: Math.round((Date.now() - started) / 1000), mb: rssMb(replica.pid) }), 10_000);
  const [lifecycle] = await Promise.all([manager(), ...Array.from({ length: clients }, (_, c) => client(c))]);
  clearInterval(sampler);
  rss.push({ at: seconds, mb: rssMb(replica.pid) });
  await replica.stop();

  // 4. Every answered tools/call has its KeyUsed in the log.
  const db = openSqlite(sqliteFileIn(dataDir));
  const logged = new Set(
    new SqliteEventStore(db).readAllSync({ after: 0, maxCount: 10_000_000, eventTypes: ['KeyUsed'] }).map((e) => (e.data as { requestId: string }).requestId),
  );
  db.close();
  rmSync(dataDir, { recursive: true, force: true });
  const missing = [...answered].filter((id) => !logged.has(id)).length;
  const unexpected = [...counts].filter(([status]) => !['200', '401', '429'].includes(status));

  console.log(`soak: ${seconds} s, ${clients} clients over ${keyCount} keys; ${lifecycle.minted} mints and ${lifecycle.revoked} revokes meanwhile`);
  console.log(`answers: ${JSON.stringify(Object.fromEntries(counts))}`);
  console.log(`tools/call answered: ${answered.size} (${Math.round(answered.size / seconds)}/s); without their KeyUsed in the log: ${missing}`);
  console.log(`server RSS (MB): ${rss.map((r) => `${r.at}s ${r.mb}`).join(', ')}`);
  console.log(`unexpected answers: ${unexpected.length === 0 ? 'none' : JSON.stringify(unexpected)}`);
  process.exitCode = missing === 0 && unexpected.length === 0 ? 0 : 1;
};

await main();
