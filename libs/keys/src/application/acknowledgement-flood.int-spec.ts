/*
 * Issue 8's acceptance test: "10,000 acknowledgements attempted by one user in one company: at most the bound is
 * stored, and a mint of another user of that company takes no longer than with none (ratio printed)". Over a real
 * SQLite file, through KeyringRepository, each mint as the mint handler does it (load, dry-run decide, execute).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqlite, SqliteEventStore, type SqliteDb } from '#event-store';
import type { Actor } from '../domain/actor.js';
import { decide } from '../domain/decide.js';
import type { MintKey } from '../domain/key-commands.js';
import { KeyDomainError } from '../domain/key-errors.js';
import { keyringStreamId, type KeyAcknowledged } from '../domain/key-events.js';
import { DEFAULT_KEY_POLICY } from '../domain/key-policy.js';
import { KeyringRepository } from './keyring-repository.js';

// The mint handler hashes with argon2id (10–35 ms) outside the keyring; a fixed verifier keeps this about the keyring.
const VERIFIER = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g';
const ATTEMPTS = 10_000;
const MINTS = 30;

const actor = (userId: string, companyId: string): Actor => ({ userId, name: userId.toUpperCase(), companyId, role: 'user', permissions: [] });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('acceptance (issue 8): one user attempting 10,000 acknowledgements', () => {
  let dir: string;
  let db: SqliteDb;
  let store: SqliteEventStore;
  let repo: KeyringRepository;
  let t: number;
  let n = 0;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keygate-flood-'));
    db = openSqlite(join(dir, 'keygate.sqlite'));
    store = new SqliteEventStore(db);
    repo = new KeyringRepository(store, DEFAULT_KEY_POLICY);
    t = Date.parse('2026-05-10T12:00:00.000Z');
  });
  afterAll(async () => {
    await store.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const now = () => new Date(t);
  const acknowledge = (who: Actor) => {
    const keyId = `K${String(++n).padStart(11, '0')}`;
    return repo.execute(who.companyId, {
      type: 'AcknowledgeNotice', actor: who, acknowledgementId: `ack-${keyId}`, keyId, noticeVersion: 'v1', now: now(), correlationId: `c-${n}`,
    });
  };

  /** What MintKeyHandler does with the keyring, timed; the acknowledgement before and the revoke after are not. */
  const timedMint = async (who: Actor): Promise<number> => {
    const { events } = await acknowledge(who);
    const { acknowledgementId } = (events[0] as KeyAcknowledged).data;
    t += 1000;
    const start = performance.now();
    const { state } = await repo.load(who.companyId);
    const keyId = state.acknowledgements.get(acknowledgementId)?.keyId ?? '';
    const command = (verifier: string): MintKey => ({
      type: 'MintKey', actor: who, acknowledgementId, label: 'bench', keyId, prefix: `kg_${keyId}`, verifier, now: now(), correlationId: `m-${keyId}`,
    });
    decide(command('dry-run'), state, DEFAULT_KEY_POLICY);
    await repo.execute(who.companyId, command(VERIFIER));
    const elapsed = performance.now() - start;
    // Revoked at once, so 30 mints stay under 5 active keys per creator.
    await repo.execute(who.companyId, { type: 'RevokeKey', actor: who, keyId, now: now(), correlationId: `r-${keyId}` });
    return elapsed;
  };

  it('stores at most 3, and a colleague mints as fast as in a company without them', async () => {
    const mallory = actor('mallory', 'flooded');
    const outcomes = { stored: 0, tooMany: 0, retryAfter: new Set<number>() };
    const floodStart = performance.now();
    for (let i = 0; i < ATTEMPTS; i++) {
      t += 50; // 10,000 attempts in 500 s: all within one acknowledgement's 15 minutes
      try {
        await acknowledge(mallory);
        outcomes.stored += 1;
      } catch (error) {
        if (!(error instanceof KeyDomainError) || error.kind !== 'too_many') throw error;
        outcomes.tooMany += 1;
        outcomes.retryAfter.add(error.retryAfterSeconds!);
      }
    }
    const floodMs = performance.now() - floodStart;

    const { events } = await store.readStream(keyringStreamId('flooded'));
    expect(outcomes).toMatchObject({ stored: 3, tooMany: ATTEMPTS - 3 });
    expect(events.filter((e) => e.type === 'KeyAcknowledged')).toHaveLength(3);
    expect((await repo.load('flooded')).state.acknowledgements.size).toBeLessThanOrEqual(DEFAULT_KEY_POLICY.maxOpenAcknowledgementsPerUser);
    expect(Math.min(...outcomes.retryAfter)).toBeGreaterThanOrEqual(1);

    // Interleaved, so a busy moment of the machine slows both sides alike.
    const [quiet, flooded] = [actor('bob', 'quiet'), actor('bob', 'flooded')];
    await timedMint(quiet); // warm-up: statements, JIT
    await timedMint(flooded);
    const times = { quiet: [] as number[], flooded: [] as number[] };
    for (let i = 0; i < MINTS; i++) {
      times.quiet.push(await timedMint(quiet));
      times.flooded.push(await timedMint(flooded));
    }
    const [q, f] = [median(times.quiet), median(times.flooded)];
    const ratio = f / q;
    console.log(
      `issue 8 acceptance: ${ATTEMPTS} acknowledgements attempted in ${floodMs.toFixed(0)} ms ` +
        `(${(floodMs / ATTEMPTS).toFixed(3)} ms each), ${outcomes.stored} stored, ${outcomes.tooMany} refused (429); ` +
        `mint of another user, median of ${MINTS}: ${q.toFixed(2)} ms without acknowledgement history, ` +
        `${f.toFixed(2)} ms after the flood: ratio ${ratio.toFixed(2)}`,
    );
    expect(ratio).toBeLessThan(2);
  });
});
