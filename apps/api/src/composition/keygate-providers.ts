import type { Provider } from '@nestjs/common';
import { KEYGATE_CONFIG } from '#config';
import { EVENT_STORE } from '#event-store';
import { KEY_POLICY, KEYRING_REPOSITORY, SECRET_HASHER } from '#keys';
import { ACTIVITY_READ_MODEL, KEYS_READ_MODEL } from '#projections';
import { CLOCK, READ_SIDE_STATUS, READ_YOUR_WRITES, type KeygateRuntime } from '#runtime';

/**
 * The API process's composition root, as Nest sees it: each piece of the runtime under its own token, so a
 * handler injects what it uses (a query handler a read model and the clock; the mint the keyring, the hasher
 * and the policy) and nothing reaches the whole runtime. The runtime itself is built outside Nest
 * (createKeygateApp), so tests can hand in a clock or a hasher.
 */
export const keygateProviders = (runtime: KeygateRuntime): Provider[] => [
  { provide: KEYGATE_CONFIG, useValue: runtime.config },
  { provide: CLOCK, useValue: runtime.clock },
  { provide: KEY_POLICY, useValue: runtime.policy },
  { provide: KEYRING_REPOSITORY, useValue: runtime.keyring },
  { provide: SECRET_HASHER, useValue: runtime.hasher },
  { provide: KEYS_READ_MODEL, useValue: runtime.keys },
  { provide: ACTIVITY_READ_MODEL, useValue: runtime.activity },
  { provide: READ_YOUR_WRITES, useValue: (position: number) => runtime.readYourWrites(position) },
  { provide: READ_SIDE_STATUS, useValue: runtime.readSide },
  // /health asks the store for its head (is it reachable?), and the audit queries read the history from it; no
  // handler writes through it: writes go through the keyring.
  { provide: EVENT_STORE, useValue: runtime.store },
];
