import type { Actor } from './actor.js';
import { decide } from './decide.js';
import { given, stateOf } from './decider-spec.js';
import type { KeyLifecycleEvent } from './key-events.js';
import { DEFAULT_KEY_POLICY } from './key-policy.js';
import { effectiveStatus } from './keyring-state.js';
import { mintToken } from '../token/api-token.js';
import {
  MINUTE,
  DAY,
  T0,
  after,
  alice,
  bob,
  carol,
  admin,
  root,
  KEY,
  keyId,
  ackId,
  acknowledged,
  legacyAcknowledged,
  minted,
  keyOf,
  keysOf,
  revoked,
  LAPSE,
  expired,
  deleted,
  acknowledge,
  mint,
  revoke,
  expire,
  remove,
} from './decider-fixtures.js';

describe('decide', () => {
  describe('AcknowledgeNotice', () => {
    it('records who acknowledged which notice, reserving the key id', () => {
      given([])
        .when(acknowledge(alice))
        .then([
          {
            type: 'KeyAcknowledged',
            data: {
              actorUserId: 'alice',
              actorName: 'Name of alice',
              companyId: 'acme',
              keyId: 'AbCdEf123456',
              correlationId: 'corr-ack',
              at: '2026-05-10T12:00:00.000Z',
              acknowledgementId: 'ack-AbCdEf123456',
              noticeVersion: 'notice-v1',
              expiresAt: '2026-05-10T12:15:00.000Z',
            },
          },
        ]);
    });

    it('refuses an acknowledgement id that was already recorded', () => {
      given([acknowledged(alice)])
        .when(acknowledge(alice, keyId(2), { acknowledgementId: ackId(KEY) }))
        .thenThrows('conflict', /already recorded/);
    });

    it('refuses to reserve the id of an existing key', () => {
      given(keyOf(alice))
        .when(acknowledge(bob, KEY, { acknowledgementId: 'ack-other' }))
        .thenThrows('conflict');
    });

    it('refuses to reserve a key id another acknowledgement already reserved', () => {
      given([acknowledged(alice)])
        .when(acknowledge(bob, KEY, { acknowledgementId: 'ack-other' }))
        .thenThrows('conflict');
    });
  });

  describe('AcknowledgeNotice bound: 3 open acknowledgements per user', () => {
    // alice acknowledged at 12:00, 12:01 and 12:02 and used none: three open acknowledgements.
    const [k1, k2, k3, k4] = [1, 2, 3, 4].map(keyId);
    const threeOpen = [acknowledged(alice, k1, T0), acknowledged(alice, k2, after(MINUTE)), acknowledged(alice, k3, after(2 * MINUTE))];
    const fourth = (now: Date) => acknowledge(alice, k4, { now });

    it('refuses a 4th as too_many, saying how to go on and when the oldest lapses', () => {
      const refusal = given(threeOpen)
        .when(fourth(after(5 * MINUTE)))
        .thenThrows(
          'too_many',
          /^You have 3 unused acknowledgements from the last 15 minutes; use one to create a key, or acknowledge again after 12:15 UTC\.$/,
        );
      // The oldest (12:00) lapses at 12:15, ten minutes after 12:05.
      expect(refusal.retryAfterSeconds).toBe(600);
    });

    it('rounds Retry-After up to whole seconds, at least 1, and the time up to the minute', () => {
      const refusal = given(threeOpen).when(fourth(after(15 * MINUTE - 1))).thenThrows('too_many', /after 12:15 UTC/);
      expect(refusal.retryAfterSeconds).toBe(1);
      const halfMinute = given(threeOpen).when(fourth(after(14 * MINUTE + 29_500))).thenThrows('too_many');
      expect(halfMinute.retryAfterSeconds).toBe(31);
    });

    it('frees a slot when one of them is used to mint', () => {
      given([...threeOpen, minted(alice, k2, after(3 * MINUTE))])
        .when(fourth(after(4 * MINUTE)))
        .then([acknowledged(alice, k4, after(4 * MINUTE))]);
    });

    it('frees a slot the instant the oldest expires', () => {
      given(threeOpen).when(fourth(after(15 * MINUTE))).then([acknowledged(alice, k4, after(15 * MINUTE))]);
    });

    it("counts per user: a colleague's open acknowledgements do not count", () => {
      given(threeOpen).when(acknowledge(bob, k4, { now: after(3 * MINUTE) })).then([acknowledged(bob, k4, after(3 * MINUTE))]);
    });

    it('takes 15 minutes after `at` for an acknowledgement written without expiresAt', () => {
      const legacy = [legacyAcknowledged(alice, k1, T0), ...threeOpen.slice(1)];
      given(legacy).when(fourth(after(15 * MINUTE - 1000))).thenThrows('too_many');
      given(legacy).when(fourth(after(15 * MINUTE))).then([acknowledged(alice, k4, after(15 * MINUTE))]);
    });

    it('follows the policy', () => {
      const policy = { ...DEFAULT_KEY_POLICY, maxOpenAcknowledgementsPerUser: 4 };
      given(threeOpen, policy).when(fourth(after(3 * MINUTE))).then([acknowledged(alice, k4, after(3 * MINUTE))]);
    });
  });

  describe('MintKey', () => {
    it('mints a key from a fresh acknowledgement of the same user', () => {
      given([acknowledged(alice)])
        .when(mint(alice, KEY, { label: '  Cursor on laptop  ' }))
        .then([
          {
            type: 'KeyMinted',
            data: {
              actorUserId: 'alice',
              actorName: 'Name of alice',
              companyId: 'acme',
              keyId: 'AbCdEf123456',
              correlationId: 'corr-mint',
              at: '2026-05-10T12:01:00.000Z',
              acknowledgementId: 'ack-AbCdEf123456',
              label: 'Cursor on laptop',
              prefix: 'kg_AbCdEf123456',
              verifier: '$argon2id$v=19$m=19456,t=2,p=1$salt$hash-of-AbCdEf123456',
              permissions: ['keys:use'],
              creatorRole: 'user',
              expiresAt: '2026-08-08T12:01:00.000Z',
            },
          },
        ]);
    });

    it.each([[''], ['   '], [undefined]])('names a key minted with label %p after the mint date', (label) => {
      given([acknowledged(alice)]).when(mint(alice, KEY, { label })).then([minted(alice, KEY, after(MINUTE), 'API Key May 10, 2026')]);
    });

    it('refuses a label longer than 100 characters', () => {
      given([acknowledged(alice)]).when(mint(alice, KEY, { label: 'x'.repeat(101) })).thenThrows('invalid', /101 characters/);
    });

    it('accepts a label of exactly 100 characters', () => {
      const label = 'x'.repeat(100);
      given([acknowledged(alice)]).when(mint(alice, KEY, { label })).then([minted(alice, KEY, after(MINUTE), label)]);
    });

    it("refuses another user's acknowledgement", () => {
      given([acknowledged(alice)]).when(mint(bob)).thenThrows('invalid', /Unknown acknowledgementId/);
    });

    it('refuses an unknown acknowledgement', () => {
      given([]).when(mint(alice)).thenThrows('invalid', /Unknown acknowledgementId/);
    });

    it('refuses an acknowledgement exactly 15 minutes old', () => {
      given([acknowledged(alice)])
        .when(mint(alice, KEY, { now: after(15 * MINUTE) }))
        .thenThrows('invalid', /older than 15 minutes/);
    });

    it('accepts an acknowledgement 14:59 old', () => {
      const now = after(15 * MINUTE - 1000);
      given([acknowledged(alice)]).when(mint(alice, KEY, { now })).then([minted(alice, KEY, now)]);
    });

    it("refuses an acknowledgement past the expiresAt it was recorded with", () => {
      const shortLived = acknowledged(alice);
      shortLived.data.expiresAt = after(5 * MINUTE).toISOString();
      given([shortLived]).when(mint(alice, KEY, { now: after(5 * MINUTE) })).thenThrows('invalid', /older than 15 minutes/);
    });

    it('refuses an acknowledgement written without expiresAt from 15 minutes after it', () => {
      given([legacyAcknowledged(alice)]).when(mint(alice, KEY, { now: after(15 * MINUTE) })).thenThrows('invalid', /older than 15 minutes/);
      given([legacyAcknowledged(alice)]).when(mint(alice, KEY, { now: after(MINUTE) })).then([minted(alice)]);
    });

    it('still says "older than 15 minutes", not "unknown", to a mint within the hour after the expiry', () => {
      given([acknowledged(alice), deleted(root, keyId(9), after(75 * MINUTE))])
        .when(mint(alice, KEY, { now: after(75 * MINUTE) }))
        .thenThrows('invalid', /older than 15 minutes/);
    });

    it('refuses a second mint with the same acknowledgement', () => {
      given(keyOf(alice)).when(mint(alice, KEY, { now: after(2 * MINUTE) })).thenThrows('conflict', /already used/);
    });

    it('refuses a key id other than the one the acknowledgement reserved', () => {
      given([acknowledged(alice)])
        .when(mint(alice, keyId(9), { acknowledgementId: ackId(KEY) }))
        .thenThrows('invalid', /does not belong/);
    });

    it("records the creator's role", () => {
      given([acknowledged(root)]).when(mint(root)).then([minted(root)]);
    });

    it("snapshots the creator's permissions", () => {
      const permissions = ['keys:use', 'reports:read'];
      const creator: Actor = { ...alice, permissions };
      const [event] = decide(mint(creator), stateOf([acknowledged(creator)]), DEFAULT_KEY_POLICY);
      permissions.push('settings:edit');
      expect(event.type === 'KeyMinted' && event.data.permissions).toEqual(['keys:use', 'reports:read']);
    });

    it('never carries the token or its secret, only the prefix and the verifier', () => {
      const { token, secret } = mintToken(KEY);
      const events = decide(mint(alice), stateOf([acknowledged(alice)]), DEFAULT_KEY_POLICY);
      const json = JSON.stringify(events);
      expect(json).not.toContain(secret);
      expect(json).not.toContain(token);
      expect(Object.keys(events[0].data).sort()).toEqual(
        ['acknowledgementId', 'actorName', 'actorUserId', 'at', 'companyId', 'correlationId', 'creatorRole', 'expiresAt', 'keyId', 'label', 'permissions', 'prefix', 'verifier'],
      );
    });
  });


  describe('MintKey limits', () => {
    // alice and bob hold five active keys each: the company is at its limit of ten.
    const aliceKeys = [1, 2, 3, 4, 5].map(keyId);
    const bobKeys = [6, 7, 8, 9, 10].map(keyId);
    const fullCompany = [...keysOf(alice, aliceKeys), ...keysOf(bob, bobKeys)];

    it('refuses an 11th active key in the company', () => {
      given([...fullCompany, acknowledged(carol)]).when(mint(carol)).thenThrows('limit', /limit of 10 per company/);
    });

    it('allows a 10th active key in the company', () => {
      given([...keysOf(alice, aliceKeys), ...keysOf(bob, bobKeys.slice(1)), acknowledged(carol)])
        .when(mint(carol))
        .then([minted(carol)]);
    });

    it('refuses a 6th active key of one creator', () => {
      given([...keysOf(alice, aliceKeys), acknowledged(alice)]).when(mint(alice)).thenThrows('limit', /limit of 5 per user/);
    });

    it('allows a 5th active key of one creator', () => {
      given([...keysOf(alice, aliceKeys.slice(1)), acknowledged(alice)]).when(mint(alice)).then([minted(alice)]);
    });

    // A key minted 91 days before T0 lapsed a day before T0.
    const lapsedAt = after(-DAY + MINUTE);
    const inactive = (actor: Actor, key: string): [string, KeyLifecycleEvent[]][] => [
      ['revoked', [...keyOf(actor, key), revoked(actor, key)]],
      ['expired', [...keyOf(actor, key, after(-91 * DAY)), expired(key, { at: lapsedAt, expiresAt: lapsedAt })]],
      ['deleted', [...keyOf(actor, key), revoked(actor, key), deleted(root, key)]],
      ['past expiresAt with no KeyExpired event', keyOf(actor, key, after(-91 * DAY))],
    ];

    it.each(inactive(bob, bobKeys[0]))('does not count a key %s toward the company limit', (_, events) => {
      const history = [...keysOf(alice, aliceKeys), ...keysOf(bob, bobKeys.slice(1)), ...events];
      given([...history, acknowledged(carol)]).when(mint(carol)).then([minted(carol)]);
    });

    it.each(inactive(alice, aliceKeys[0]))('does not count a key %s toward the creator limit', (_, events) => {
      const history = [...keysOf(alice, aliceKeys.slice(1)), ...events];
      given([...history, acknowledged(alice)]).when(mint(alice)).then([minted(alice)]);
    });
  });

  describe('RevokeKey', () => {
    it('lets the creator revoke their key', () => {
      given(keyOf(alice))
        .when(revoke(alice))
        .then([
          {
            type: 'KeyRevoked',
            data: {
              actorUserId: 'alice',
              actorName: 'Name of alice',
              companyId: 'acme',
              keyId: 'AbCdEf123456',
              correlationId: 'corr-revoke',
              at: '2026-05-10T12:02:00.000Z',
            },
          },
        ]);
    });

    it("hides another user's key from a plain user", () => {
      given(keyOf(alice)).when(revoke(bob)).thenThrows('not_found', /^No API key with id AbCdEf123456\.$/);
    });

    it.each([
      ['root', root],
      ['a holder of settings:edit', admin],
    ])("lets %s revoke anyone's key", (_, manager) => {
      given(keyOf(alice)).when(revoke(manager)).then([revoked(manager)]);
    });

    it('refuses a second revoke, writing nothing', () => {
      given([...keyOf(alice), revoked(alice)]).when(revoke(alice, KEY, after(5 * MINUTE))).thenThrows('conflict', /already revoked/);
    });

    it('refuses to revoke a key that lapsed, even before the sweeper wrote KeyExpired', () => {
      given(keyOf(alice)).when(revoke(alice, KEY, LAPSE)).thenThrows('conflict', /has expired/);
    });

    it('revokes a key up to the instant before it lapses', () => {
      const now = after(-1, LAPSE);
      given(keyOf(alice)).when(revoke(alice, KEY, now)).then([revoked(alice, KEY, now)]);
    });

    it('refuses an unknown key', () => {
      given([]).when(revoke(root)).thenThrows('not_found', /No API key/);
    });

    it('refuses a deleted key', () => {
      given([...keyOf(alice), revoked(alice), deleted(root)]).when(revoke(root, KEY, after(4 * MINUTE))).thenThrows('not_found');
    });
  });

  describe('ExpireKey', () => {
    it('expires a lapsed active key as the system', () => {
      given(keyOf(alice))
        .when(expire())
        .then([
          {
            type: 'KeyExpired',
            data: {
              actorUserId: 'system',
              actorName: 'Keygate',
              companyId: 'acme',
              keyId: 'AbCdEf123456',
              correlationId: 'corr-sweep',
              at: '2026-08-08T12:01:00.000Z',
              expiresAt: '2026-08-08T12:01:00.000Z',
            },
          },
        ]);
    });

    it.each<[string, KeyLifecycleEvent[], Date]>([
      ['not yet lapsed', keyOf(alice), after(-1, LAPSE)],
      ['already revoked', [...keyOf(alice), revoked(alice)], LAPSE],
      ['already expired', [...keyOf(alice), expired()], after(DAY, LAPSE)],
      ['unknown', [], LAPSE],
    ])('writes nothing for a key %s', (_, history, now) => {
      given(history).when(expire(KEY, now)).then([]);
    });
  });

  describe('DeleteKey', () => {
    const revokedKey = [...keyOf(alice), revoked(alice)];

    it('lets only root delete: settings:edit is not enough', () => {
      given(revokedKey).when(remove(admin)).thenThrows('forbidden', /Only root/);
    });

    it('does not let a plain user delete their own key', () => {
      given(revokedKey).when(remove(alice)).thenThrows('forbidden', /Only root/);
    });

    it('refuses to delete an active key', () => {
      given(keyOf(alice)).when(remove(root)).thenThrows('conflict', /revoke it before deleting/);
    });

    it('deletes a revoked key', () => {
      given(revokedKey).when(remove(root)).then([deleted(root)]);
    });

    it('deletes a key the sweeper expired', () => {
      const now = after(DAY, LAPSE);
      given([...keyOf(alice), expired()]).when(remove(root, KEY, now)).then([deleted(root, KEY, now)]);
    });

    it('writes the missing KeyExpired before deleting a key that lapsed unswept', () => {
      const now = after(DAY, LAPSE);
      given(keyOf(alice))
        .when(remove(root, KEY, now))
        .then([expired(KEY, { at: now, correlationId: 'corr-delete' }), deleted(root, KEY, now)]);
    });

    it('refuses an already deleted key', () => {
      given([...revokedKey, deleted(root)]).when(remove(root, KEY, after(4 * MINUTE))).thenThrows('not_found');
    });
  });
});

describe('evolve', () => {
  it('marks an acknowledgement used once a key is minted from it', () => {
    const expiresAt = after(15 * MINUTE);
    expect(stateOf([acknowledged(alice)]).acknowledgements.get(ackId(KEY))).toEqual({ userId: 'alice', keyId: KEY, at: T0, expiresAt, used: false });
    expect(stateOf(keyOf(alice)).acknowledgements.get(ackId(KEY))).toEqual({ userId: 'alice', keyId: KEY, at: T0, expiresAt, used: true });
  });

  it('keeps a revoked key revoked when a late KeyExpired arrives', () => {
    expect(stateOf([...keyOf(alice), revoked(alice), expired()]).keys.get(KEY)?.status).toBe('revoked');
  });

  it('expires an active key on KeyExpired', () => {
    expect(stateOf([...keyOf(alice), expired()]).keys.get(KEY)?.status).toBe('expired');
  });
});

describe('effectiveStatus', () => {
  const expiresAt = new Date('2026-08-08T12:01:00.000Z');

  it('is expired from the very instant of expiresAt', () => {
    expect(effectiveStatus({ status: 'active', expiresAt }, expiresAt)).toBe('expired');
    expect(effectiveStatus({ status: 'active', expiresAt }, after(-1, expiresAt))).toBe('active');
  });

  it('keeps a revoked key revoked past expiresAt', () => {
    expect(effectiveStatus({ status: 'revoked', expiresAt }, after(DAY, expiresAt))).toBe('revoked');
  });
});
