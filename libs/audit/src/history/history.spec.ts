import type { KeyEvent, KeyUsed } from '#keys';
import { keysAt, type KeyAtInstant } from './keys-at.js';
import { timelineOf } from './timeline.js';

const MINUTE = 60_000;
const HOUR_ = 60 * MINUTE;
const DAY = 24 * HOUR_;
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
  revoked: (at: number, by = ROOT, reason?: 'rotated' | 'offboarded'): KeyEvent => ({ type: 'KeyRevoked', data: { ...ctx(by, keyId, at), ...(reason ? { reason } : {}) } }),
  /** A rotation by `by` at `at`: this key is replaced by `to`, working until overlapEndsAt. */
  rotated: (at: number, to: string, overlapEndsAt: number, by: { userId: string; name: string } = who): KeyEvent => ({
    type: 'KeyRotated',
    data: { ...ctx(by, keyId, at), rotatedTo: to, overlapEndsAt: iso(overlapEndsAt) },
  }),
  /** This key minted by `by` as the replacement of `from`, owned by `who`. */
  mintedAsRotation: (at: number, from: string, by: { userId: string; name: string }, ttl = 90 * DAY): KeyEvent => ({
    type: 'KeyMinted',
    data: {
      ...ctx(by, keyId, at),
      acknowledgementId: `ack-${from}`,
      label: `${from} laptop`,
      prefix: `kg_${keyId}`,
      verifier: VERIFIER,
      permissions: ['settings:view', 'clients:read'],
      creatorRole: 'user',
      expiresAt: iso(at + ttl),
      rotatedFrom: from,
      ...(by.userId === who.userId ? {} : { owner: who }),
    },
  }),
  suspended: (at: number, by = ROOT): KeyEvent => ({ type: 'KeySuspended', data: ctx(by, keyId, at) }),
  resumed: (at: number, by = ROOT): KeyEvent => ({ type: 'KeyResumed', data: ctx(by, keyId, at) }),
  expiring: (at: number, expiresAt: number, daysBefore: number): KeyEvent => ({
    type: 'KeyExpiring',
    data: { ...ctx(SYSTEM, keyId, at), expiresAt: iso(expiresAt), daysBefore },
  }),
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
      owner: ALICE,
      rotatedFrom: null,
      rotatedTo: null,
      overlapEndsAt: null,
      revokedBy: null,
      revocationReason: null,
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

  describe('suspension, rotation and warnings (issue 15)', () => {
    const expiry = T0 + MINUTE + 10 * DAY;

    it('a suspended key is suspended until resumed; it still expires; a resume or a suspend out of turn changes nothing', () => {
      const history = [A.acknowledged(T0), A.minted(T0 + MINUTE, 10 * DAY), A.resumed(T0 + DAY), A.suspended(T0 + 2 * DAY), A.suspended(T0 + 3 * DAY), A.resumed(T0 + 4 * DAY), A.suspended(T0 + 5 * DAY)];
      const status = (ms: number) => given(history).at(ms).byId.AAAAAAAAAAAA.status;

      expect([T0 + DAY, T0 + 2 * DAY - 1, T0 + 2 * DAY, T0 + 4 * DAY - 1, T0 + 4 * DAY, T0 + 5 * DAY].map(status)).toEqual([
        'active', 'active', 'suspended', 'suspended', 'active', 'suspended',
      ]);
      // Suspended past its expiry: expired (with or without the sweeper's KeyExpired), and a resume cannot bring it back.
      expect(status(expiry)).toBe('expired');
      const swept = [...history, A.expired(expiry + MINUTE, expiry), A.resumed(expiry + 2 * MINUTE)];
      expect(given(swept).at(expiry + DAY).byId.AAAAAAAAAAAA.status).toBe('expired');
    });

    it('a revocation ends a suspended key; a suspension never revives a revoked one', () => {
      const history = [A.acknowledged(T0), A.minted(T0 + MINUTE), A.suspended(T0 + DAY), A.revoked(T0 + 2 * DAY), A.suspended(T0 + 3 * DAY), A.resumed(T0 + 4 * DAY)];

      expect(given(history).at(T0 + 5 * DAY).byId.AAAAAAAAAAAA).toMatchObject({ status: 'revoked', revokedBy: { ...ROOT, at: iso(T0 + 2 * DAY) } });
    });

    it('a rotated key works until its overlap ends, then reads revoked for the rotation, before and after the sweeper writes it', () => {
      const ends = T0 + 2 * DAY;
      const history = [
        A.acknowledged(T0), A.minted(T0 + MINUTE, 10 * DAY),
        A.rotated(T0 + DAY, 'CCCCCCCCCCCC', ends, ROOT), C.mintedAsRotation(T0 + DAY, 'AAAAAAAAAAAA', ROOT),
      ];

      const during = given(history).at(ends - 1).byId;
      expect(during.AAAAAAAAAAAA).toMatchObject({ status: 'active', rotatedTo: 'CCCCCCCCCCCC', overlapEndsAt: iso(ends), revokedBy: null, revocationReason: null });
      expect(during.CCCCCCCCCCCC).toMatchObject({ status: 'active', rotatedFrom: 'AAAAAAAAAAAA', mintedBy: ROOT, owner: ALICE, label: 'AAAAAAAAAAAA laptop' });
      expect(given(history).at(ends).byId.AAAAAAAAAAAA).toMatchObject({ status: 'revoked', revokedBy: null, revocationReason: 'rotated' });
      const swept = [...history, A.revoked(ends + MINUTE, SYSTEM, 'rotated')];
      expect(given(swept).at(ends + DAY).byId.AAAAAAAAAAAA).toMatchObject({ status: 'revoked', revokedBy: { ...SYSTEM, at: iso(ends + MINUTE) }, revocationReason: 'rotated' });
      // Before the rotation, nothing of it shows.
      expect(given(history).at(T0 + DAY - 1).byId.AAAAAAAAAAAA).toMatchObject({ rotatedTo: null, overlapEndsAt: null });
    });

    it('an overlap that reaches the key\'s expiry ends in an expiry, not a revocation; a suspended rotated key is revoked at the end too', () => {
      const capped = [A.acknowledged(T0), A.minted(T0 + MINUTE, 10 * DAY), A.rotated(T0 + DAY, 'CCCCCCCCCCCC', expiry)];
      expect(given(capped).at(expiry).byId.AAAAAAAAAAAA).toMatchObject({ status: 'expired', revocationReason: null });

      const suspended = [A.acknowledged(T0), A.minted(T0 + MINUTE, 10 * DAY), A.rotated(T0 + DAY, 'CCCCCCCCCCCC', T0 + 2 * DAY), A.suspended(T0 + DAY + MINUTE)];
      expect(given(suspended).at(T0 + 2 * DAY - 1).byId.AAAAAAAAAAAA.status).toBe('suspended');
      expect(given(suspended).at(T0 + 2 * DAY).byId.AAAAAAAAAAAA.status).toBe('revoked');
    });

    it('an offboarding revocation carries its reason; an expiry warning changes no status', () => {
      const history = [A.acknowledged(T0), A.minted(T0 + MINUTE, 10 * DAY), A.expiring(T0 + 3 * DAY, expiry, 7), B.acknowledged(T0), B.minted(T0 + MINUTE), B.revoked(T0 + DAY, ROOT, 'offboarded')];

      const { byId } = given(history).at(T0 + 4 * DAY);
      expect(byId.AAAAAAAAAAAA.status).toBe('active');
      expect(byId.BBBBBBBBBBBB).toMatchObject({ status: 'revoked', revocationReason: 'offboarded', revokedBy: { ...ROOT, at: iso(T0 + DAY) } });
    });
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
        owner: ALICE,
        rotatedFrom: null,
      },
      used({ name: 'claude-code', version: '2.1' }, null, [T0 + 2 * MINUTE], { ok: 1, error: 0, denied: 0 }),
      used({ name: 'claude-code', version: '2.1' }, 'whoami', [T0 + 3 * MINUTE, T0 + 5 * MINUTE], { ok: 1, error: 1, denied: 0 }),
      used({ name: 'cursor', version: '1.4' }, 'whoami', [T0 + 4 * MINUTE, T0 + 7 * MINUTE], { ok: 2, error: 0, denied: 0 }),
      used({ name: 'cursor', version: '1.4' }, 'list_clients', [T0 + 6 * MINUTE], { ok: 0, error: 0, denied: 1 }),
      { kind: 'revoked', at: iso(T0 + DAY), by: ROOT, reason: null, recorded: true },
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

  it('tells suspension, warnings and rotation; with `now`, the revocation at the end of an overlap not recorded yet', () => {
    const ends = T0 + 2 * DAY;
    const history = [
      A.acknowledged(T0), A.minted(T0 + MINUTE, 10 * DAY), A.suspended(T0 + HOUR_), A.resumed(T0 + 2 * HOUR_),
      A.expiring(T0 + 3 * HOUR_, T0 + MINUTE + 10 * DAY, 14), A.rotated(T0 + DAY, 'CCCCCCCCCCCC', ends, ROOT),
      C.mintedAsRotation(T0 + DAY, 'AAAAAAAAAAAA', ROOT),
    ];

    expect(timelineOf(history, 'AAAAAAAAAAAA', new Date(ends - 1)).slice(2)).toEqual([
      { kind: 'suspended', at: iso(T0 + HOUR_), by: ROOT },
      { kind: 'resumed', at: iso(T0 + 2 * HOUR_), by: ROOT },
      { kind: 'expiring', at: iso(T0 + 3 * HOUR_), by: SYSTEM, expiresAt: iso(T0 + MINUTE + 10 * DAY), daysBefore: 14 },
      { kind: 'rotated', at: iso(T0 + DAY), by: ROOT, rotatedTo: 'CCCCCCCCCCCC', overlapEndsAt: iso(ends) },
    ]);
    expect(timelineOf(history, 'AAAAAAAAAAAA', new Date(ends)).at(-1)).toEqual({ kind: 'revoked', at: iso(ends), by: null, reason: 'rotated', recorded: false });
    // Once the sweeper wrote it, it is the recorded one alone.
    const swept = [...history, A.revoked(ends + MINUTE, SYSTEM, 'rotated')];
    expect(timelineOf(swept, 'AAAAAAAAAAAA', new Date(ends + DAY)).slice(6)).toEqual([
      { kind: 'revoked', at: iso(ends + MINUTE), by: SYSTEM, reason: 'rotated', recorded: true },
    ]);
    // The new key's story starts at its mint, by the root user, for Alice.
    expect(timelineOf(history, 'CCCCCCCCCCCC')).toEqual([
      expect.objectContaining({ kind: 'minted', by: ROOT, owner: ALICE, rotatedFrom: 'AAAAAAAAAAAA', prefix: 'kg_CCCCCCCCCCCC' }),
    ]);
  });

  it('a suspended key still lapses into an unrecorded expiry; a rotation capped at the expiry ends in one too', () => {
    const expiry = T0 + MINUTE + DAY;
    const suspended = [A.acknowledged(T0), A.minted(T0 + MINUTE, DAY), A.suspended(T0 + 2 * MINUTE)];
    expect(timelineOf(suspended, 'AAAAAAAAAAAA', new Date(expiry)).at(-1)).toMatchObject({ kind: 'expired', recorded: false });
    const capped = [A.acknowledged(T0), A.minted(T0 + MINUTE, DAY), A.rotated(T0 + 2 * MINUTE, 'CCCCCCCCCCCC', expiry)];
    expect(timelineOf(capped, 'AAAAAAAAAAAA', new Date(expiry)).at(-1)).toMatchObject({ kind: 'expired', recorded: false });
    // A suspension or resume written after a revocation (the decider writes none) does not revive it into a lapse.
    const revoked = [A.acknowledged(T0), A.minted(T0 + MINUTE, DAY), A.revoked(T0 + 2 * MINUTE), A.suspended(T0 + 3 * MINUTE), A.resumed(T0 + 4 * MINUTE)];
    expect(timelineOf(revoked, 'AAAAAAAAAAAA', new Date(expiry + DAY)).map((e) => e.kind)).toEqual(['acknowledged', 'minted', 'revoked', 'suspended', 'resumed']);
  });

  it('is empty for a key the history does not hold', () => {
    expect(timelineOf(HISTORY, 'ZZZZZZZZZZZZ')).toEqual([]);
  });
});

function used(client: { name: string; version: string }, tool: string | null, times: number[], outcomes: { ok: number; error: number; denied: number }) {
  return { kind: 'used', at: iso(times[0]), client, tool, count: outcomes.ok + outcomes.error + outcomes.denied, firstAt: iso(times[0]), lastAt: iso(times.at(-1)!), outcomes };
}
