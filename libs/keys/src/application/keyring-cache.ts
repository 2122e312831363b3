import type { KeyringState } from '../domain/keyring-state.js';

export interface FoldedKeyring {
  /** Handed out to callers as is: never modified once stored (the fold copies before it applies). */
  state: KeyringState;
  /** Stream position of the last event folded into state; -1 for an empty stream. */
  position: number;
}

/**
 * The last folded state of each recently used keyring, least recently used evicted first (a Map keeps insertion
 * order; a hit moves its entry to the end). Bounded by companies, and each state is bounded by the fold, so the
 * memory is too: about 10,000 × a few kB.
 */
export class KeyringCache {
  private readonly entries = new Map<string, FoldedKeyring>();

  constructor(private readonly capacity: number) {}

  get(streamId: string): FoldedKeyring | undefined {
    const entry = this.entries.get(streamId);
    if (entry) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  /** Keeps the newer of what is stored and `entry`: concurrent loads may finish out of order. */
  remember(streamId: string, entry: FoldedKeyring): void {
    const current = this.entries.get(streamId);
    if (current && current.position >= entry.position) return;
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(streamId: string): void {
    this.entries.delete(streamId);
  }

  get size(): number {
    return this.entries.size;
  }
}
