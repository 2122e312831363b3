import type { EventContext, KeyMinted, KeyResumed, KeyRevoked, KeyRotated, KeySuspended } from '../domain/key-events.js';
import { mintToken, parseToken } from '../token/api-token.js';
import type { SecretHasher } from '../token/secret-hasher.js';
import { ApiKeyGuard, sourceBucket, type GuardOptions, type GuardVerdict } from './api-key-guard.js';
import { HotKeyTable, type HotKeySeed } from './hot-key-table.js';

const NOW = Date.parse('2026-05-10T12:00:00.000Z');
const MINUTE = 60_000;
const EXPIRES_AT_MS = NOW + 30 * 24 * 60 * MINUTE;
const KEY = 'AbCdEf123456';
const UNKNOWN = 'NoSuchKey000';

const MISSING = 'Send the API key as "Authorization: Bearer <key>".';
const MALFORMED = 'The bearer token is not a well-formed Keygate API key.';
const INVALID = 'The API key is invalid.';
const REVOKED = 'The API key has been revoked.';
const EXPIRED = 'The API key has expired.';
const SUSPENDED = 'The API key is suspended; whoever manages it can resume it in the API key settings.';
const ROTATED_OUT = 'The API key has been revoked: it was replaced by a newer key when it was rotated.';
const THROTTLED = 'Too many failed attempts with this key id; wait before trying again.';

/** A hasher whose verifier of `s` is `v:${s}`; counts verify calls and can hold them until released. */
class FakeHasher implements SecretHasher {
  verifyCalls = 0;
  hashCalls = 0;
  verifiedAgainst: string[] = [];
  private gate: Promise<void> | null = null;
  private openGate: () => void = () => {};

  async hash(secret: string): Promise<string> {
    this.hashCalls += 1;
    return `v:${secret}`;
  }

  async verify(verifier: string, secret: string): Promise<boolean> {
    this.verifyCalls += 1;
    this.verifiedAgainst.push(verifier);
    if (this.gate) await this.gate;
    return verifier === `v:${secret}`;
  }

  /** verify() calls wait until release(). */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate();
    this.gate = null;
  }
}

interface Fixture {
  table: HotKeyTable;
  hasher: FakeHasher;
  guard: ApiKeyGuard;
  /** A valid token for KEY. */
  token: string;
  /** KEY with a different (wrong) secret; well-formed, valid checksum. */
  wrongToken: string;
}

/** A guard over a table holding one key, KEY, seeded at position 10 with the verifier of its token's secret. */
const givenGuard = (
  key: Partial<HotKeySeed> = {},
  options: GuardOptions = { requestsPerMinute: 1000, failuresPerMinute: 10 },
): Fixture => {
  const { token, secret } = mintToken(KEY);
  const table = new HotKeyTable();
  table.seed(
    [
      {
        keyId: KEY,
        companyId: 'acme',
        userId: 'alice',
        userName: 'Alice',
        creatorRole: 'user',
        permissions: ['keys:use'],
        verifier: `v:${secret}`,
        status: 'active',
        expiresAt: new Date(EXPIRES_AT_MS).toISOString(),
        ...key,
      },
    ],
    10,
  );
  const hasher = new FakeHasher();
  return { table, hasher, guard: new ApiKeyGuard(table, hasher, options), token, wrongToken: mintToken(KEY).token };
};

const bearer = (token: string) => `Bearer ${token}`;
const secretOf = (token: string) => parseToken(token)!.secret;
const mintedEvent = (keyId: string, secret: string): KeyMinted => ({
  type: 'KeyMinted',
  data: {
    actorUserId: 'bob', actorName: 'Bob', companyId: 'acme', keyId, correlationId: 'c', at: '2026-05-10T12:00:00.000Z',
    acknowledgementId: 'ack', label: 'l', prefix: `kg_${keyId}`, verifier: `v:${secret}`,
    expiresAt: new Date(EXPIRES_AT_MS).toISOString(), creatorRole: 'user', permissions: ['keys:use'],
  },
});
const revokedEvent = (keyId = KEY): KeyRevoked => ({
  type: 'KeyRevoked',
  data: { actorUserId: 'alice', actorName: 'Alice', companyId: 'acme', keyId, correlationId: 'c', at: '2026-05-10T12:00:00.000Z' },
});

const lifecycle = (keyId = KEY): EventContext => revokedEvent(keyId).data;
const suspendedEvent = (keyId = KEY): KeySuspended => ({ type: 'KeySuspended', data: lifecycle(keyId) });
const resumedEvent = (keyId = KEY): KeyResumed => ({ type: 'KeyResumed', data: lifecycle(keyId) });
const rotatedEvent = (overlapEndsAtMs: number, rotatedTo = 'NewKey000001'): KeyRotated => ({
  type: 'KeyRotated',
  data: { ...lifecycle(), rotatedTo, overlapEndsAt: new Date(overlapEndsAtMs).toISOString() },
});

/** The verdict, synchronous or not. */
const settle = async (verdict: GuardVerdict | Promise<GuardVerdict>): Promise<GuardVerdict> => verdict;

/** A synchronous verdict: fails the test if the guard returned a Promise. */
const sync = (verdict: GuardVerdict | Promise<GuardVerdict>): GuardVerdict => {
  expect(verdict).not.toBeInstanceOf(Promise);
  return verdict as GuardVerdict;
};

/** Each description goes with its reason (POST /api/verify answers in reasons): the pair is checked together. */
const REASON_OF: Record<string, string> = {
  [MISSING]: 'missing', [MALFORMED]: 'malformed', [INVALID]: 'invalid', [REVOKED]: 'revoked', [EXPIRED]: 'expired',
  [SUSPENDED]: 'suspended', [ROTATED_OUT]: 'revoked',
};
const denied401 = (description: string) => {
  // toEqual treats an undefined property as absent: a description without a reason must fail here, not pass.
  if (!REASON_OF[description]) throw new Error(`no reason known for ${description}`);
  return { ok: false, status: 401, description, reason: REASON_OF[description] };
};

describe('ApiKeyGuard', () => {
  describe('shape of the Authorization header', () => {
    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['a Basic scheme', 'Basic dXNlcjpwYXNz'],
      ['Bearer with nothing after it', 'Bearer '],
      ['Bearer without a space', 'Bearer'],
      ['the token with no scheme', 'kg_AbCdEf123456_000000000000000000000000000000'],
    ])('given %s, then 401 asking for a bearer key', (_, header) => {
      const { guard, hasher } = givenGuard();

      expect(sync(guard.check(header, NOW))).toEqual(denied401(MISSING));
      expect(hasher.verifyCalls).toBe(0);
    });

    it.each(['bearer', 'BEARER', 'BeArEr'])('given the scheme spelled %s, then the key is accepted', async (scheme) => {
      const { guard, token } = givenGuard();

      const verdict = await settle(guard.check(`${scheme} ${token}`, NOW));

      expect(verdict.ok).toBe(true);
    });

    it('given garbage after Bearer, then 401 not well-formed without calling the hasher', () => {
      const { guard, hasher } = givenGuard();

      expect(sync(guard.check('Bearer not-a-key', NOW))).toEqual(denied401(MALFORMED));
      expect(sync(guard.check('Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', NOW))).toEqual(denied401(MALFORMED));
      expect(hasher.verifyCalls).toBe(0);
    });

    it('given a well-formed token with a wrong checksum, then 401 not well-formed without calling the hasher', () => {
      const { guard, hasher, token } = givenGuard();
      const last = token.at(-1)!;
      const badChecksum = token.slice(0, -1) + (last === 'A' ? 'B' : 'A');

      expect(sync(guard.check(bearer(badChecksum), NOW))).toEqual(denied401(MALFORMED));
      expect(hasher.verifyCalls).toBe(0);
    });
  });

  describe('no existence leak', () => {
    it('given an unknown key id, then 401 invalid, after the same argon2 work as a wrong secret (a dummy verifier)', async () => {
      const { guard, hasher } = givenGuard();

      const verdict = guard.check(bearer(mintToken(UNKNOWN).token), NOW);

      expect(verdict).toBeInstanceOf(Promise);
      expect(await verdict).toEqual(denied401(INVALID));
      expect(hasher.verifyCalls).toBe(1);
      expect(hasher.hashCalls).toBe(1);
      // The dummy verifier is made once per guard.
      await settle(guard.check(bearer(mintToken(UNKNOWN).token), NOW));
      expect([hasher.verifyCalls, hasher.hashCalls]).toEqual([2, 1]);
    });

    it('given a wrong secret behind a valid key id, then the same 401 invalid', async () => {
      const { guard, hasher, wrongToken } = givenGuard();

      expect(await settle(guard.check(bearer(wrongToken), NOW))).toEqual(denied401(INVALID));
      expect(hasher.verifyCalls).toBe(1);
    });

    it('given a deleted key, then the same 401 invalid, even with its right secret', async () => {
      const { guard, hasher, token } = givenGuard({ status: 'deleted' });

      expect(await settle(guard.check(bearer(token), NOW))).toEqual(denied401(INVALID));
      // Verified against the dummy, never against the deleted key's verifier: its right secret cannot match.
      expect(hasher.verifyCalls).toBe(1);
      expect(hasher.verifiedAgainst).not.toContain(`v:${secretOf(token)}`);
    });
  });

  describe('status and expiry', () => {
    it('given a revoked key, then 401 revoked without calling the hasher', () => {
      const { guard, hasher, token } = givenGuard({ status: 'revoked' });

      expect(sync(guard.check(bearer(token), NOW))).toEqual(denied401(REVOKED));
      expect(hasher.verifyCalls).toBe(0);
    });

    it('given a key with status expired, then 401 expired without calling the hasher', () => {
      const { guard, hasher, token } = givenGuard({ status: 'expired' });

      expect(sync(guard.check(bearer(token), NOW))).toEqual(denied401(EXPIRED));
      expect(hasher.verifyCalls).toBe(0);
    });

    it('given an active key, when the clock reaches expiresAt exactly, then 401 expired without calling the hasher', () => {
      const { guard, hasher, token } = givenGuard();

      expect(sync(guard.check(bearer(token), EXPIRES_AT_MS))).toEqual(denied401(EXPIRED));
      expect(sync(guard.check(bearer(token), EXPIRES_AT_MS + 1))).toEqual(denied401(EXPIRED));
      expect(hasher.verifyCalls).toBe(0);
    });

    it('given an active key, one millisecond before expiresAt, then the key is accepted', async () => {
      const { guard, token } = givenGuard();

      expect((await settle(guard.check(bearer(token), EXPIRES_AT_MS - 1))).ok).toBe(true);
    });

    it('given a verified (cached) key, when the clock passes expiresAt, then 401 expired', async () => {
      const { guard, token } = givenGuard();
      await settle(guard.check(bearer(token), NOW));

      expect(sync(guard.check(bearer(token), EXPIRES_AT_MS))).toEqual(denied401(EXPIRED));
    });
  });

  describe('suspension (issue 15)', () => {
    it('given a verified key, when it is suspended, then the very next check is 401 suspended, synchronously, without argon2', async () => {
      const { guard, table, hasher, token } = givenGuard();
      expect((await settle(guard.check(bearer(token), NOW))).ok).toBe(true);

      table.apply(suspendedEvent(), 11);

      expect(sync(guard.check(bearer(token), NOW))).toEqual(denied401(SUSPENDED));
      expect(hasher.verifyCalls).toBe(1);
    });

    it('given a suspended key, when it is resumed, then the very next check is accepted (its verdict still cached)', async () => {
      const { guard, table, hasher, token } = givenGuard();
      await settle(guard.check(bearer(token), NOW));
      table.apply(suspendedEvent(), 11);
      expect(sync(guard.check(bearer(token), NOW))).toEqual(denied401(SUSPENDED));

      table.apply(resumedEvent(), 12);

      expect(sync(guard.check(bearer(token), NOW))).toMatchObject({ ok: true, key: { status: 'active' } });
      expect(hasher.verifyCalls).toBe(1);
    });

    it('given a key seeded suspended, then 401 suspended without argon2; past its expiry it is expired', () => {
      const { guard, hasher, token } = givenGuard({ status: 'suspended' });

      expect(sync(guard.check(bearer(token), NOW))).toEqual(denied401(SUSPENDED));
      expect(sync(guard.check(bearer(token), EXPIRES_AT_MS))).toEqual(denied401(EXPIRED));
      expect(hasher.verifyCalls).toBe(0);
    });

    it('given a first check under way (argon2 running), when the key is suspended meanwhile, then that check is refused too', async () => {
      const { guard, table, hasher, token } = givenGuard();
      hasher.hold();
      const checking = guard.check(bearer(token), NOW);

      table.apply(suspendedEvent(), 11);
      hasher.release();

      expect(await settle(checking)).toEqual(denied401(SUSPENDED));
    });
  });

  describe('rotation overlap (issue 15)', () => {
    const OVERLAP_ENDS = NOW + 24 * 60 * MINUTE;
    const replacement = { keyId: 'NewKey000001', overlapEndsAtMs: OVERLAP_ENDS };

    it('given a rotated key, then it is accepted until the instant its overlap ends, each verdict naming its replacement', async () => {
      const { guard, table, token } = givenGuard();
      table.apply(rotatedEvent(OVERLAP_ENDS), 11);

      expect(await settle(guard.check(bearer(token), NOW))).toMatchObject({ ok: true, replacement });
      expect(sync(guard.check(bearer(token), OVERLAP_ENDS - 1))).toMatchObject({ ok: true, replacement });
    });

    it('given a rotated key, from the instant its overlap ends, then 401 revoked "replaced by a newer key", before any KeyRevoked', async () => {
      const { guard, table, hasher, token } = givenGuard();
      await settle(guard.check(bearer(token), NOW));
      table.apply(rotatedEvent(OVERLAP_ENDS), 11);

      expect(sync(guard.check(bearer(token), OVERLAP_ENDS))).toEqual(denied401(ROTATED_OUT));
      expect(sync(guard.check(bearer(token), OVERLAP_ENDS + 1))).toEqual(denied401(ROTATED_OUT));
      // Nothing the sweeper wrote: the table still holds it live.
      expect(table.get(KEY)!.status).toBe('active');
      expect(hasher.verifyCalls).toBe(1);
    });

    it("given an overlap that reaches the key's own expiry, then at that instant it is expired, not revoked", async () => {
      const { guard, table, token } = givenGuard();
      table.apply(rotatedEvent(EXPIRES_AT_MS), 11);

      expect(await settle(guard.check(bearer(token), EXPIRES_AT_MS - 1))).toMatchObject({ ok: true, replacement: { overlapEndsAtMs: EXPIRES_AT_MS } });
      expect(sync(guard.check(bearer(token), EXPIRES_AT_MS))).toEqual(denied401(EXPIRED));
    });

    it('given a rotated key that is also suspended, then suspended during the overlap and revoked after it', () => {
      const { guard, table, token } = givenGuard();
      table.apply(rotatedEvent(OVERLAP_ENDS), 11);
      table.apply(suspendedEvent(), 12);

      expect(sync(guard.check(bearer(token), NOW))).toEqual(denied401(SUSPENDED));
      expect(sync(guard.check(bearer(token), OVERLAP_ENDS))).toEqual(denied401(ROTATED_OUT));
    });

    it('given a rotated key over its rate limit, then the 429 names its replacement too', async () => {
      const { guard, table, token } = givenGuard({}, { requestsPerMinute: 1, failuresPerMinute: 10 });
      table.apply(rotatedEvent(OVERLAP_ENDS), 11);
      await settle(guard.check(bearer(token), NOW));

      expect(sync(guard.check(bearer(token), NOW))).toMatchObject({ ok: false, status: 429, replacement });
    });

    it('given a key that is not rotated, then its verdict has no replacement', async () => {
      const { guard, token } = givenGuard();

      expect(await settle(guard.check(bearer(token), NOW))).toMatchObject({ ok: true, replacement: null });
    });
  });

  describe('a valid token', () => {
    it('when checked first, then a Promise after one hasher call, resolving to ok with the key and rate', async () => {
      const { guard, hasher, token, table } = givenGuard();

      const first = guard.check(bearer(token), NOW);

      expect(first).toBeInstanceOf(Promise);
      const verdict = await first;
      expect(hasher.verifyCalls).toBe(1);
      expect(verdict).toEqual({
        ok: true,
        key: table.get(KEY),
        rate: { allowed: true, limit: 1000, remaining: 999, resetSeconds: 60 },
        replacement: null,
      });
    });

    it('when checked again, then answers synchronously without calling the hasher', async () => {
      const { guard, hasher, token } = givenGuard();
      await settle(guard.check(bearer(token), NOW));

      for (let i = 0; i < 5; i++) {
        const verdict = sync(guard.check(bearer(token), NOW + i));
        expect(verdict.ok).toBe(true);
      }
      expect(hasher.verifyCalls).toBe(1);
    });

    it('given a cached verdict, when the key is revoked in the table, then the very next check is 401 revoked', async () => {
      const { guard, table, token } = givenGuard();
      await settle(guard.check(bearer(token), NOW));
      expect(sync(guard.check(bearer(token), NOW)).ok).toBe(true);

      table.apply(revokedEvent(), 11);

      expect(sync(guard.check(bearer(token), NOW))).toEqual(denied401(REVOKED));
    });

    it('given a cached verdict for the right token, when a wrong secret comes for the same key, then it is still verified and refused', async () => {
      const { guard, hasher, token, wrongToken } = givenGuard();
      await settle(guard.check(bearer(token), NOW));

      const verdict = guard.check(bearer(wrongToken), NOW);

      expect(verdict).toBeInstanceOf(Promise);
      expect(await verdict).toEqual(denied401(INVALID));
      expect(hasher.verifyCalls).toBe(2);
    });

    it('when 20 first checks of the same new token arrive together, then the hasher runs once and all are ok', async () => {
      const { guard, hasher, token } = givenGuard();
      hasher.hold();

      const pending = Array.from({ length: 20 }, () => guard.check(bearer(token), NOW));
      hasher.release();
      const verdicts = await Promise.all(pending);

      expect(hasher.verifyCalls).toBe(1);
      expect(verdicts.every((v) => v.ok)).toBe(true);
    });
  });

  describe('rate limit', () => {
    const options = { requestsPerMinute: 3, failuresPerMinute: 10 };

    it('given 3 requests per minute, when a 4th comes in the window, then 429 with retry-after and remaining 0', async () => {
      const { guard, token } = givenGuard({}, options);
      const first = await settle(guard.check(bearer(token), NOW));
      const second = sync(guard.check(bearer(token), NOW + 1_000));
      const third = sync(guard.check(bearer(token), NOW + 2_000));
      expect([first, second, third].map((v) => v.ok)).toEqual([true, true, true]);

      const fourth = sync(guard.check(bearer(token), NOW + 10_000));

      expect(fourth).toEqual({
        ok: false,
        status: 429,
        description: 'Rate limit of 3 requests per minute reached for this API key.',
        retryAfterSeconds: 50,
        rate: { allowed: false, limit: 3, remaining: 0, resetSeconds: 50 },
        replacement: null,
      });
    });

    it('given the limit is used up, then retry-after is at least 1 second near the end of the window', async () => {
      const { guard, token } = givenGuard({}, options);
      await settle(guard.check(bearer(token), NOW));
      guard.check(bearer(token), NOW);
      guard.check(bearer(token), NOW);

      const verdict = sync(guard.check(bearer(token), NOW + MINUTE - 1));

      expect(verdict).toMatchObject({ ok: false, status: 429, retryAfterSeconds: 1 });
    });

    it('given the limit is used up, when 60 s have passed, then requests are allowed again', async () => {
      const { guard, token } = givenGuard({}, options);
      await settle(guard.check(bearer(token), NOW));
      guard.check(bearer(token), NOW);
      guard.check(bearer(token), NOW);
      expect(sync(guard.check(bearer(token), NOW)).ok).toBe(false);

      const later = sync(guard.check(bearer(token), NOW + MINUTE));

      expect(later).toMatchObject({ ok: true, rate: { allowed: true, limit: 3, remaining: 2 } });
    });
  });

  describe('failure throttle', () => {
    const options = { requestsPerMinute: 1000, failuresPerMinute: 3 };
    const throttled = { ok: false, status: 429, description: THROTTLED, rate: null };

    it('given 3 wrong secrets for a key id, when the right secret comes, then 429 without calling the hasher', async () => {
      const { guard, hasher, token, wrongToken } = givenGuard({}, options);
      for (let i = 0; i < 3; i++) {
        expect(await settle(guard.check(bearer(wrongToken), NOW))).toEqual(denied401(INVALID));
      }
      expect(hasher.verifyCalls).toBe(3);

      const verdict = await settle(guard.check(bearer(token), NOW + 10_000));

      expect(verdict).toEqual({ ...throttled, retryAfterSeconds: 50 });
      expect(hasher.verifyCalls).toBe(3);
    });

    it('given 3 attempts with an unknown key id, when a 4th comes, then the same 429', async () => {
      const { guard } = givenGuard({}, options);
      const unknown = () => bearer(mintToken(UNKNOWN).token);
      for (let i = 0; i < 3; i++) {
        expect(await settle(guard.check(unknown(), NOW))).toEqual(denied401(INVALID));
      }

      const verdict = await settle(guard.check(unknown(), NOW + 10_000));

      expect(verdict).toEqual({ ...throttled, retryAfterSeconds: 50 });
    });

    it('given a key id throttled while unknown, when the table learns its KeyMinted, then its right secret works', async () => {
      // A key minted on another replica: requests reach this one before its table has the key.
      const { guard, table } = givenGuard({}, options);
      const { token, secret } = mintToken(UNKNOWN);
      for (let i = 0; i < 3; i++) expect(await settle(guard.check(bearer(token), NOW))).toEqual(denied401(INVALID));
      expect(await settle(guard.check(bearer(token), NOW))).toMatchObject(throttled);

      table.apply(
        {
          type: 'KeyMinted',
          data: {
            actorUserId: 'bob', actorName: 'Bob', companyId: 'acme', keyId: UNKNOWN, correlationId: 'c',
            at: '2026-05-10T12:00:00.000Z', label: 'late', prefix: `kg_${UNKNOWN}`, verifier: `v:${secret}`,
            expiresAt: new Date(EXPIRES_AT_MS).toISOString(), creatorRole: 'user', permissions: ['keys:use'],
          },
        } as KeyMinted,
        11,
      );

      expect(await settle(guard.check(bearer(token), NOW + 1000))).toMatchObject({ ok: true });
    });

    it('throttles one key id only: another key id is not affected', async () => {
      const { guard, token } = givenGuard({}, options);
      for (let i = 0; i < 4; i++) await settle(guard.check(bearer(mintToken(UNKNOWN).token), NOW));

      expect((await settle(guard.check(bearer(token), NOW))).ok).toBe(true);
    });

    it('given a throttled key id, when the window has passed, then the right secret works again', async () => {
      const { guard, hasher, token, wrongToken } = givenGuard({}, options);
      for (let i = 0; i < 3; i++) await settle(guard.check(bearer(wrongToken), NOW));
      expect((await settle(guard.check(bearer(token), NOW))).ok).toBe(false);

      const verdict = await settle(guard.check(bearer(token), NOW + MINUTE));

      expect(verdict.ok).toBe(true);
      expect(hasher.verifyCalls).toBe(4);
    });

    it('given a throttled unknown key id, when the window has passed, then it is back to 401 invalid', async () => {
      const { guard } = givenGuard({}, options);
      const unknown = bearer(mintToken(UNKNOWN).token);
      for (let i = 0; i < 4; i++) await settle(guard.check(unknown, NOW));

      expect(await settle(guard.check(unknown, NOW + MINUTE))).toEqual(denied401(INVALID));
    });

    it('given a throttled key id whose token is already verified, then the cached right token still works', async () => {
      const { guard, token, wrongToken } = givenGuard({}, options);
      await settle(guard.check(bearer(token), NOW));
      for (let i = 0; i < 4; i++) await settle(guard.check(bearer(wrongToken), NOW));

      expect(sync(guard.check(bearer(token), NOW)).ok).toBe(true);
    });

    it('when 10 different wrong secrets for one key id arrive together, then no more hasher runs than the budget', async () => {
      const { guard, hasher } = givenGuard({}, options);
      hasher.hold();

      const pending = Array.from({ length: 10 }, () => guard.check(bearer(mintToken(KEY).token), NOW));
      hasher.release();
      const verdicts = await Promise.all(pending);

      expect(hasher.verifyCalls).toBe(3);
      expect(verdicts.filter((v) => !v.ok && v.status === 401)).toHaveLength(3);
      expect(verdicts.filter((v) => !v.ok && v.status === 429)).toHaveLength(7);
    });

    it('given verifications under way, when the same token arrives again, then it joins them rather than being throttled', async () => {
      const { guard, hasher, token } = givenGuard({}, { requestsPerMinute: 1000, failuresPerMinute: 1 });
      hasher.hold();

      const pending = [guard.check(bearer(token), NOW), guard.check(bearer(token), NOW)];
      hasher.release();

      expect((await Promise.all(pending)).map((v) => v.ok)).toEqual([true, true]);
      expect(hasher.verifyCalls).toBe(1);
    });

    it('given a running failure window, when the guard sweeps, then the key id stays throttled', async () => {
      const { guard, hasher, token, wrongToken } = givenGuard({}, options);
      for (let i = 0; i < 3; i++) await settle(guard.check(bearer(wrongToken), NOW));

      guard.sweep(NOW + 30_000);

      expect(await settle(guard.check(bearer(token), NOW + 30_000))).toMatchObject(throttled);
      expect(hasher.verifyCalls).toBe(3);
    });
  });

  describe('failures count per source, never against the key id (issue 10)', () => {
    const options = { requestsPerMinute: 1000, failuresPerMinute: 3, maxConcurrentVerifications: 4 };
    const ATTACKER = { source: '203.0.113.7' };
    const HOLDER = { source: '198.51.100.20' };
    const SOURCE_THROTTLED = 'Too many failed attempts with API keys from this address; wait before trying again.';
    const BUSY = 'Too many API keys are being verified right now; try again in a second.';

    it('given a source that spent its budget on wrong secrets for a key id, then the holder\'s right token from elsewhere still gets in', async () => {
      const { guard, hasher, token } = givenGuard({}, options);
      for (let i = 0; i < 3; i++) expect(await settle(guard.check(bearer(mintToken(KEY).token), NOW, ATTACKER))).toEqual(denied401(INVALID));
      expect(await settle(guard.check(bearer(mintToken(KEY).token), NOW, ATTACKER))).toMatchObject({ status: 429, description: SOURCE_THROTTLED });

      expect(await settle(guard.check(bearer(token), NOW, HOLDER))).toMatchObject({ ok: true });
      expect(hasher.verifyCalls).toBe(4);
    });

    it('given a throttled source, then it is refused before the lookup: the same 429 for a known and an unknown key id, no argon2', async () => {
      const { guard, hasher, token } = givenGuard({}, options);
      for (let i = 0; i < 4; i++) await settle(guard.check(bearer(mintToken(UNKNOWN).token), NOW, ATTACKER));
      const calls = hasher.verifyCalls;

      const known = sync(guard.check(bearer(token), NOW + 10_000, ATTACKER));
      const unknown = sync(guard.check(bearer(mintToken(UNKNOWN).token), NOW + 10_000, ATTACKER));

      expect(known).toEqual({ ok: false, status: 429, description: SOURCE_THROTTLED, retryAfterSeconds: 50, rate: null });
      expect(unknown).toEqual(known);
      expect(hasher.verifyCalls).toBe(calls);
    });

    it('given a flood of concurrent wrong secrets for a key id from one source, then the right token from another source gets a slot and gets in', async () => {
      const { guard, hasher, token } = givenGuard({}, { ...options, failuresPerMinute: 1000 });
      hasher.hold();

      const flood = Array.from({ length: 50 }, () => guard.check(bearer(mintToken(KEY).token), NOW, ATTACKER));
      const holder = guard.check(bearer(token), NOW, HOLDER);
      hasher.release();
      const verdicts = await Promise.all(flood);

      expect(await holder).toMatchObject({ ok: true });
      // The attacker holds at most half the slots; the rest of its burst is refused at once, not queued.
      expect(hasher.verifyCalls).toBe(3);
      expect(verdicts.filter((v) => !v.ok && v.status === 401)).toHaveLength(2);
      expect(verdicts.filter((v) => !v.ok && v.status === 429 && v.description === BUSY)).toHaveLength(48);
    });

    it('when more verifications than the cap are asked at once from many sources, then the excess is refused at once (429, Retry-After 1)', async () => {
      const { guard, hasher } = givenGuard({}, options);
      hasher.hold();

      const verdicts = Array.from({ length: 20 }, (_, i) => guard.check(bearer(mintToken(KEY).token), NOW, { source: `192.0.2.${i}` }));
      const refused = verdicts.filter((v): v is GuardVerdict => !(v instanceof Promise));
      hasher.release();
      await Promise.all(verdicts);

      expect(hasher.verifyCalls).toBe(4);
      expect(refused).toHaveLength(16);
      expect(refused.every((v) => !v.ok && v.status === 429 && v.description === BUSY && v.retryAfterSeconds === 1)).toBe(true);
    });

    it('given the cap was reached, when the runs end, then slots are free again', async () => {
      const { guard, hasher, token } = givenGuard({}, options);
      hasher.hold();
      const first = Array.from({ length: 4 }, (_, i) => guard.check(bearer(mintToken(KEY).token), NOW, { source: `192.0.2.${i}` }));
      expect(sync(guard.check(bearer(token), NOW, HOLDER))).toMatchObject({ status: 429, description: BUSY });
      hasher.release();
      await Promise.all(first);

      expect(await settle(guard.check(bearer(token), NOW, HOLDER))).toMatchObject({ ok: true });
    });

    it('counts unknown key ids against the same source budget', async () => {
      const { guard, token } = givenGuard({}, options);
      for (let i = 0; i < 3; i++) await settle(guard.check(bearer(mintToken(UNKNOWN).token), NOW, ATTACKER));

      expect(await settle(guard.check(bearer(token), NOW, ATTACKER))).toMatchObject({ status: 429, description: SOURCE_THROTTLED });
    });

    it('buckets IPv6 sources by /64 and IPv4-mapped addresses as IPv4', () => {
      expect(sourceBucket('2001:db8:0:1::5')).toBe(sourceBucket('2001:DB8:0:1:ffff:1:2:3'));
      expect(sourceBucket('2001:db8:0:1::5')).toBe('ip6:2001:db8:0:1::/64');
      expect(sourceBucket('2001:db8:0:2::5')).not.toBe(sourceBucket('2001:db8:0:1::5'));
      expect(sourceBucket('::1')).toBe('ip6:0:0:0:0::/64');
      expect(sourceBucket('fe80::1%eth0')).toBe('ip6:fe80:0:0:0::/64');
      expect(sourceBucket('::ffff:192.0.2.1')).toBe(sourceBucket('192.0.2.1'));
      expect(sourceBucket('192.0.2.1')).not.toBe(sourceBucket('192.0.2.2'));
    });
  });

  describe('dead keys answer from the lookup read model after a restart (issue 11)', () => {
    /** A table seeded with no key (the dead ones are not loaded), asking `rows` on a miss. */
    const givenRestarted = (rows: Record<string, { status: HotKeySeed['status']; expiresAt: string; overlapEndsAt?: string | null } | null>) => {
      let asked = 0;
      const table = new HotKeyTable({ lookup: async (keyId) => (asked++, rows[keyId] ?? null) });
      table.seed([], 10);
      const hasher = new FakeHasher();
      const guard = new ApiKeyGuard(table, hasher, { requestsPerMinute: 1000, failuresPerMinute: 10 });
      return { table, hasher, guard, asked: () => asked };
    };
    const future = new Date(EXPIRES_AT_MS).toISOString();

    it.each([
      ['revoked', { status: 'revoked' as const, expiresAt: future }, REVOKED],
      ['expired', { status: 'expired' as const, expiresAt: future }, EXPIRED],
      ['active but past its expiry', { status: 'active' as const, expiresAt: new Date(NOW - 1).toISOString() }, EXPIRED],
      ['suspended', { status: 'suspended' as const, expiresAt: future }, SUSPENDED],
      ['rotated and past its overlap', { status: 'active' as const, expiresAt: future, overlapEndsAt: new Date(NOW).toISOString() }, REVOKED],
    ])('given a %s key not in the table, then its description, without argon2; then synchronously from the cache', async (_, row, description) => {
      const { guard, hasher, asked } = givenRestarted({ [KEY]: row });
      const { token } = mintToken(KEY);

      expect(await settle(guard.check(bearer(token), NOW, { source: '10.0.0.1' }))).toEqual(denied401(description));
      expect(sync(guard.check(bearer(token), NOW, { source: '10.0.0.1' }))).toEqual(denied401(description));
      expect(hasher.verifyCalls).toBe(0);
      expect(asked()).toBe(1);
    });

    it.each([
      ['deleted', { [KEY]: { status: 'deleted' as const, expiresAt: future } }],
      ['unknown to both table and lookup', {}],
      ['active in the lookup but not yet in the table (never admitted from the lookup)', { [KEY]: { status: 'active' as const, expiresAt: future } }],
    ])('given a key id %s, then the unknown-id path: 401 invalid after the dummy argon2 work', async (_, rows) => {
      const { guard, hasher } = givenRestarted(rows);
      const { token, secret } = mintToken(KEY);

      expect(await settle(guard.check(bearer(token), NOW, { source: '10.0.0.1' }))).toEqual(denied401(INVALID));
      expect(hasher.verifyCalls).toBe(1);
      expect(hasher.hashCalls).toBe(1);
      expect(hasher.verifiedAgainst).not.toContain(`v:${secret}`);
    });

    it('given a lookup under way, when the table learns the key meanwhile, then the table wins', async () => {
      let release = () => {};
      const gate = new Promise<void>((r) => (release = r));
      const { token, secret } = mintToken(UNKNOWN);
      const table = new HotKeyTable({ lookup: async () => (await gate, null) });
      const guard = new ApiKeyGuard(table, new FakeHasher(), { requestsPerMinute: 1000, failuresPerMinute: 10 });
      const checking = guard.check(bearer(token), NOW);

      table.apply(mintedEvent(UNKNOWN, secret), 11);
      release();

      expect(await settle(checking)).toMatchObject({ ok: true });
    });

    it('given a key revoked on this replica, then the very next request is 401 revoked, from the table, not the lookup', async () => {
      const { guard, table, asked } = givenRestarted({});
      const { token, secret } = mintToken(KEY);
      table.apply(mintedEvent(KEY, secret), 11);
      expect(await settle(guard.check(bearer(token), NOW))).toMatchObject({ ok: true });

      table.apply(revokedEvent(), 12);

      expect(sync(guard.check(bearer(token), NOW))).toEqual(denied401(REVOKED));
      expect(asked()).toBe(0);
    });

    it('given a deleted key, when its KeyMinted is replayed, then it stays refused with its right secret', async () => {
      const { guard, table, hasher } = givenRestarted({});
      const { token, secret } = mintToken(KEY);
      table.apply(mintedEvent(KEY, secret), 11);
      table.apply({ type: 'KeyDeleted', data: revokedEvent().data }, 12);

      table.apply(mintedEvent(KEY, secret), 11);

      expect(await settle(guard.check(bearer(token), NOW))).toEqual(denied401(INVALID));
      expect(hasher.verifiedAgainst).not.toContain(`v:${secret}`);
    });
  });
});
