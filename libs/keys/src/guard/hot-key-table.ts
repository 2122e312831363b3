import { toDisplayText } from '../domain/display-text.js';
import { EVENT_BOUNDS } from '../domain/key-event-schema.js';
import type { KeyLifecycleEvent } from '../domain/key-events.js';

/**
 * The creator's name as events may carry it: snapshotted at mint, perhaps by a version that did not bound it.
 * Repaired once, where a HotKey is built, so nothing per request has to (it lands in every KeyUsed).
 */
const shownName = (name: string, userId: string): string => toDisplayText(name, EVENT_BOUNDS.actorName) ?? userId;

/** What the guard needs of one key, shaped for the hot path: numbers and sets, no parsing per request. */
export interface HotKey {
  keyId: string;
  companyId: string;
  userId: string;
  userName: string;
  creatorRole: 'root' | 'user';
  permissions: ReadonlySet<string>;
  verifier: string;
  status: 'active' | 'revoked' | 'expired' | 'deleted';
  expiresAtMs: number;
  /** Global position of the last event applied: replays and out-of-order deliveries are ignored. */
  position: number;
}

export interface HotKeySeed {
  keyId: string;
  companyId: string;
  userId: string;
  userName: string;
  creatorRole: 'root' | 'user';
  permissions: readonly string[];
  verifier: string;
  status: HotKey['status'];
  expiresAt: string;
  /**
   * The position of the row's last event (the read model's last_position), if known. A dead row is seeded
   * only when it died after the seed's checkpoint (its events are then replayed to the table): it is
   * remembered at this position, so its replayed KeyMinted cannot bring it back.
   */
  position?: number;
}

/** What the key lookup read model says of a key id the table does not hold (KeyLookupReadModel.get fits). */
export type KeyLookupFn = (keyId: string) => Promise<Pick<HotKeySeed, 'status' | 'expiresAt'> | null>;

/** A miss, answered: a dead key's status, or 'unknown' (no such key, or one the table is still to learn). */
export type MissAnswer = 'revoked' | 'expired' | 'deleted' | 'unknown';

export interface HotKeyTableOptions {
  /** Asked on a miss (the key lookup read model's keyed get); without it, every miss is 'unknown'. */
  lookup?: KeyLookupFn;
  /** Dead keys remembered from the lifecycle events this table applied (default 10,000; oldest out first). */
  deadKept?: number;
  /** How long an answer of the lookup is kept (default 10 s), and how many (default 10,000). */
  lookupCacheMs?: number;
  lookupCacheSize?: number;
  /** Lookups under way at once (default 64); a miss beyond that is 'unknown' at once, never queued. */
  maxConcurrentLookups?: number;
  /** Monotonic milliseconds, for the lookup cache (tests). */
  monotonicNow?: () => number;
}

interface Looked {
  until: number;
  status: HotKey['status'] | null;
  expiresAtMs: number;
}

/**
 * The guard's lookup table, in memory: seeded from the key lookup projection at start, then kept current
 * by following the log. A Map lookup costs ~0.2 µs; no request for a live key ever waits for a store.
 *
 * It holds the **live** keys (active; the seed leaves out those past their expiry), which is what admits a
 * key, and remembers the keys it saw die (revoked, expired, deleted) in a bounded cache, so a replayed
 * KeyMinted never brings one back and the replica that applied a revoke refuses the next request at once.
 * The dead keys of the past are not loaded at start (issue 11: 59% of the keys, most of the start-up): a
 * miss asks the lookup read model, by key id, and keeps the answer briefly (`miss`).
 *
 * Nothing but a KeyMinted (or the seed) ever makes a key live, and never a replayed one: a mint at or
 * below the position already applied, or for a key id remembered dead, is ignored.
 */
export class HotKeyTable {
  private readonly keys = new Map<string, HotKey>();
  /** Keys seen dying, oldest first (bounded; see remember()). */
  private readonly dead = new Map<string, HotKey>();
  private readonly looked = new Map<string, Looked>();
  private readonly lookingUp = new Map<string, Promise<Looked | null>>();
  private appliedUpTo = 0;
  private waiters: { position: number; resolve: () => void }[] = [];
  private readonly deadKept: number;
  private readonly lookupCacheMs: number;
  private readonly lookupCacheSize: number;
  private readonly maxLookups: number;
  private readonly monotonicNow: () => number;

  constructor(private readonly options: HotKeyTableOptions = {}) {
    this.deadKept = Math.max(1, options.deadKept ?? 10_000);
    this.lookupCacheMs = options.lookupCacheMs ?? 10_000;
    this.lookupCacheSize = Math.max(1, options.lookupCacheSize ?? 10_000);
    this.maxLookups = Math.max(1, options.maxConcurrentLookups ?? 64);
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
  }

  /** A live key, or one this table saw die (still remembered); undefined otherwise (ask `miss`). */
  get(keyId: string): HotKey | undefined {
    return this.keys.get(keyId) ?? this.dead.get(keyId);
  }

  /** Live keys held. */
  get size(): number {
    return this.keys.size;
  }

  /** Dead keys remembered. */
  get deadSize(): number {
    return this.dead.size;
  }

  get position(): number {
    return this.appliedUpTo;
  }

  /**
   * Live rows (and rows that died after `position`) of the key lookup read model, read after `position`
   * was: events after it are applied again, which the table ignores (per-key positions).
   */
  seed(entries: readonly HotKeySeed[], position: number): void {
    for (const e of entries) {
      const key: HotKey = {
        keyId: e.keyId,
        companyId: e.companyId,
        userId: e.userId,
        userName: shownName(e.userName, e.userId),
        creatorRole: e.creatorRole,
        permissions: new Set(e.permissions),
        verifier: e.status === 'deleted' ? '' : e.verifier,
        status: e.status,
        expiresAtMs: Date.parse(e.expiresAt),
        position,
      };
      if (e.status === 'active') this.keys.set(e.keyId, key);
      else this.remember(Object.assign(key, { position: Math.max(position, e.position ?? 0) }));
    }
    this.advance(position);
  }

  apply(event: KeyLifecycleEvent, position: number): void {
    const d = event.data;
    // Whatever the lookup said of this key id is stale now.
    this.looked.delete(d.keyId);
    const live = this.keys.get(d.keyId);
    const key = live ?? this.dead.get(d.keyId);
    if (key && key.position >= position) return this.advance(position);
    switch (event.type) {
      case 'KeyMinted':
        // Never a replay (at or below what was applied: its key may have died since, and been forgotten).
        if (!key && position > this.appliedUpTo) {
          this.keys.set(d.keyId, {
            keyId: d.keyId,
            companyId: d.companyId,
            userId: d.actorUserId,
            userName: shownName(d.actorName, d.actorUserId),
            creatorRole: event.data.creatorRole,
            permissions: new Set(event.data.permissions),
            verifier: event.data.verifier,
            status: 'active',
            expiresAtMs: Date.parse(event.data.expiresAt),
            position,
          });
        }
        break;
      case 'KeyRevoked':
        if (key) this.die(key, 'revoked', position, live !== undefined);
        break;
      case 'KeyExpired':
        if (key && key.status === 'active') this.die(key, 'expired', position, live !== undefined);
        break;
      case 'KeyDeleted':
        if (key) {
          key.verifier = '';
          this.die(key, 'deleted', position, live !== undefined);
        }
        break;
      case 'KeyAcknowledged':
        break;
    }
    this.advance(position);
  }

  /**
   * What a key id the table does not hold is, from the lookup read model: one keyed read, shared by the
   * requests that ask at once, its answer kept `lookupCacheMs` (bounded). Only a dead key's status comes of
   * it: a row the table does not hold as live is never admitted from here ('unknown': the table is behind
   * or the id does not exist). A failed or refused lookup is 'unknown' too, and not kept.
   */
  miss(keyId: string, nowMs: number): MissAnswer | Promise<MissAnswer> {
    if (!this.options.lookup) return 'unknown';
    const cached = this.looked.get(keyId);
    if (cached !== undefined) {
      if (cached.until > this.monotonicNow()) return answerOf(cached, nowMs);
      this.looked.delete(keyId);
    }
    let pending = this.lookingUp.get(keyId);
    if (pending === undefined) {
      if (this.lookingUp.size >= this.maxLookups) return 'unknown';
      pending = this.lookUp(keyId);
      this.lookingUp.set(keyId, pending);
    }
    return pending.then((found) => (found ? answerOf(found, nowMs) : 'unknown'));
  }

  private async lookUp(keyId: string): Promise<Looked | null> {
    const asked = this.appliedUpTo;
    try {
      const entry = await this.options.lookup!(keyId);
      const found: Looked = {
        until: this.monotonicNow() + this.lookupCacheMs,
        status: entry?.status ?? null,
        expiresAtMs: entry ? Date.parse(entry.expiresAt) : Number.NaN,
      };
      // A dead status is final; anything else may predate an event applied meanwhile: not kept then.
      const final = found.status !== null && found.status !== 'active';
      if (final || this.appliedUpTo === asked) {
        if (this.looked.size >= this.lookupCacheSize) this.looked.delete(this.looked.keys().next().value!);
        this.looked.set(keyId, found);
      }
      return found;
    } catch {
      return null;
    } finally {
      this.lookingUp.delete(keyId);
    }
  }

  /** From live to dead (or a dead key's later status), remembered at `position`. */
  private die(key: HotKey, status: HotKey['status'], position: number, wasLive: boolean): void {
    if (wasLive) this.keys.delete(key.keyId);
    else this.dead.delete(key.keyId);
    key.status = status;
    key.position = position;
    this.remember(key);
  }

  /**
   * The newest dead keys, `deadKept` of them. One whose events are still ahead of the table (seeded at a
   * position it has not reached) is not dropped: its replayed KeyMinted would be above the applied position.
   */
  private remember(key: HotKey): void {
    this.dead.delete(key.keyId);
    this.dead.set(key.keyId, key);
    if (this.dead.size <= this.deadKept) return;
    let looked = 0;
    for (const [id, old] of this.dead) {
      if (++looked > 16) break;
      if (old.position <= this.appliedUpTo && id !== key.keyId) {
        this.dead.delete(id);
        return;
      }
    }
  }

  /** Resolves once every event up to `position` has been applied: how a revoke takes effect "at once". */
  waitFor(position: number, timeoutMs = 5000): Promise<void> {
    if (this.appliedUpTo >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hot key table did not reach ${position}`)), timeoutMs);
      this.waiters.push({ position, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** Moves the position forward: also called for events of no interest, so waiters on them are released. */
  advance(position: number): void {
    if (position <= this.appliedUpTo) return;
    this.appliedUpTo = position;
    if (this.waiters.length === 0) return;
    const still = [];
    for (const w of this.waiters) (w.position <= position ? w.resolve() : still.push(w));
    this.waiters = still;
  }
}

/** A dead row's status; an active one past its expiry is expired (the sweeper's KeyExpired may not be in yet). */
const answerOf = (found: Looked, nowMs: number): MissAnswer => {
  if (found.status === 'revoked' || found.status === 'expired' || found.status === 'deleted') return found.status;
  if (found.status === 'active' && nowMs >= found.expiresAtMs) return 'expired';
  return 'unknown';
};
