import { randomUUID } from 'node:crypto';
import { eventIdFor, WrongExpectedVersionError, type EventStore } from '../../../event-store/src/index.js';
import { decide } from '../domain/decide.js';
import type { KeyCommand } from '../domain/key-commands.js';
import { conflict } from '../domain/key-errors.js';
import { keyringStreamId, type KeyLifecycleEvent } from '../domain/key-events.js';
import type { KeyPolicy } from '../domain/key-policy.js';
import { evolve, initialKeyringState, type KeyringState } from '../domain/keyring-state.js';
import { KeyedMutex } from './keyed-mutex.js';

export interface Decided {
  events: KeyLifecycleEvent[];
  /** The keyring after the events. */
  state: KeyringState;
  /** Global position of the last appended event; 0 when the command wrote nothing. */
  position: number;
}

const MAX_ATTEMPTS = 10;

/**
 * Load → decide → append for one company's keyring stream.
 *
 * The keyring stream is the consistency boundary of the limits (10 per company, 5 per creator): every
 * mint is appended with the stream position its decision was based on, so two concurrent mints cannot
 * both take the last slot. A conflict (another process appended first) is retried on fresh state.
 */
export class KeyringRepository {
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly store: EventStore,
    private readonly policy: KeyPolicy,
  ) {}

  async load(companyId: string): Promise<{ state: KeyringState; position: number }> {
    const { events, currentStreamPosition } = await this.store.readStream<KeyLifecycleEvent['data']>(keyringStreamId(companyId));
    const state = events.reduce(
      (s, e) => evolve(s, { type: e.type, data: e.data } as KeyLifecycleEvent),
      initialKeyringState(),
    );
    return { state, position: currentStreamPosition };
  }

  execute(companyId: string, command: KeyCommand): Promise<Decided> {
    const stream = keyringStreamId(companyId);
    // One id per command execution, generated here and never taken from a client header: ids derived from it
    // make an append that is retried after a lost answer land once.
    const commandId = randomUUID();
    return this.mutex.run(stream, async () => {
      for (let attempt = 1; ; attempt++) {
        const { state, position } = await this.load(companyId);
        const events = decide(command, state, this.policy);
        const after = events.reduce(evolve, state);
        if (events.length === 0) return { events, state: after, position: 0 };
        try {
          const result = await this.store.appendToStream(
            stream,
            events.map((e, i) => ({
              eventId: eventIdFor(commandId, i),
              type: e.type,
              data: e.data,
              metadata: { correlationId: command.correlationId, commandId },
            })),
            position === -1 ? 'no_stream' : position,
          );
          return { events, state: after, position: result.lastGlobalPosition };
        } catch (error) {
          if (!(error instanceof WrongExpectedVersionError)) throw error;
          if (attempt >= MAX_ATTEMPTS) throw conflict('The keys were changed concurrently too many times; try again.');
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
        }
      }
    });
  }
}
