import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, schemaCheckedStore, sqliteFileIn, SqliteEventStore, type EventStore, type SqliteDb } from '#event-store';
import { checkEventForLog, DEFAULT_KEY_POLICY, KeyringRepository, type Actor, type KeyUsed } from '#keys';
// The real recorder (an app's; a test may import it): the history must read the stream it writes uses to.
import { UsageRecorder } from '#api';
import { keysAt } from './keys-at.js';
import { findKeyCompany, readCompanyHistory, readKeyHistory, WITHHELD_VERIFIER } from './read-history.js';
import { timelineOf } from './timeline.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = Date.parse('2026-05-10T12:00:00.000Z');
const VERIFIER = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA';

const person = (userId: string, companyId: string, role: Actor['role'] = 'user'): Actor => ({
  userId,
  name: userId[0].toUpperCase() + userId.slice(1),
  companyId,
  role,
  permissions: ['settings:view', 'clients:read'],
});
const ALICE = person('alice', 'acme');
const ROOT = person('root', 'acme', 'root');
const CAROL = person('carol', 'globex');

describe('the history of a company and of a key, on a real SQLite file', () => {
  let dir: string;
  let db: SqliteDb;
  let raw: SqliteEventStore;
  let store: EventStore;
  let keyrings: KeyringRepository;
  let recorder: UsageRecorder;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-history-'));
    db = openSqlite(sqliteFileIn(dir));
    raw = new SqliteEventStore(db);
    // As the runtime wires it: every append checked against the events' schema.
    store = schemaCheckedStore(raw, checkEventForLog);
    keyrings = new KeyringRepository(store, DEFAULT_KEY_POLICY);
    recorder = new UsageRecorder(store);
  });

  afterEach(async () => {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const command = (at: number) => ({ now: new Date(at), correlationId: `c-${at}` });

  /** Acknowledge then mint, through the decider, as POST /api/keys/acknowledgements and POST /api/keys do. */
  const mint = async (actor: Actor, keyId: string, at: number) => {
    await keyrings.execute(actor.companyId, { type: 'AcknowledgeNotice', actor, acknowledgementId: `ack-${keyId}`, keyId, noticeVersion: 'notice-v2', ...command(at) });
    await keyrings.execute(actor.companyId, {
      type: 'MintKey',
      actor,
      acknowledgementId: `ack-${keyId}`,
      label: `${actor.name}'s ${keyId}`,
      keyId,
      prefix: `kg_${keyId}`,
      verifier: VERIFIER,
      ...command(at + MINUTE),
    });
  };

  const use = (actor: Actor, keyId: string, at: number, client: string, version: string, tool: string | null = 'whoami', outcome: KeyUsed['data']['outcome'] = 'ok') =>
    recorder.record({
      type: 'KeyUsed',
      data: {
        actorUserId: actor.userId,
        actorName: actor.name,
        companyId: actor.companyId,
        keyId,
        correlationId: `u-${at}`,
        at: new Date(at).toISOString(),
        tool,
        outcome,
        client: { name: client, version },
        remoteAddress: '127.0.0.1',
        requestId: `r-${keyId}-${at}`,
      },
    });

  const REVOKED_AT = T0 + 2 * DAY;

  /** acme: alice's two keys used from two clients, one revoked by root; globex: carol's key, used. */
  const recordHistory = async () => {
    await mint(ALICE, 'acmeKey00001', T0);
    await mint(ALICE, 'acmeKey00002', T0 + 10 * MINUTE);
    await mint(CAROL, 'globexKey001', T0 + 20 * MINUTE);
    await Promise.all([
      use(ALICE, 'acmeKey00001', T0 + DAY, 'claude-code', '2.1'),
      use(ALICE, 'acmeKey00002', T0 + DAY + 1000, 'cursor', '1.4', 'list_clients'),
      use(CAROL, 'globexKey001', T0 + DAY + 2000, 'codex', '0.9'),
    ]);
    await use(ALICE, 'acmeKey00001', T0 + DAY + MINUTE, 'cursor', '1.4');
    await use(ALICE, 'acmeKey00001', T0 + DAY + 2 * MINUTE, 'claude-code', '2.1', 'whoami', 'error');
    await keyrings.execute('acme', { type: 'RevokeKey', actor: ROOT, keyId: 'acmeKey00002', ...command(REVOKED_AT) });
  };

  it('keysAt before and after a revoke differs in exactly the revoked key', async () => {
    await recordHistory();

    const history = await readCompanyHistory(store, 'acme');
    const before = keysAt(history.events, new Date(REVOKED_AT - 1));
    const after = keysAt(history.events, new Date(REVOKED_AT));

    expect(history.warnings).toEqual([]);
    expect(history.events.some((e) => e.data.companyId !== 'acme')).toBe(false);
    expect(before.map((k) => [k.keyId, k.status, k.useCount])).toEqual([
      ['acmeKey00001', 'active', 3],
      ['acmeKey00002', 'active', 1],
    ]);
    expect(after[1]).toEqual({ ...before[1], status: 'revoked', revokedBy: { userId: 'root', name: 'Root', at: new Date(REVOKED_AT).toISOString() } });
    expect(after[0]).toEqual(before[0]);
    expect(before[0]).toMatchObject({
      mintedBy: { userId: 'alice', name: 'Alice' },
      permissions: ['settings:view', 'clients:read'],
      createdAt: new Date(T0 + MINUTE).toISOString(),
      lastUsedAt: new Date(T0 + DAY + 2 * MINUTE).toISOString(),
    });
    expect(JSON.stringify([before, after])).not.toContain('argon2id');
    // Nor do the events the history hands on, which an HTTP answer might serialize.
    expect(JSON.stringify(history.events)).not.toContain('argon2id');
    expect(history.events.filter((e) => e.type === 'KeyMinted').map((e) => e.type === 'KeyMinted' && e.data.verifier)).toEqual([WITHHELD_VERIFIER, WITHHELD_VERIFIER]);
  });

  it('reads only the history up to `until` when asked, and nothing for a company with no streams', async () => {
    await recordHistory();

    const all = await readCompanyHistory(store, 'acme');
    const until = await readCompanyHistory(store, 'acme', new Date(REVOKED_AT - 1));
    // 2 acknowledgements, 2 mints, 4 uses; then the revocation.
    expect(all.events.map((e) => e.type).slice(-1)).toEqual(['KeyRevoked']);
    expect(until.events).toEqual(all.events.slice(0, 8));
    expect(until.found).toBe(true);
    expect(await readCompanyHistory(store, 'initech')).toEqual({ companyId: 'initech', events: [], warnings: [], found: false });
  });

  it("tells one key's story, found without its company: uses grouped by client and tool", async () => {
    await recordHistory();

    expect(await findKeyCompany(store, 'acmeKey00001')).toBe('acme');
    const history = await readKeyHistory(store, 'acmeKey00001');
    const timeline = timelineOf(history!.events, 'acmeKey00001');

    expect(history).toMatchObject({ companyId: 'acme', keyId: 'acmeKey00001', warnings: [] });
    expect(timeline.map((e) => (e.kind === 'used' ? `used ${e.client.name} ${e.client.version} ${e.tool} ×${e.count} ${JSON.stringify(e.outcomes)}` : `${e.kind}`))).toEqual([
      'acknowledged',
      'minted',
      'used claude-code 2.1 whoami ×2 {"ok":1,"error":1,"denied":0}',
      'used cursor 1.4 whoami ×1 {"ok":1,"error":0,"denied":0}',
    ]);
    expect(timeline[1]).toMatchObject({ kind: 'minted', by: { userId: 'alice', name: 'Alice' }, label: "Alice's acmeKey00001", permissions: ['settings:view', 'clients:read'] });

    const revoked = timelineOf((await readKeyHistory(store, 'acmeKey00002', 'acme'))!.events, 'acmeKey00002');
    expect(revoked.map((e) => e.kind)).toEqual(['acknowledged', 'minted', 'used', 'revoked']);
  });

  it('answers null for a key in no keyring, or not in the company given', async () => {
    await recordHistory();

    expect(await findKeyCompany(store, 'nobodysKey01')).toBeNull();
    expect(await readKeyHistory(store, 'nobodysKey01')).toBeNull();
    expect(await readKeyHistory(store, 'globexKey001', 'acme')).toBeNull();
    expect(await readKeyHistory(store, 'globexKey001')).toMatchObject({ companyId: 'globex' });
  });

  it('leaves out an event a reader cannot apply, with a warning naming it, rather than failing', async () => {
    await recordHistory();
    // Written past the schema check, as an old release or a bug might have: a revocation without its key id.
    await raw.appendToStream('keyring-acme', [{ eventId: 'bad-1', type: 'KeyRevoked', data: { actorUserId: 'root', at: new Date(T0 + 3 * DAY).toISOString() } }], 'any');
    // Readable, but in acme's keyring while naming globex: the read models file it under globex, so acme's history leaves it out.
    const elsewhere = { actorUserId: 'carol', actorName: 'Carol', companyId: 'globex', keyId: 'acmeKey00001', correlationId: 'x', at: new Date(T0 + 3 * DAY).toISOString() };
    // Readable by the projections' schema, but not placeable in time.
    const untimed = { ...elsewhere, companyId: 'acme', at: 'not a time', tool: null, outcome: 'ok', client: { name: null, version: null }, remoteAddress: null, requestId: 'r' };
    await raw.appendToStream('usage-acme', [{ eventId: 'bad-2', type: 'KeyUsed', data: untimed }], 'any');
    await raw.appendToStream('keyring-acme', [{ eventId: 'bad-3', type: 'KeyRevoked', data: elsewhere }], 'any');
    // A rotation whose overlap's end is not a date: keysAt could not tell when the key stops working.
    const unended = { ...elsewhere, companyId: 'acme', rotatedTo: 'acmeKey00009', overlapEndsAt: 'soon' };
    await raw.appendToStream('keyring-acme', [{ eventId: 'bad-4', type: 'KeyRotated', data: unended }], 'any');

    const history = await readCompanyHistory(store, 'acme');
    const keys = keysAt(history.events, new Date(T0 + 4 * DAY));

    expect(history.warnings.map((w) => [w.eventId, w.streamId, w.type])).toEqual([
      ['bad-1', 'keyring-acme', 'KeyRevoked'],
      ['bad-2', 'usage-acme', 'KeyUsed'],
      ['bad-3', 'keyring-acme', 'KeyRevoked'],
      ['bad-4', 'keyring-acme', 'KeyRotated'],
    ]);
    expect(history.warnings.map((w) => w.problem)).toEqual([
      expect.stringMatching(/keyId/), 'KeyUsed: at: not a date', 'KeyRevoked: names company "globex", not "acme"', 'KeyRotated: overlapEndsAt: not a date',
    ]);
    expect(keys.map((k) => k.status)).toEqual(['active', 'revoked']);
    // The key's own story reports what was left out of it, and only that.
    expect((await readKeyHistory(store, 'acmeKey00001'))!.warnings.map((w) => w.eventId)).toEqual(['bad-1', 'bad-2', 'bad-3', 'bad-4']);
    expect((await readKeyHistory(store, 'globexKey001'))!.warnings).toEqual([]);
  });
});
