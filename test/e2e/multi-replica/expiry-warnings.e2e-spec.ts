import Database from 'better-sqlite3';
import { sqliteFileIn } from '#event-store';
import { assertDistIsCurrent } from '#test-support/dist-freshness';
import { settings, settingsJwt, startReplicaSet, type Replica, type ReplicaSet } from './replica-processes.js';

// Two real API processes on one SQLite file, each running the sweeper every 20 ms: the expiry warnings race, and
// each must still be written once. Keys live 1 day here, so the 1-day warning is due the moment a key is minted.

const BOUND_MS = 20_000;
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The log's KeyExpiring events, read-only from the file: printed when the feed does not hold one per key. */
const expiringInLog = (dataDir: string): unknown[] => {
  const db = new Database(sqliteFileIn(dataDir), { readonly: true });
  try {
    return db.prepare("SELECT global_position, stream_id, stream_position, data, metadata, recorded_at FROM events WHERE type = 'KeyExpiring' ORDER BY global_position").all();
  } finally {
    db.close();
  }
};

const warningsOn = async (replica: Replica, jwt: string): Promise<{ keyId: string; detail: string }[]> => {
  const res = await fetch(`${replica.url}/api/activity?limit=100`, { headers: { authorization: `Bearer ${jwt}` } });
  const page = (await res.json()) as { items: { type: string; keyId: string; detail: string }[] };
  return page.items.filter((e) => e.type === 'KeyExpiring');
};

describe('embedded profile, two replicas: expiry warnings', () => {
  let set: ReplicaSet;

  beforeAll(async () => {
    assertDistIsCurrent();
    set = await startReplicaSet(2, {
      KEYGATE_KEY_TTL_DAYS: '1',
      KEYGATE_EXPIRY_WARNING_DAYS: '14,7,1',
      KEYGATE_SWEEP_INTERVAL_MS: '20',
    });
  }, 60_000);
  afterAll(() => set?.close(), 60_000);

  it('writes each warning exactly once while both sweep, and not again after a restart', async () => {
    const jwt = await settingsJwt({ sub: 'omar', company: 'west', role: 'root' });
    const [a, b] = set.replicas;
    const keys = [];
    for (let i = 0; i < 4; i++) keys.push((await settings(i % 2 ? b : a, jwt).mint(`key ${i}`)).key.id);

    const started = performance.now();
    while ((await warningsOn(a, jwt)).length < keys.length) {
      expect(performance.now() - started).toBeLessThan(BOUND_MS);
      await delay(50);
    }
    // Many more sweeps of both replicas: still one warning per key.
    await delay(1000);
    const warnings = await warningsOn(b, jwt);
    // Failed once (2026-12-01, a fresh clone's npm test: one key listed twice; not reproduced in 20 runs since): what
    // the log holds then tells a duplicate event (the decider's idempotence) from a duplicate row (the read side).
    if (warnings.length !== keys.length) process.stderr.write(`[multi-replica warnings] the log's KeyExpiring: ${JSON.stringify(expiringInLog(set.dataDir))}\n`);
    expect(warnings.map((w) => w.keyId).sort()).toEqual([...keys].sort());
    for (const w of warnings) expect(w.detail).toMatch(/1 day/);

    await set.restart(1);
    await delay(1000);
    expect((await warningsOn(set.replicas[1], jwt)).length).toBe(keys.length);
    process.stderr.write(`[multi-replica warnings] ${keys.length} warnings, one each, after ${(performance.now() - started).toFixed(0)} ms of racing sweeps\n`);
  }, 90_000);
});
