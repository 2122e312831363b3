// The given/when/then helper of the decider's specs (tsconfig.build.json leaves it out of the production build).
// node:assert rather than jest's expect, so it depends on no test runner's globals.
import assert from 'node:assert/strict';
import { decide } from './decide.js';
import type { KeyCommand } from './key-commands.js';
import { KeyDomainError, type KeyErrorKind } from './key-errors.js';
import type { KeyLifecycleEvent } from './key-events.js';
import { DEFAULT_KEY_POLICY, type KeyPolicy } from './key-policy.js';
import { evolve, initialKeyringState, type KeyringState } from './keyring-state.js';

/** The keyring a stream of events folds to. */
export const stateOf = (events: readonly KeyLifecycleEvent[]): KeyringState =>
  events.reduce(evolve, initialKeyringState());

/**
 * Given/when/then for the key decider, after Emmett's DeciderSpecification:
 *
 *   given([acknowledged, minted]).when(revoke).then([revoked]);
 *   given([]).when(revoke).thenThrows('not_found', /No API key/);
 */
export const given = (events: readonly KeyLifecycleEvent[], policy: KeyPolicy = DEFAULT_KEY_POLICY) => ({
  when: (command: KeyCommand) => {
    const run = () => decide(command, stateOf(events), policy);
    return {
      then: (expected: readonly KeyLifecycleEvent[]): void => {
        assert.deepEqual(run(), expected);
      },
      /** The events decided, for a spec that checks only some of their fields. */
      events: (): KeyLifecycleEvent[] => run(),
      /** Asserts the refusal, and returns it for what else it carries (retryAfterSeconds). */
      thenThrows: (kind: KeyErrorKind, messagePattern?: RegExp): KeyDomainError => {
        let refusal: KeyDomainError | undefined;
        assert.throws(run, (error: unknown) => {
          assert.ok(error instanceof KeyDomainError, `expected a KeyDomainError, got ${String(error)}`);
          assert.equal(error.kind, kind, `wrong kind for "${error.message}"`);
          if (messagePattern) assert.match(error.message, messagePattern);
          refusal = error;
          return true;
        });
        return refusal!;
      },
    };
  },
});
