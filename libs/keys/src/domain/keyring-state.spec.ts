import { performance } from 'node:perf_hooks';
import type { KeyAcknowledged, KeyLifecycleEvent, KeyMinted } from './key-events.js';
import { ACKNOWLEDGEMENT_GRACE_MS, evolve, foldKeyring, initialKeyringState, type KeyringState } from './keyring-state.js';

const MINUTE = 60_000;
const T0 = Date.parse('2026-05-10T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const keyId = (n: number) => `K${String(n).padStart(11, '0')}`;

const ctx = (userId: string, key: string, at: number) => ({
  actorUserId: userId,
  actorName: userId,
  companyId: 'acme',
  keyId: key,
  correlationId: `c-${key}`,
  at: iso(at),
});
const acknowledged = (userId: string, n: number, at: number): KeyAcknowledged => ({
  type: 'KeyAcknowledged',
  data: { ...ctx(userId, keyId(n), at), acknowledgementId: `ack-${n}`, noticeVersion: 'v1', expiresAt: iso(at + 15 * MINUTE) },
});
const minted = (userId: string, n: number, at: number): KeyMinted => ({
  type: 'KeyMinted',
  data: {
    ...ctx(userId, keyId(n), at),
    acknowledgementId: `ack-${n}`,
    label: `key ${n}`,
    prefix: `kg_${keyId(n)}`,
    verifier: 'v',
    permissions: [],
    creatorRole: 'user',
    expiresAt: iso(at + 90 * 24 * 60 * MINUTE),
  },
});
const revoked = (userId: string, n: number, at: number): KeyLifecycleEvent => ({ type: 'KeyRevoked', data: ctx(userId, keyId(n), at) });

/** Everything a decision can see, in a form toEqual compares (Map order included). */
const plain = (s: KeyringState) => ({ acknowledgements: [...s.acknowledgements], keys: [...s.keys] });

/** Given/when/then for the fold: given(history).then(expected state). */
const given = (events: KeyLifecycleEvent[]) => ({ state: foldKeyring(events) });

describe('keyring state', () => {
  describe('expired acknowledgements', () => {
    const expiry = T0 + 15 * MINUTE;

    it('stay for the grace period after they expired, used or not', () => {
      const { state } = given([acknowledged('alice', 1, T0), acknowledged('bob', 2, T0), minted('bob', 2, T0 + MINUTE), revoked('bob', 2, expiry + ACKNOWLEDGEMENT_GRACE_MS)]);
      expect([...state.acknowledgements.keys()]).toEqual(['ack-1', 'ack-2']);
    });

    it('drop out when any event comes more than the grace period after their expiry', () => {
      const { state } = given([
        acknowledged('alice', 1, T0),
        acknowledged('bob', 2, T0),
        minted('bob', 2, T0 + MINUTE),
        acknowledged('alice', 3, T0 + 10 * MINUTE),
        revoked('bob', 2, expiry + ACKNOWLEDGEMENT_GRACE_MS + 1),
      ]);
      expect([...state.acknowledgements.keys()]).toEqual(['ack-3']);
      expect(state.keys.get(keyId(2))?.status).toBe('revoked');
    });

    it('keep the state small however long the history: two weeks of three acknowledgements a minute', () => {
      const events: KeyLifecycleEvent[] = [];
      for (let i = 0; i < 60_000; i++) events.push(acknowledged(`user${i % 50}`, i, T0 + (i / 3) * MINUTE));
      const { state } = given(events);
      // At most the last 75 minutes (15 valid + 60 of grace) of acknowledgements: 3 × 76.
      expect(state.acknowledgements.size).toBeLessThanOrEqual(3 * 76);
    });
  });

  describe('foldKeyring', () => {
    const history: KeyLifecycleEvent[] = [];
    for (let i = 0; i < 300; i++) {
      const at = T0 + i * 7 * MINUTE;
      history.push(acknowledged(`user${i % 4}`, i, at));
      if (i % 3 !== 0) history.push(minted(`user${i % 4}`, i, at + MINUTE));
      if (i % 3 === 1) history.push(revoked(`user${i % 4}`, i, at + 2 * MINUTE));
    }

    it('folds to exactly what evolve, event by event, folds to', () => {
      expect(plain(foldKeyring(history))).toEqual(plain(history.reduce(evolve, initialKeyringState())));
    });

    it('continues from a state without changing it, to what one fold of the whole history gives', () => {
      const head = foldKeyring(history.slice(0, 400));
      const before = plain(head);
      const continued = foldKeyring(history.slice(400), head);
      expect(plain(head)).toEqual(before);
      expect(plain(continued)).toEqual(plain(foldKeyring(history)));
    });

    it('leaves the state given to evolve untouched', () => {
      const state = foldKeyring(history.slice(0, 10));
      const before = plain(state);
      evolve(state, minted('user0', 0, T0 + MINUTE));
      evolve(state, acknowledged('user0', 999, T0 + 1000 * MINUTE));
      expect(plain(state)).toEqual(before);
    });

    it('is linear in the events, even when the state is large', () => {
      // Thousands of users acknowledging in the same minutes: nothing is pruned, so the state grows with the history
      // (copying it per event, as evolve does, would be quadratic: 4x the events, 16x the time).
      const burst = (n: number) => Array.from({ length: n }, (_, i) => acknowledged(`user${i}`, i, T0 + (i % 60) * 1000));
      const best = (events: KeyLifecycleEvent[]) => {
        let fastest = Infinity;
        for (let run = 0; run < 5; run++) {
          const start = performance.now();
          foldKeyring(events);
          fastest = Math.min(fastest, performance.now() - start);
        }
        return fastest;
      };
      const [small, large] = [burst(10_000), burst(40_000)];
      best(small); // warm-up
      const ratio = best(large) / best(small);
      console.log(`foldKeyring: 40,000 vs 10,000 acknowledgements took ${ratio.toFixed(1)}x (linear: 4x, quadratic: 16x)`);
      expect(ratio).toBeLessThan(9);
    });
  });
});
