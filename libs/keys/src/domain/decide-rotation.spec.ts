import { given, stateOf } from './decider-spec.js';
import {
  after, alice, bob, admin, ctx, DAY, KEY, keyOf, keysOf, keyId, LAPSE, MINUTE, mint, acknowledged, revoked, root, verifier,
} from './decider-fixtures.js';
import type { RetireRotatedKey, RotateKey } from './key-commands.js';
import type { KeyLifecycleEvent, KeyMinted, KeyRotated } from './key-events.js';
import { effectiveStatus } from './keyring-state.js';
import { tokenPrefix } from '../token/api-token.js';
import type { Actor } from './actor.js';

const NEW = 'NeWkEy123456';
const HOUR = 60 * MINUTE;
const NOW = after(10 * DAY);

const rotate = (actor: Actor, overrides: Partial<RotateKey> = {}): RotateKey => ({
  type: 'RotateKey',
  actor,
  keyId: KEY,
  newKeyId: NEW,
  prefix: tokenPrefix(NEW),
  verifier: verifier(NEW),
  overlapMs: 24 * HOUR,
  now: NOW,
  correlationId: 'corr-rotate',
  ...overrides,
});
const retire = (now: Date, key = KEY): RetireRotatedKey => ({
  type: 'RetireRotatedKey', companyId: 'acme', keyId: key, now, correlationId: 'corr-sweep',
});

/** What a rotation of alice's KEY at NOW by `actor` writes, with an overlap ending at `ends`. */
const rotation = (actor: Actor, ends = after(24 * HOUR, NOW), owner = alice): [KeyMinted, KeyRotated] => [
  {
    type: 'KeyMinted',
    data: {
      ...ctx(actor, NEW, NOW, 'corr-rotate'),
      acknowledgementId: `ack-${KEY}`,
      label: 'Cursor',
      prefix: tokenPrefix(NEW),
      verifier: verifier(NEW),
      permissions: ['keys:use'],
      creatorRole: 'user',
      expiresAt: after(90 * DAY, NOW).toISOString(),
      rotatedFrom: KEY,
      ...(actor.userId === owner.userId ? {} : { owner: { userId: owner.userId, name: owner.name } }),
    },
  },
  { type: 'KeyRotated', data: { ...ctx(actor, KEY, NOW, 'corr-rotate'), rotatedTo: NEW, overlapEndsAt: ends.toISOString() } },
];

describe('RotateKey', () => {
  it("mints the replacement with the old key's label, permission snapshot and a fresh 90 days, and marks the old key", () => {
    given(keyOf(alice)).when(rotate(alice)).then(rotation(alice));
  });

  it.each([
    ['root', root],
    ['a holder of settings:edit', admin],
  ])("refuses %s rotating someone else's key: the new token would act as its owner", (_, manager) => {
    given(keyOf(alice)).when(rotate(manager)).thenThrows('forbidden', /Only the owner of API key AbCdEf123456 can rotate it/);
  });

  it('lets a manager rotate their own key', () => {
    const [event] = given(keyOf(admin)).when(rotate(admin)).events();
    expect(event).toMatchObject({ type: 'KeyMinted', data: { actorUserId: 'admin', rotatedFrom: KEY, permissions: ['keys:use', 'settings:edit'] } });
    expect(event.data).not.toHaveProperty('owner');
  });

  it("hides another user's key from a plain user, as revoke does", () => {
    given(keyOf(alice)).when(rotate(bob)).thenThrows('not_found', /No API key/);
  });

  it("keeps the permission snapshot of the old key, not the owner's permissions now", () => {
    given(keyOf(alice)).when(rotate({ ...alice, permissions: ['keys:use', 'orders:write'] })).then(rotation(alice));
  });

  it('never lets the overlap outlast the old key: it then ends at the expiry (the key expires rather than being revoked)', () => {
    const now = after(-HOUR, LAPSE);
    const [m, r] = rotation(alice, LAPSE);
    const expected = [
      { ...m, data: { ...m.data, at: now.toISOString(), expiresAt: after(90 * DAY, now).toISOString() } },
      { ...r, data: { ...r.data, at: now.toISOString() } },
    ];
    given(keyOf(alice)).when(rotate(alice, { now })).then(expected);
    const state = stateOf([...keyOf(alice), ...expected]);
    expect(effectiveStatus(state.keys.get(KEY)!, LAPSE)).toBe('expired');
  });

  it.each([-1, 7 * DAY + 1000, 1.5])('refuses an overlap of %s ms', (overlapMs) => {
    given(keyOf(alice)).when(rotate(alice, { overlapMs })).thenThrows('invalid', /overlapSeconds must be a whole number from 0 to 604800/);
  });

  it('accepts an overlap of 0 (the old key stops at once) and of exactly 7 days', () => {
    given(keyOf(alice)).when(rotate(alice, { overlapMs: 0 })).then(rotation(alice, NOW));
    given(keyOf(alice)).when(rotate(alice, { overlapMs: 7 * DAY })).then(rotation(alice, after(7 * DAY, NOW)));
  });

  it('is allowed at the limits: the key being replaced stops counting, its replacement counts', () => {
    const five = ['K1', 'K2', 'K3', 'K4'].map((k) => k.padEnd(12, '0'));
    const history = [...keyOf(alice), ...keysOf(alice, five)];
    given(history).when(rotate(alice)).then(rotation(alice));
    // During the overlap the count is still 5: a sixth mint is refused.
    const during = [...history, ...rotation(alice), acknowledged(alice, keyId(99), after(MINUTE, NOW))];
    given(during)
      .when(mint(alice, keyId(99), { now: after(2 * MINUTE, NOW) }))
      .thenThrows('limit', /You already have 5 active API keys/);
  });

  it('refuses a key already being replaced', () => {
    given([...keyOf(alice), ...rotation(alice)])
      .when(rotate(alice, { newKeyId: 'Another12345', now: after(MINUTE, NOW) }))
      .thenThrows('conflict', /already being replaced by NeWkEy123456/);
  });

  it('refuses the replacement while the key it replaced still works, and allows it once that overlap ended', () => {
    const history = [...keyOf(alice), ...rotation(alice)];
    const again = (now: Date) => rotate(alice, { keyId: NEW, newKeyId: 'Third0123456', now });
    given(history).when(again(after(HOUR, NOW))).thenThrows('conflict', /\(AbCdEf123456\) still works until 2026-05-21 12:00 UTC/);
    const [m] = given(history).when(again(after(24 * HOUR, NOW))).events();
    expect(m).toMatchObject({ type: 'KeyMinted', data: { keyId: 'Third0123456', rotatedFrom: NEW } });
  });

  it.each<[string, KeyLifecycleEvent[], Date, RegExp]>([
    ['revoked', [...keyOf(alice), revoked(alice)], NOW, /is revoked; only a working key/],
    ['expired', keyOf(alice), LAPSE, /is expired; only a working key/],
    ['suspended', [...keyOf(alice), { type: 'KeySuspended', data: ctx(alice, KEY, after(2 * MINUTE), 'c') }], NOW, /suspended; resume it/],
  ])('refuses a %s key', (_, history, now, message) => {
    given(history).when(rotate(alice, { now })).thenThrows('conflict', message);
  });

  it('gives the old key its place in the count back when its replacement is revoked during the overlap', () => {
    const four = ['K1', 'K2', 'K3', 'K4'].map((k) => k.padEnd(12, '0'));
    const revokedNew: KeyLifecycleEvent = { type: 'KeyRevoked', data: ctx(alice, NEW, after(MINUTE, NOW), 'c') };
    const history = [...keyOf(alice), ...keysOf(alice, four), ...rotation(alice), revokedNew, acknowledged(alice, keyId(99), after(2 * MINUTE, NOW))];
    // Five working keys again (the old one is in its overlap, its replacement revoked): a sixth is refused.
    given(history)
      .when(mint(alice, keyId(99), { now: after(3 * MINUTE, NOW) }))
      .thenThrows('limit', /You already have 5 active API keys/);
  });

  it('refuses a new key id that is taken', () => {
    given([...keyOf(alice), ...keyOf(alice, NEW)]).when(rotate(alice)).thenThrows('conflict', /already taken/);
  });
});

describe('the old key after a rotation', () => {
  const history = [...keyOf(alice), ...rotation(alice)];
  const ends = after(24 * HOUR, NOW);

  it('works until the instant the overlap ends, and reads revoked from that instant', () => {
    const key = stateOf(history).keys.get(KEY)!;
    expect(effectiveStatus(key, after(-1, ends))).toBe('active');
    expect(effectiveStatus(key, ends)).toBe('revoked');
  });

  it('is revoked by the system when the sweeper gets there, once', () => {
    const retired: KeyLifecycleEvent = {
      type: 'KeyRevoked',
      data: { ...ctx({ userId: 'system', name: 'Keygate' }, KEY, after(MINUTE, ends), 'corr-sweep'), reason: 'rotated' },
    };
    given(history).when(retire(after(MINUTE, ends))).then([retired]);
    given([...history, retired]).when(retire(after(2 * MINUTE, ends))).then([]);
  });

  it.each<[string, KeyLifecycleEvent[], Date]>([
    ['before the overlap ends', history, after(-1, ends)],
    ['that was never rotated', keyOf(alice), ends],
    ['revoked by a person during the overlap', [...history, revoked(alice, KEY, after(HOUR, NOW))], ends],
  ])('is left alone %s', (_, events, now) => {
    given(events).when(retire(now)).then([]);
  });

  it('can be revoked during the overlap, ending it early; after the overlap a revoke says it was replaced', () => {
    given(history).when({ type: 'RevokeKey', actor: alice, keyId: KEY, now: after(HOUR, NOW), correlationId: 'corr-revoke' })
      .then([revoked(alice, KEY, after(HOUR, NOW))]);
    given(history).when({ type: 'RevokeKey', actor: alice, keyId: KEY, now: ends, correlationId: 'corr-revoke' })
      .thenThrows('conflict', /replaced by NeWkEy123456 and no longer works/);
  });

  it('cannot be deleted during the overlap; after it, a delete writes the missing revocation first', () => {
    const remove = (now: Date) => ({ type: 'DeleteKey' as const, actor: root, keyId: KEY, now, correlationId: 'corr-delete' });
    given(history).when(remove(after(HOUR, NOW))).thenThrows('conflict', /is active; revoke it before deleting it/);
    const [first, second] = given(history).when(remove(ends)).events();
    expect(first).toMatchObject({ type: 'KeyRevoked', data: { actorUserId: 'system', reason: 'rotated' } });
    expect(second).toMatchObject({ type: 'KeyDeleted', data: { actorUserId: 'root' } });
  });
});
