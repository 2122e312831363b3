import type { KeyEvent, KeyUsed } from '#keys';
import { keysAt, type KeyAtInstant } from './keys-at.js';
import { timelineOf } from './timeline.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const T0 = Date.parse('2026-05-10T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const VERIFIER = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA';

const ALICE = { userId: 'alice', name: 'Alice' };
const ROOT = { userId: 'root-1', name: 'Root' };
const SYSTEM = { userId: 'system', name: 'Keygate' };

const ctx = (who: { userId: string; name: string }, keyId: string, at: number) => ({
  actorUserId: who.userId,
  actorName: who.name,
  companyId: 'acme',
  keyId,
  correlationId: `c-${keyId}-${at}`,
  at: iso(at),
});

/** The events of one key, as the decider and the usage recorder write them. */
const key = (keyId: string, who = ALICE) => ({
  acknowledged: (at: number): KeyEvent => ({
    type: 'KeyAcknowledged',
    data: { ...ctx(who, keyId, at), acknowledgementId: `ack-${keyId}`, noticeVersion: 'notice-v2', expiresAt: iso(at + 15 * MINUTE) },
  }),
  minted: (at: number, ttl = 90 * DAY): KeyEvent => ({
    type: 'KeyMinted',
    data: {
      ...ctx(who, keyId, at),
      acknowledgementId: `ack-${keyId}`,
      label: `${keyId} laptop`,
      prefix: `kg_${keyId}`,
      verifier: VERIFIER,
      permissions: ['settings:view', 'clients:read'],
      creatorRole: 'user',
      expiresAt: iso(at + ttl),
    },
  }),
  used: (at: number, o: { tool?: string | null; client?: string; version?: string; outcome?: KeyUsed['data']['outcome'] } = {}): KeyEvent => ({
    type: 'KeyUsed',
    data: {
      ...ctx(who, keyId, at),
      tool: o.tool === undefined ? 'whoami' : o.tool,
      outcome: o.outcome ?? 'ok',
      client: { name: o.client ?? 'claude-code', version: o.version ?? '2.1' },
      remoteAddress: '127.0.0.1',
      requestId: `r-${at}`,
    },
  }),
  revoked: (at: number, by = ROOT): KeyEvent => ({ type: 'KeyRevoked', data: ctx(by, keyId, at) }),
  expired: (at: number, expiresAt: number): KeyEvent => ({ type: 'KeyExpired', data: { ...ctx(SYSTEM, keyId, at), expiresAt: iso(expiresAt) } }),
  deleted: (at: number, by = ROOT): KeyEvent => ({ type: 'KeyDeleted', data: ctx(by, keyId, at) }),
});

const A = key('AAAAAAAAAAAA');
const B = key('BBBBBBBBBBBB');
const C = key('CCCCCCCCCCCC');

/** Given a history, when asked at an instant, then the keys: keyed by id for readable expectations. */
const given = (history: KeyEvent[]) => ({
  at: (ms: number) => {
    const keys = keysAt(history, new Date(ms));
    return { keys, byId: Object.fromEntries(keys.map((k) => [k.keyId, k])) as Record<string, KeyAtInstant> };
  },
});

/** Two keys in use, then B revoked at T0 + 2 days. */
const TWO_KEYS = [
  A.acknowledged(T0),
  A.minted(T0 + MINUTE),
  B.acknowledged(T0 + 2 * MINUTE),
  B.minted(T0 + 3 * MINUTE),
  A.used(T0 + DAY),
  B.used(T0 + DAY + MINUTE),
  B.revoked(T0 + 2 * DAY),
  A.used(T0 + 3 * DAY),
];

describe('keysAt', () => {
  it('before and after a revoke differs in exactly that key: its status and revokedBy, nothing else', () => {
    const before = given(TWO_KEYS).at(T0 + 2 * DAY - 1);
    const after = given(TWO_KEYS).at(T0 + 2 * DAY);

    expect(before.byId.BBBBBBBBBBBB).toMatchObject({ status: 'active', revokedBy: null });
    expect(after.byId.BBBBBBBBBBBB).toMatchObject({ status: 'revoked', revokedBy: { userId: 'root-1', name: 'Root', at: iso(T0 + 2 * DAY) } });
    // Everything else equal: B with its status and revokedBy put back, and A untouched.
    expect(after.keys).toEqual(before.keys.map((k) => (k.keyId === 'BBBBBBBBBBBB' ? { ...k, status: 'revoked', revokedBy: after.byId.BBBBBBBBBBBB.revokedBy } : k)));
    expect(after.keys.map((k) => k.keyId)).toEqual(['AAAAAAAAAAAA', 'BBBBBBBBBBBB']);
  });

  it('gives each key its mint snapshot: label, prefix, permissions, times, who minted, and never the verifier', () => {
    const { byId } = given(TWO_KEYS).at(T0 + DAY + MINUTE);

    expect(byId.AAAAAAAAAAAA).toEqual({
      keyId: 'AAAAAAAAAAAA',
      label: 'AAAAAAAAAAAA laptop',
      prefix: 'kg_AAAAAAAAAAAA',
      status: 'active',
      permissions: ['settings:view', 'clients:read'],
      creatorRole: 'user',
      createdAt: iso(T0 + MINUTE),
      expiresAt: iso(T0 + MINUTE + 90 * DAY),
      mintedBy: ALICE,
      revokedBy: null,
      deletedBy: null,
      lastUsedAt: iso(T0 + DAY),
      useCount: 1,
    });
    expect(JSON.stringify(byId)).not.toContain('argon2id');
  });

  it('leaves out keys minted after the instant, and acknowledgements that were never minted', () => {
    const { keys } = given([...TWO_KEYS, C.acknowledged(T0 + 4 * DAY)]).at(T0 + 2 * MINUTE);

    expect(keys.map((k) => k.keyId)).toEqual(['AAAAAAAAAAAA']);
  });

  it('last used respects the instant: uses after it neither move lastUsedAt nor count', () => {
    const history = [...TWO_KEYS, A.used(T0 + 3 * DAY + MINUTE, { outcome: 'denied' })];

    expect(given(history).at(T0 + MINUTE).byId.AAAAAAAAAAAA).toMatchObject({ lastUsedAt: null, useCount: 0 });
    expect(given(history).at(T0 + 3 * DAY - 1).byId.AAAAAAAAAAAA).toMatchObject({ lastUsedAt: iso(T0 + DAY), useCount: 1 });
    expect(given(history).at(T0 + 3 * DAY).byId.AAAAAAAAAAAA).toMatchObject({ lastUsedAt: iso(T0 + 3 * DAY), useCount: 2 });
    // A denied use is a use (the keys list's Last Used moves on every recorded use).
    expect(given(history).at(T0 + 4 * DAY).byId.AAAAAAAAAAAA).toMatchObject({ lastUsedAt: iso(T0 + 3 * DAY + MINUTE), useCount: 3 });
  });

  it('takes the newest use as last used whatever the log order of the uses', () => {
    const { byId } = given([A.acknowledged(T0), A.minted(T0 + MINUTE), A.used(T0 + 3 * MINUTE), A.used(T0 + 2 * MINUTE)]).at(T0 + DAY);

    expect(byId.AAAAAAAAAAAA).toMatchObject({ lastUsedAt: iso(T0 + 3 * MINUTE), useCount: 2 });
  });

  it('counts a key expired once its expiresAt is at or before the instant, before the sweeper wrote KeyExpired', () => {
    const history = [A.acknowledged(T0), A.minted(T0 + MINUTE, DAY)];
    const expiry = T0 + MINUTE + DAY;

    expect(given(history).at(expiry - 1).byId.AAAAAAAAAAAA.status).toBe('active');
    expect(given(history).at(expiry).byId.AAAAAAAAAAAA.status).toBe('expired');
    // The sweeper's KeyExpired, an hour later, changes nothing but is applied too.
    const swept = [...history, A.expired(expiry + 60 * MINUTE, expiry)];
    expect(given(swept).at(expiry + 2 * 60 * MINUTE).byId.AAAAAAAAAAAA).toMatchObject({ status: 'expired', revokedBy: null });
  });

  it('never turns a revoked key into an expired one (KeyExpired moves only an active key)', () => {
    const history = [A.acknowledged(T0), A.minted(T0 + MINUTE, DAY), A.revoked(T0 + 2 * MINUTE), A.expired(T0 + 2 * DAY, T0 + MINUTE + DAY)];

    expect(given(history).at(T0 + 3 * DAY).byId.AAAAAAAAAAAA).toMatchObject({ status: 'revoked', revokedBy: { ...ROOT, at: iso(T0 + 2 * MINUTE) } });
  });

  it('shows a deleted key as deleted, with who revoked and who deleted it', () => {
    const history = [...TWO_KEYS, B.deleted(T0 + 5 * DAY)];

    expect(given(history).at(T0 + 5 * DAY - 1).byId.BBBBBBBBBBBB).toMatchObject({ status: 'revoked', deletedBy: null });
    expect(given(history).at(T0 + 5 * DAY).byId.BBBBBBBBBBBB).toMatchObject({
      status: 'deleted',
      revokedBy: { ...ROOT, at: iso(T0 + 2 * DAY) },
      deletedBy: { ...ROOT, at: iso(T0 + 5 * DAY) },
      useCount: 1,
    });
  });

  it('decides "at or before" by the event time (data.at), and an event whose time is not a date never counts', () => {
    const unreadableTime = { ...B.revoked(T0 + 2 * DAY), data: { ...B.revoked(T0 + 2 * DAY).data, at: 'yesterday' } } as KeyEvent;
    const { byId } = given([...TWO_KEYS.filter((e) => e.type !== 'KeyRevoked'), unreadableTime]).at(T0 + 10 * DAY);

    expect(byId.BBBBBBBBBBBB.status).toBe('active');
  });
});

describe('timelineOf', () => {
  const HISTORY = [
    A.acknowledged(T0),
    B.acknowledged(T0 + 30_000),
    A.minted(T0 + MINUTE),
    A.used(T0 + 2 * MINUTE, { tool: null }),
    A.used(T0 + 3 * MINUTE),
    A.used(T0 + 4 * MINUTE, { client: 'cursor', version: '1.4' }),
    B.minted(T0 + 4 * MINUTE),
    A.used(T0 + 5 * MINUTE, { outcome: 'error' }),
    A.used(T0 + 6 * MINUTE, { client: 'cursor', version: '1.4', tool: 'list_clients', outcome: 'denied' }),
    A.used(T0 + 7 * MINUTE, { client: 'cursor', version: '1.4' }),
    A.revoked(T0 + DAY),
    A.deleted(T0 + 2 * DAY),
  ];

  it("tells one key's story in order, uses grouped by client and tool, other keys left out", () => {
    const timeline = timelineOf(HISTORY, 'AAAAAAAAAAAA');

    expect(timeline).toEqual([
      { kind: 'acknowledged', at: iso(T0), by: ALICE, acknowledgementId: 'ack-AAAAAAAAAAAA', noticeVersion: 'notice-v2' },
      {
        kind: 'minted',
        at: iso(T0 + MINUTE),
        by: ALICE,
        label: 'AAAAAAAAAAAA laptop',
        prefix: 'kg_AAAAAAAAAAAA',
        permissions: ['settings:view', 'clients:read'],
        creatorRole: 'user',
        expiresAt: iso(T0 + MINUTE + 90 * DAY),
      },
      used({ name: 'claude-code', version: '2.1' }, null, [T0 + 2 * MINUTE], { ok: 1, error: 0, denied: 0 }),
      used({ name: 'claude-code', version: '2.1' }, 'whoami', [T0 + 3 * MINUTE, T0 + 5 * MINUTE], { ok: 1, error: 1, denied: 0 }),
      used({ name: 'cursor', version: '1.4' }, 'whoami', [T0 + 4 * MINUTE, T0 + 7 * MINUTE], { ok: 2, error: 0, denied: 0 }),
      used({ name: 'cursor', version: '1.4' }, 'list_clients', [T0 + 6 * MINUTE], { ok: 0, error: 0, denied: 1 }),
      { kind: 'revoked', at: iso(T0 + DAY), by: ROOT },
      { kind: 'deleted', at: iso(T0 + 2 * DAY), by: ROOT },
    ]);
    expect(JSON.stringify(timeline)).not.toContain('argon2id');
  });

  it('starts new groups after a lifecycle entry, so no use is shown on the wrong side of it', () => {
    const history = [A.acknowledged(T0), A.minted(T0 + MINUTE), A.used(T0 + 2 * MINUTE), A.revoked(T0 + 3 * MINUTE), A.used(T0 + 4 * MINUTE, { outcome: 'denied' })];

    expect(timelineOf(history, 'AAAAAAAAAAAA').map((e) => (e.kind === 'used' ? `used ${e.count} ${e.firstAt}` : e.kind))).toEqual([
      'acknowledged',
      'minted',
      `used 1 ${iso(T0 + 2 * MINUTE)}`,
      'revoked',
      `used 1 ${iso(T0 + 4 * MINUTE)}`,
    ]);
  });

  it('shows the recorded expiry, and with `now` an expiry the sweeper has not recorded yet', () => {
    const minted = [A.acknowledged(T0), A.minted(T0 + MINUTE, DAY)];
    const expiry = T0 + MINUTE + DAY;

    expect(timelineOf(minted, 'AAAAAAAAAAAA', new Date(expiry - 1)).map((e) => e.kind)).toEqual(['acknowledged', 'minted']);
    expect(timelineOf(minted, 'AAAAAAAAAAAA', new Date(expiry)).at(-1)).toEqual({ kind: 'expired', at: iso(expiry), by: null, expiresAt: iso(expiry), recorded: false });
    expect(timelineOf([...minted, A.expired(expiry + MINUTE, expiry)], 'AAAAAAAAAAAA', new Date(expiry + DAY)).slice(2)).toEqual([
      { kind: 'expired', at: iso(expiry + MINUTE), by: SYSTEM, expiresAt: iso(expiry), recorded: true },
    ]);
    // A revoked key never lapses into an unrecorded expiry.
    expect(timelineOf([...minted, A.revoked(T0 + 2 * MINUTE)], 'AAAAAAAAAAAA', new Date(expiry + DAY)).map((e) => e.kind)).toEqual(['acknowledged', 'minted', 'revoked']);
  });

  it('is empty for a key the history does not hold', () => {
    expect(timelineOf(HISTORY, 'ZZZZZZZZZZZZ')).toEqual([]);
  });
});

function used(client: { name: string; version: string }, tool: string | null, times: number[], outcomes: { ok: number; error: number; denied: number }) {
  return { kind: 'used', at: iso(times[0]), client, tool, count: outcomes.ok + outcomes.error + outcomes.denied, firstAt: iso(times[0]), lastAt: iso(times.at(-1)!), outcomes };
}
