import { given } from './decider-spec.js';
import { after, admin, alice, bob, ctx, DAY, keyOf, LAPSE, MINUTE, revoked, root } from './decider-fixtures.js';
import type { RevokeUserKeys } from './key-commands.js';
import type { KeyLifecycleEvent } from './key-events.js';
import type { Actor } from './actor.js';

const [A1, A2, A3, A4, B1] = ['Alice0000001', 'Alice0000002', 'Alice0000003', 'Alice0000004', 'Bob000000001'];
const NOW = after(DAY);
const offboard = (actor: Actor, userId = 'alice', now = NOW): RevokeUserKeys => ({
  type: 'RevokeUserKeys', actor, userId, now, correlationId: 'corr-offboard',
});
const revokedFor = (key: string): KeyLifecycleEvent => ({
  type: 'KeyRevoked',
  data: { ...ctx(root, key, NOW, 'corr-offboard'), reason: 'offboarded' },
});

describe('RevokeUserKeys (offboarding)', () => {
  const history: KeyLifecycleEvent[] = [
    ...keyOf(alice, A1),
    ...keyOf(alice, A2),
    { type: 'KeySuspended', data: ctx(alice, A2, after(2 * MINUTE), 'c') },
    ...keyOf(alice, A3),
    revoked(alice, A3),
    ...keyOf(bob, B1),
  ];

  it("revokes every live key of that user, suspended ones too, one event each under one correlation id, and no one else's", () => {
    given(history).when(offboard(root)).then([revokedFor(A1), revokedFor(A2)]);
  });

  it('is for root users only: settings:edit is not enough', () => {
    given(history).when(offboard(admin)).thenThrows('forbidden', /Only root users/);
    given(history).when(offboard(alice)).thenThrows('forbidden');
  });

  it('writes nothing when the user has no live key left (repeating it is harmless)', () => {
    given([...history, revokedFor(A1), revokedFor(A2)]).when(offboard(root, 'alice', after(MINUTE, NOW))).then([]);
    given(history).when(offboard(root, 'nobody')).then([]);
  });

  it('leaves out keys that lapsed before the sweeper wrote KeyExpired', () => {
    given([...keyOf(alice, A4, after(DAY))]).when(offboard(root, 'alice', after(DAY, LAPSE))).then([]);
  });
});
