import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventIdFor, openSqlite, SqliteEventStore, type SqliteDb } from '#event-store';
import { useBucketKey } from '#projections';
import {
  keyringStreamId,
  type KeyAcknowledged,
  type KeyDeleted,
  type KeyEvent,
  type KeyExpired,
  type KeyMinted,
  type KeyRevoked,
  type KeyUsed,
} from '#keys';

/**
 * Synthetic but realistic key lifecycles for the benchmarks, deterministic for a given seed.
 *
 * Per key: KeyAcknowledged → KeyMinted → a few KeyUsed → KeyRevoked (by the owner or an admin) or
 * KeyExpired (by the sweeper, 90 days after the mint) or still active; some revoked/expired keys are
 * then KeyDeleted by a root user. Lifecycle events go to keyring-<company> (KeyringRepository), uses to
 * usage-<company> (apps/api/src/mcp/usage-recorder.ts), as the application writes them. Keys are spread
 * over many companies with a few users each.
 *
 * The log is the first N events in time order of all the generated lifecycles: a real prefix of a
 * log, so keys near the end are still active or half-way through their life.
 */

const DAY = 24 * 60 * 60 * 1000;
const KEY_TTL = 90 * DAY;
const START = Date.UTC(2025, 0, 1);
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** mulberry32: small, fast, seedable. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  return (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export interface SyntheticCommand {
  /** Time the command ran at (ms since epoch); the log is sorted on it. */
  at: number;
  /** Tie-breaker keeping each key's own events in order when two share a millisecond. */
  seq: number;
  streamId: string;
  event: KeyEvent;
  commandId: string;
}

export type KeyStatus = 'active' | 'revoked' | 'expired' | 'deleted';

export interface ExpectedCounts {
  events: number;
  byType: Record<KeyEvent['type'], number>;
  companies: number;
  /** Rows of keys_list_v2 and key_lookup_v2: one per minted key. */
  keys: number;
  /** Rows of the activity table (ACTIVITY_TABLE): one per lifecycle event, one per use roll-up (key × actor × tool × client × minute). */
  activity: number;
  /** Keys by final status, as both keys_list_v2 and key_lookup_v2 must show it. */
  statuses: Record<KeyStatus, number>;
  /** Minted keys with at least one use (keys_list_v2.last_used_at is not null). */
  keysUsed: number;
  /** Acknowledged keys (rows of ACTIVITY_KEYS_TABLE). */
  acknowledged: number;
}

export interface SyntheticLog {
  commands: SyntheticCommand[];
  expected: ExpectedCounts;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Dennis', 'Margaret', 'Linus', 'Radia', 'Tim', 'Frances'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Thompson', 'Ritchie', 'Hamilton', 'Torvalds', 'Perlman'];
const LABELS = ['Claude Desktop', 'Cursor', 'CI pipeline', 'Staging agent', 'Laptop', 'Data export', 'Support bot', 'Nightly sync'];
const TOOLS = ['list_invoices', 'get_customer', 'search_orders', 'create_ticket', 'update_settings', null];
const CLIENTS: { name: string | null; version: string | null }[] = [
  { name: 'claude-ai', version: '0.1.0' },
  { name: 'cursor-vscode', version: '1.0.0' },
  { name: 'mcp-inspector', version: '0.14.3' },
  { name: null, version: null },
];
const PERMISSIONS = [
  ['settings:read', 'keys:mint', 'tools:call'],
  ['settings:read', 'settings:edit', 'keys:mint', 'tools:call', 'billing:read'],
  ['keys:mint', 'tools:call'],
];

/** Generates the lifecycles of enough keys for `n` events and returns the first `n` in time order. */
export const generateSyntheticLog = (n: number, seed = 42): SyntheticLog => {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const base62 = (len: number) => {
    let s = '';
    for (let i = 0; i < len; i++) s += BASE62[Math.floor(rnd() * 62)];
    return s;
  };
  const b64 = (len: number) => {
    let s = '';
    for (let i = 0; i < len; i++) s += B64[Math.floor(rnd() * 64)];
    return s;
  };
  const iso = (ms: number) => new Date(ms).toISOString();
  const uuid = () => eventIdFor(base62(16), 0);

  // ~7 events per key, ~8 keys per company over the whole period.
  const companyCount = Math.max(20, Math.round(n / 56));
  const companies = Array.from({ length: companyCount }, () => {
    const companyId = `cmp_${base62(10)}`;
    const users = Array.from({ length: 1 + Math.floor(rnd() * 6) }, (_, i) => ({
      userId: `usr_${base62(10)}`,
      name: `${pick(FIRST)} ${pick(LAST)}`,
      role: (i === 0 ? 'root' : 'user') as 'root' | 'user',
      permissions: i === 0 ? PERMISSIONS[1] : pick(PERMISSIONS),
    }));
    return { companyId, users };
  });

  const commands: SyntheticCommand[] = [];
  let seq = 0;
  const push = (at: number, streamId: string, event: KeyEvent) =>
    commands.push({ at, seq: seq++, streamId, event, commandId: uuid() });

  // Keys are created at a steady rate over the first 180 days; generate 25% more than needed so that
  // the prefix of n events is dense up to its end.
  const span = 180 * DAY;
  const keysToGenerate = Math.ceil((n * 1.25) / 7);
  for (let k = 0; k < keysToGenerate; k++) {
    const company = pick(companies);
    const owner = pick(company.users);
    const root = company.users[0];
    const keyId = base62(12);
    const keyring = keyringStreamId(company.companyId);
    const ctx = (actor: { userId: string; name: string }, at: number) => ({
      actorUserId: actor.userId,
      actorName: actor.name,
      companyId: company.companyId,
      keyId,
      correlationId: uuid(),
      at: iso(at),
    });

    const ackAt = START + Math.floor((k / keysToGenerate) * span) + Math.floor(rnd() * 60_000);
    const acknowledgementId = uuid();
    const ack: KeyAcknowledged = {
      type: 'KeyAcknowledged',
      data: { ...ctx(owner, ackAt), acknowledgementId, noticeVersion: '2025-01' },
    };
    push(ackAt, keyring, ack);

    const mintAt = ackAt + 5_000 + Math.floor(rnd() * 120_000);
    const expiresAt = mintAt + KEY_TTL;
    const minted: KeyMinted = {
      type: 'KeyMinted',
      data: {
        ...ctx(owner, mintAt),
        acknowledgementId,
        label: `${pick(LABELS)} ${1 + Math.floor(rnd() * 9)}`,
        prefix: `kg_${keyId}`,
        verifier: `$argon2id$v=19$m=19456,t=2,p=1$${b64(22)}$${b64(43)}`,
        permissions: [...owner.permissions],
        creatorRole: owner.role,
        expiresAt: iso(expiresAt),
      },
    };
    push(mintAt, keyring, minted);

    // The fate: revoked by the owner or the root user 45%, else expired by the sweeper at the end of its TTL.
    const revoked = rnd() < 0.45;
    const endAt = revoked ? mintAt + Math.floor(rnd() * KEY_TTL) : expiresAt + Math.floor(rnd() * 60_000);

    // A few uses while it is active: 0..8, mean 4.
    const uses = Math.floor(rnd() * 9);
    // As usageStreamId() in apps/api/src/mcp/usage-recorder.ts (not imported: the bench depends on libs only).
    const usageStream = `usage-${company.companyId}`;
    const useTimes = Array.from({ length: uses }, () => mintAt + Math.floor(rnd() * (endAt - mintAt))).sort((a, b) => a - b);
    for (const at of useTimes) {
      const r = rnd();
      const used: KeyUsed = {
        type: 'KeyUsed',
        data: {
          ...ctx(owner, at),
          tool: pick(TOOLS),
          outcome: r < 0.9 ? 'ok' : r < 0.98 ? 'error' : 'denied',
          client: pick(CLIENTS),
          remoteAddress: `10.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}`,
          requestId: uuid(),
        },
      };
      push(at, usageStream, used);
    }

    if (revoked) {
      const by = rnd() < 0.7 ? owner : root;
      const event: KeyRevoked = { type: 'KeyRevoked', data: ctx(by, endAt) };
      push(endAt, keyring, event);
    } else {
      const event: KeyExpired = {
        type: 'KeyExpired',
        data: { ...ctx({ userId: 'system', name: 'Keygate' }, endAt), expiresAt: iso(expiresAt) },
      };
      push(endAt, keyring, event);
    }
    // 35% of the dead keys are deleted by the root user, within a month.
    if (rnd() < 0.35) {
      const at = endAt + Math.floor(rnd() * 30 * DAY);
      const event: KeyDeleted = { type: 'KeyDeleted', data: ctx(root, at) };
      push(at, keyring, event);
    }
  }

  commands.sort((a, b) => a.at - b.at || a.seq - b.seq);
  if (commands.length < n) throw new Error(`generated ${commands.length} events, fewer than ${n}`);
  commands.length = n;
  return { commands, expected: expectedCounts(commands) };
};

/** What the read models must contain after folding these events: an independent, simple fold. */
const expectedCounts = (commands: readonly SyntheticCommand[]): ExpectedCounts => {
  const byType: ExpectedCounts['byType'] = {
    KeyAcknowledged: 0,
    KeyMinted: 0,
    KeyUsed: 0,
    KeyRotated: 0,
    KeyRevoked: 0,
    KeySuspended: 0,
    KeyResumed: 0,
    KeyExpiring: 0,
    KeyExpired: 0,
    KeyDeleted: 0,
  };
  const status = new Map<string, KeyStatus>();
  const used = new Set<string>();
  const buckets = new Set<string>();
  const companies = new Set<string>();
  for (const { event } of commands) {
    byType[event.type] += 1;
    const keyId = event.data.keyId;
    companies.add(event.data.companyId);
    switch (event.type) {
      case 'KeyMinted':
        status.set(keyId, 'active');
        break;
      case 'KeyRevoked':
        status.set(keyId, 'revoked');
        break;
      case 'KeyExpired':
        if (status.get(keyId) === 'active') status.set(keyId, 'expired');
        break;
      case 'KeyDeleted':
        status.set(keyId, 'deleted');
        break;
      case 'KeyUsed':
        if (status.has(keyId)) used.add(keyId);
        buckets.add(useBucketKey(event));
        break;
      default:
        break;
    }
  }
  const statuses: Record<KeyStatus, number> = { active: 0, revoked: 0, expired: 0, deleted: 0 };
  for (const s of status.values()) statuses[s] += 1;
  return {
    events: commands.length,
    byType,
    companies: companies.size,
    keys: status.size,
    activity: commands.length - (byType.KeyUsed ?? 0) + buckets.size,
    statuses,
    keysUsed: used.size,
    acknowledged: byType.KeyAcknowledged,
  };
};

export interface PopulatedStore {
  dir: string;
  file: string;
  db: SqliteDb;
  store: SqliteEventStore;
  expected: ExpectedCounts;
  /** Wall time of the appends, ms (setup: not part of any measurement). */
  appendMs: number;
  cleanup(): void;
}

/**
 * `cacheDir` (BENCH_LOG_CACHE in the rebuild bench): the populated file is kept there, checkpointed (no WAL), and a
 * later run with the same size and seed copies it instead of appending again (about 70 s at 1M events).
 *
 * Appends the log through SqliteEventStore.appendToStream, one append per command, with the expected
 * stream version for the keyring streams and 'any' for the usage streams (as the application does).
 * Appends are committed in batches of `batch` events: each append is then a savepoint inside one
 * IMMEDIATE transaction instead of its own fsynced commit, which only shortens the setup.
 */
export const populateStore = async (
  n: number,
  { seed = 42, batch = 1000, cacheDir }: { seed?: number; batch?: number; cacheDir?: string } = {},
): Promise<PopulatedStore> => {
  const { commands, expected } = generateSyntheticLog(n, seed);
  const dir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
  const file = join(dir, 'keygate.sqlite');
  const cached = cacheDir === undefined ? undefined : join(cacheDir, `log-${n}-seed${seed}.sqlite`);
  const hit = cached !== undefined && existsSync(cached);
  // A hit: the same log appended by an earlier run (checkpointed into its file, no WAL), copied, not appended again.
  if (hit) copyFileSync(cached, file);
  const db = openSqlite(file);
  const cleanup = () => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  if (hit) return { dir, file, db, store: new SqliteEventStore(db), expected, appendMs: 0, cleanup };
  const store = new SqliteEventStore(db);
  const positions = new Map<string, number>();

  const started = performance.now();
  for (let i = 0; i < commands.length; i += batch) {
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const c of commands.slice(i, i + batch)) {
        const isUsage = c.event.type === 'KeyUsed';
        const current = positions.get(c.streamId) ?? -1;
        const result = await store.appendToStream(
          c.streamId,
          [
            {
              eventId: eventIdFor(c.commandId, 0),
              type: c.event.type,
              data: c.event.data,
              // What KeyringRepository and UsageRecorder write.
              metadata: isUsage
                ? { correlationId: c.event.data.correlationId }
                : { correlationId: c.event.data.correlationId, commandId: c.commandId },
            },
          ],
          isUsage ? 'any' : current === -1 ? 'no_stream' : current,
        );
        positions.set(c.streamId, result.nextExpectedStreamPosition);
      }
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
  const appendMs = performance.now() - started;
  if (cached !== undefined) {
    db.pragma('wal_checkpoint(TRUNCATE)');
    mkdirSync(cacheDir!, { recursive: true });
    copyFileSync(file, `${cached}.tmp`);
    renameSync(`${cached}.tmp`, cached);
  }
  return { dir, file, db, store, expected, appendMs, cleanup };
};
