import { given, stateOf } from './decider-spec.js';
import { acknowledged, after, alice, admin, bob, ctx, DAY, KEY, keyId, keyOf, keysOf, LAPSE, MINUTE, mint, revoked, root } from './decider-fixtures.js';
import type { Actor } from './actor.js';
import type { ResumeKey, SuspendKey } from './key-commands.js';
import type { KeyLifecycleEvent } from './key-events.js';
import { effectiveStatus } from './keyring-state.js';

const NOW = after(DAY);
const suspend = (actor: Actor, now = NOW): SuspendKey => ({ type: 'SuspendKey', actor, keyId: KEY, now, correlationId: 'corr-suspend' });
const resume = (actor: Actor, now = after(MINUTE, NOW)): ResumeKey => ({ type: 'ResumeKey', actor, keyId: KEY, now, correlationId: 'corr-resume' });
const suspended = (actor: Actor, at = NOW): KeyLifecycleEvent => ({ type: 'KeySuspended', data: ctx(actor, KEY, at, 'corr-suspend') });
const resumed = (actor: Actor, at = after(MINUTE, NOW)): KeyLifecycleEvent => ({ type: 'KeyResumed', data: ctx(actor, KEY, at, 'corr-resume') });

describe('SuspendKey and ResumeKey', () => {
  it('suspends a working key and resumes it', () => {
    given(keyOf(alice)).when(suspend(alice)).then([suspended(alice)]);
    given([...keyOf(alice), suspended(alice)]).when(resume(alice)).then([resumed(alice)]);
    const key = (events: KeyLifecycleEvent[]) => stateOf(events).keys.get(KEY)!;
    expect(effectiveStatus(key([...keyOf(alice), suspended(alice)]), after(MINUTE, NOW))).toBe('suspended');
    expect(effectiveStatus(key([...keyOf(alice), suspended(alice), resumed(alice)]), after(2 * MINUTE, NOW))).toBe('active');
  });

  it.each([
    ['root', root],
    ['a holder of settings:edit', admin],
  ])("lets %s suspend and resume anyone's key (who may revoke may suspend)", (_, manager) => {
    given(keyOf(alice)).when(suspend(manager)).then([suspended(manager)]);
    given([...keyOf(alice), suspended(alice)]).when(resume(manager)).then([resumed(manager)]);
  });

  it("hides another user's key from a plain user", () => {
    given(keyOf(alice)).when(suspend(bob)).thenThrows('not_found');
    given([...keyOf(alice), suspended(alice)]).when(resume(bob)).thenThrows('not_found');
  });

  it('refuses to suspend twice, or to resume a key that is not suspended', () => {
    given([...keyOf(alice), suspended(alice)]).when(suspend(alice, after(MINUTE, NOW))).thenThrows('conflict', /already suspended/);
    given(keyOf(alice)).when(resume(alice)).thenThrows('conflict', /is not suspended/);
  });

  it('refuses to suspend or resume a revoked key', () => {
    given([...keyOf(alice), revoked(alice)]).when(suspend(alice)).thenThrows('conflict', /is revoked/);
    given([...keyOf(alice), suspended(alice), revoked(alice, KEY, after(2 * MINUTE, NOW))])
      .when(resume(alice, after(3 * MINUTE, NOW)))
      .thenThrows('conflict', /is revoked; it cannot be resumed/);
  });

  it('still expires while suspended: it reads expired at its expiry, cannot be resumed, and the sweeper expires it', () => {
    const history = [...keyOf(alice), suspended(alice)];
    expect(effectiveStatus(stateOf(history).keys.get(KEY)!, LAPSE)).toBe('expired');
    given(history).when(resume(alice, LAPSE)).thenThrows('conflict', /is expired/);
    const [event] = given(history).when({ type: 'ExpireKey', companyId: 'acme', keyId: KEY, now: LAPSE, correlationId: 'corr-sweep' }).events();
    expect(event.type).toBe('KeyExpired');
  });

  it('can be revoked while suspended', () => {
    given([...keyOf(alice), suspended(alice)]).when({ type: 'RevokeKey', actor: alice, keyId: KEY, now: after(2 * MINUTE), correlationId: 'corr-revoke' })
      .then([revoked(alice)]);
  });

  it('still counts against the limits, so resuming can never exceed them', () => {
    const four = ['K1', 'K2', 'K3', 'K4'].map((k) => k.padEnd(12, '0'));
    const history = [...keyOf(alice), ...keysOf(alice, four), suspended(alice), acknowledged(alice, keyId(9), after(2 * MINUTE, NOW))];
    given(history).when(mint(alice, keyId(9), { now: after(3 * MINUTE, NOW) })).thenThrows('limit', /already have 5 active/);
  });

  it('cannot be deleted while suspended', () => {
    given([...keyOf(alice), suspended(alice)])
      .when({ type: 'DeleteKey', actor: root, keyId: KEY, now: after(2 * MINUTE, NOW), correlationId: 'corr-delete' })
      .thenThrows('conflict', /is suspended; revoke it before deleting it/);
  });
});
