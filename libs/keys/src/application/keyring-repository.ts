import { randomUUID } from 'node:crypto';
import { eventIdFor, WrongExpectedVersionError, type EventStore, type RecordedEvent } from '#event-store';
import { decide } from '../domain/decide.js';
import { checkedKeyEvent, keyEventReadProblem } from '../domain/key-event-schema.js';
import type { KeyCommand } from '../domain/key-commands.js';
import { conflict } from '../domain/key-errors.js';
import { keyringStreamId, type KeyLifecycleEvent } from '../domain/key-events.js';
import type { KeyPolicy } from '../domain/key-policy.js';
import { evolve, foldKeyring, initialKeyringState, type KeyringState } from '../domain/keyring-state.js';
import { KeyringCache, type FoldedKeyring } from './keyring-cache.js';
import { KeyedMutex } from './keyed-mutex.js';

export interface Decided {
  events: KeyLifecycleEvent[];
  /** The keyring after the events. */
  state: KeyringState;
  /** Global position of the last appended event; 0 when the command wrote nothing. */
  position: number;
}

const MAX_ATTEMPTS = 10;

export interface KeyringRepositoryOptions {
  /** Companies whose folded keyring is kept in memory (least recently used evicted). */
  cacheSize?: number;
}

const asLifecycleEvent = (e: RecordedEvent<KeyLifecycleEvent['data']>) => ({ type: e.type, data: e.data }) as KeyLifecycleEvent;

/**
 * What the decider folds: the events a reader can read (keyEventReadProblem: old events with a name the
 * writers' schema now refuses still count). One a reader would trip on is skipped, as every projection and hot
 * table parks it, so the rules see the keyring
 * the readers show, and one bad event never makes every command of its company fail.
 */
const readable = (e: RecordedEvent<KeyLifecycleEvent['data']>) => keyEventReadProblem(e.type, e.data) === null;

/**
 * Load → decide → append for one company's keyring stream.
 *
 * The keyring stream is the consistency boundary of the limits (10 per company, 5 per creator): every
 * mint is appended with the stream position its decision was based on, so two concurrent mints cannot
 * both take the last slot. A conflict (another process appended first) is retried on fresh state.
 *
 * Each load reads only what was appended since this process last folded the keyring (by any process: the store is
 * shared), onto the state it kept. Kept states are never modified, so one can be handed to several callers.
 */
export class KeyringRepository {
  private readonly mutex = new KeyedMutex();
  private readonly cache: KeyringCache;

  constructor(
    private readonly store: EventStore,
    readonly policy: KeyPolicy,
    options: KeyringRepositoryOptions = {},
  ) {
    this.cache = new KeyringCache(options.cacheSize ?? 10_000);
  }

  async load(companyId: string): Promise<FoldedKeyring> {
    const stream = keyringStreamId(companyId);
    const cached = this.cache.get(stream);
    if (cached) {
      const tail = await this.store.readStream<KeyLifecycleEvent['data']>(stream, { fromPosition: cached.position + 1 });
      // Streams only grow: anything else (the stream deleted or shorter than the state kept) means fold from scratch.
      const continues = tail.events.length
        ? tail.events[0].streamPosition === cached.position + 1
        : tail.currentStreamPosition === cached.position;
      if (continues) return this.foldOnto(stream, cached, tail.events);
      this.cache.forget(stream);
    }
    const { events } = await this.store.readStream<KeyLifecycleEvent['data']>(stream);
    return this.foldOnto(stream, { state: initialKeyringState(), position: -1 }, events);
  }

  /** Number of keyrings kept in memory (for tests and metrics). */
  get cachedKeyrings(): number {
    return this.cache.size;
  }

  private foldOnto(stream: string, base: FoldedKeyring, events: RecordedEvent<KeyLifecycleEvent['data']>[]): FoldedKeyring {
    if (events.length === 0) return base;
    const folded = { state: foldKeyring(events.filter(readable).map(asLifecycleEvent), base.state), position: events[events.length - 1].streamPosition };
    this.cache.remember(stream, folded);
    return folded;
  }

  execute(companyId: string, command: KeyCommand): Promise<Decided> {
    const stream = keyringStreamId(companyId);
    // One id per command execution, generated here and never taken from a client header: ids derived from it
    // make an append that is retried after a lost answer land once.
    const commandId = randomUUID();
    return this.mutex.run(stream, async () => {
      for (let attempt = 1; ; attempt++) {
        const { state, position } = await this.load(companyId);
        // Checked where they are built, before the store checks them again on append (key-event-schema.ts).
        const events = decide(command, state, this.policy).map(checkedKeyEvent);
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
          // Exactly our events follow the position decided on: keep the state after them for the next load. (An append
          // answered for earlier identical events would not line up; the next load then reads them from the store.)
          if (result.nextExpectedStreamPosition === position + events.length) {
            this.cache.remember(stream, { state: after, position: result.nextExpectedStreamPosition });
          }
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

export const KEYRING_REPOSITORY = Symbol('KeyringRepository');
