import { toDisplayText } from '../domain/display-text.js';
import { EVENT_BOUNDS } from '../domain/key-event-schema.js';
import { keyOwner, type KeyLifecycleEvent } from '../domain/key-events.js';

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
  /** Live: active or suspended (refused, but it can come back, so it stays in the live keys). */
  status: 'active' | 'suspended' | 'revoked' | 'expired' | 'deleted';
  expiresAtMs: number;
  /**
   * A rotated key: the key replacing it, and when it stops working (KeyRotated); null otherwise. rotatedTo turns
   * null again when the replacement dies during the overlap (no client should be sent to it), the end stays.
   */
  rotatedTo: string | null;
  overlapEndsAtMs: number | null;
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
  /** A rotated key's successor and the end of its overlap (ISO); null or absent when not rotated. */
  rotatedTo?: string | null;
  overlapEndsAt?: string | null;
  /**
   * The position of the row's last event (the read model's last_position), if known. A dead row is seeded
   * only when it died after the seed's checkpoint (its events are then replayed to the table): it is
   * remembered at this position, so its replayed KeyMinted cannot bring it back. A live row is held at it
   * too, so a replayed KeySuspended or KeyResumed its row already reflects is not applied again.
   */
  position?: number;
}

/** What the key lookup read model says of a key id the table does not hold (KeyLookupReadModel.get fits). */
export type KeyLookupFn = (keyId: string) => Promise<Pick<HotKeySeed, 'status' | 'expiresAt' | 'overlapEndsAt'> | null>;

/**
 * A miss, answered: a dead key's status (a rotated key past its overlap is revoked), 'suspended', or 'unknown'
 * (no such key, or one the table is still to learn).
 */
export type MissAnswer = 'revoked' | 'expired' | 'deleted' | 'suspended' | 'unknown';

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
  overlapEndsAtMs: number | null;
}

const isLive = (status: HotKey['status']): status is 'active' | 'suspended' => status === 'active' || status === 'suspended';
/** An ISO instant of a seed or lookup row as milliseconds; null when absent. */
const msOf = (iso: string | null | undefined): number | null => (iso ? Date.parse(iso) : null);

/**
 * The guard's lookup table, in memory: seeded from the key lookup projection at start, then kept current
 * by following the log. A Map lookup costs ~0.2 µs; no request for a live key ever waits for a store.
 *
 * It holds the **live** keys (active or suspended: a suspended key is refused but can come back; the seed
 * leaves out those past their expiry), which is what admits a key, and remembers the keys it saw die (revoked, expired, deleted) in a bounded cache, so a replayed
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
  /** Live keys in their overlap, by the id of the key replacing them: a replacement's death clears rotatedTo. */
  private readonly replacing = new Map<string, HotKey>();
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
        rotatedTo: e.rotatedTo ?? null,
        overlapEndsAtMs: msOf(e.overlapEndsAt),
        position: Math.max(position, e.position ?? 0),
      };
      if (isLive(e.status)) this.keys.set(e.keyId, key);
      else this.remember(key);
    }
    // A replacement that is not live died during its predecessor's overlap (both came of one append).
    for (const key of this.keys.values()) {
      if (key.rotatedTo === null) continue;
      if (this.keys.has(key.rotatedTo)) this.replacing.set(key.rotatedTo, key);
      else key.rotatedTo = null;
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
          // Whose key it is: a rotation by a manager mints the new key for the old key's owner.
          const owner = keyOwner(event.data);
          this.keys.set(d.keyId, {
            keyId: d.keyId,
            companyId: d.companyId,
            userId: owner.userId,
            userName: shownName(owner.name, owner.userId),
            creatorRole: event.data.creatorRole,
            permissions: new Set(event.data.permissions),
            verifier: event.data.verifier,
            status: 'active',
            expiresAtMs: Date.parse(event.data.expiresAt),
            rotatedTo: null,
            overlapEndsAtMs: null,
            position,
          });
        }
        break;
      // A live key changes in place (the guard reads its fields on each request); a dead one stays as it died.
      case 'KeyRotated':
        if (live) {
          live.rotatedTo = event.data.rotatedTo;
          live.overlapEndsAtMs = Date.parse(event.data.overlapEndsAt);
          live.position = position;
          this.replacing.set(live.rotatedTo, live);
        }
        break;
      case 'KeySuspended':
        if (live?.status === 'active') Object.assign(live, { status: 'suspended', position });
        break;
      case 'KeyResumed':
        if (live?.status === 'suspended') Object.assign(live, { status: 'active', position });
        break;
      case 'KeyRevoked':
        if (key) this.die(key, 'revoked', position, live !== undefined);
        break;
      case 'KeyExpired':
        if (live) this.die(live, 'expired', position, true);
        break;
      case 'KeyDeleted':
        if (key) {
          key.verifier = '';
          this.die(key, 'deleted', position, live !== undefined);
        }
        break;
      case 'KeyAcknowledged':
      case 'KeyExpiring':
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
        overlapEndsAtMs: msOf(entry?.overlapEndsAt),
      };
      // A dead status is final; anything else may predate an event applied meanwhile: not kept then.
      const final = found.status !== null && !isLive(found.status);
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
    // A replacement dying during the overlap: its predecessor still stops at the overlap's end, but no longer
    // names it (Keygate-Key-Replaced-By would send a client to a dead token).
    const predecessor = this.replacing.get(key.keyId);
    if (predecessor !== undefined) {
      predecessor.rotatedTo = null;
      this.replacing.delete(key.keyId);
    }
    if (key.rotatedTo !== null && this.replacing.get(key.rotatedTo) === key) this.replacing.delete(key.rotatedTo);
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

/**
 * A dead row's status. A live one is judged at `nowMs` as effectiveStatus does (the sweeper's event may not be in
 * yet): past the end of its rotation's overlap (before its expiry) revoked, past its expiry expired; else a
 * suspended row is 'suspended' and an active one 'unknown' (never admitted from a miss).
 */
const answerOf = (found: Looked, nowMs: number): MissAnswer => {
  const status = found.status;
  if (status === null) return 'unknown';
  if (!isLive(status)) return status;
  const ends = found.overlapEndsAtMs;
  if (ends !== null && ends < found.expiresAtMs && nowMs >= ends) return 'revoked';
  if (nowMs >= found.expiresAtMs) return 'expired';
  return status === 'suspended' ? 'suspended' : 'unknown';
};
