import { given } from './decider-spec.js';
import { acknowledged, after, alice, ctx, DAY, KEY, keyOf, LAPSE, minted, MINUTE, revoked } from './decider-fixtures.js';
import type { WarnExpiry } from './key-commands.js';
import type { KeyLifecycleEvent } from './key-events.js';
import { DEFAULT_KEY_POLICY } from './key-policy.js';

const SYSTEM = { userId: 'system', name: 'Keygate' };
const warn = (now: Date): WarnExpiry => ({ type: 'WarnExpiry', companyId: 'acme', keyId: KEY, now, correlationId: 'corr-sweep' });
const expiring = (daysBefore: number, at: Date): KeyLifecycleEvent => ({
  type: 'KeyExpiring',
  data: { ...ctx(SYSTEM, KEY, at, 'corr-sweep'), expiresAt: LAPSE.toISOString(), daysBefore },
});
const daysBefore = (days: number) => after(-days * DAY, LAPSE);

describe('WarnExpiry', () => {
  it.each([
    [14, daysBefore(14)],
    [14, daysBefore(8)],
    [7, daysBefore(7)],
    [7, daysBefore(3)],
    [1, daysBefore(1)],
    [1, after(-1, LAPSE)],
  ])('warns %s days before at %s', (days, now) => {
    given(keyOf(alice)).when(warn(now)).then([expiring(days, now)]);
  });

  it('writes nothing before the first threshold, or after the expiry', () => {
    given(keyOf(alice)).when(warn(after(-1, daysBefore(14)))).then([]);
    given(keyOf(alice)).when(warn(LAPSE)).then([]);
  });

  it('warns exactly once per threshold: 14, then 7, then 1', () => {
    const at14 = expiring(14, daysBefore(14));
    const at7 = expiring(7, daysBefore(7));
    given([...keyOf(alice), at14]).when(warn(daysBefore(10))).then([]);
    given([...keyOf(alice), at14]).when(warn(daysBefore(7))).then([at7]);
    given([...keyOf(alice), at14, at7]).when(warn(daysBefore(2))).then([]);
    given([...keyOf(alice), at14, at7]).when(warn(daysBefore(1))).then([expiring(1, daysBefore(1))]);
    given([...keyOf(alice), at14, at7, expiring(1, daysBefore(1))]).when(warn(after(-MINUTE, LAPSE))).then([]);
  });

  it('after a long outage, writes only the most urgent warning due, never a late 14-day one after it', () => {
    given(keyOf(alice)).when(warn(daysBefore(3))).then([expiring(7, daysBefore(3))]);
    given([...keyOf(alice), expiring(7, daysBefore(3))]).when(warn(daysBefore(2))).then([]);
  });

  it('follows the policy', () => {
    const policy = { ...DEFAULT_KEY_POLICY, expiryWarningDays: [30] };
    given(keyOf(alice), policy).when(warn(daysBefore(29))).then([expiring(30, daysBefore(29))]);
    given(keyOf(alice), policy).when(warn(daysBefore(1))).then([expiring(30, daysBefore(1))]);
  });

  it.each<[string, KeyLifecycleEvent[]]>([
    ['revoked', [...keyOf(alice), revoked(alice)]],
    ['being replaced by a rotation', [
      ...keyOf(alice),
      { type: 'KeyRotated', data: { ...ctx(alice, KEY, after(2 * MINUTE), 'c'), rotatedTo: 'NeWkEy123456', overlapEndsAt: LAPSE.toISOString() } },
    ]],
    ['unknown', []],
  ])('writes nothing for a key %s', (_, history) => {
    given(history).when(warn(daysBefore(3))).then([]);
  });

  it('leaves a key minted after the command\'s instant to the next sweep (judged before its mint, it would get a 7-day warning, then the 1-day one)', () => {
    // A key living one day: at its mint, the 1-day warning is the one due.
    const mintedAt = after(MINUTE);
    const mint = minted(alice);
    const oneDayKey: KeyLifecycleEvent[] = [acknowledged(alice), { ...mint, data: { ...mint.data, expiresAt: after(DAY, mintedAt).toISOString() } } as KeyLifecycleEvent];
    const warned = (now: Date): KeyLifecycleEvent => ({
      type: 'KeyExpiring',
      data: { ...ctx(SYSTEM, KEY, now, 'corr-sweep'), expiresAt: after(DAY, mintedAt).toISOString(), daysBefore: 1 },
    });

    given(oneDayKey).when(warn(after(-5, mintedAt))).then([]);
    given(oneDayKey).when(warn(mintedAt)).then([warned(mintedAt)]);
  });

  it('warns about a suspended key (it still expires)', () => {
    const history = [...keyOf(alice), { type: 'KeySuspended', data: ctx(alice, KEY, after(2 * MINUTE), 'c') } as KeyLifecycleEvent];
    given(history).when(warn(daysBefore(3))).then([expiring(7, daysBefore(3))]);
  });
});
