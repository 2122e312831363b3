import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite, SqliteEventStore, type NewEvent, type SqliteDb } from '#event-store';
import { signingKeyFromPem, type AuditSigningKey } from '#audit';

/**
 * For the audit tests: a real SQLite log in a temp directory, holding schema-valid key events of two companies
 * (lifecycle in keyring-<company>, uses in usage-<company>), and a fresh Ed25519 key.
 */
export interface TestLog {
  dir: string;
  db: SqliteDb;
  store: SqliteEventStore;
  key: AuditSigningKey;
  clock: { now: () => Date; advance(ms: number): void };
  /** Appends n events for the company: a key acknowledged and minted, then uses of it. */
  append(companyId: string, n: number): Promise<void>;
  close(): void;
}

export const newAuditKey = (): AuditSigningKey =>
  signingKeyFromPem(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());

export const openTestLog = (): TestLog => {
  const dir = mkdtempSync(join(tmpdir(), 'keygate-audit-'));
  const db = openSqlite(join(dir, 'keygate.sqlite'));
  let now = Date.parse('2026-11-01T10:00:00.000Z');
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const store = new SqliteEventStore(db, { now: clock.now });
  const revisions = new Map<string, number>();
  let counter = 0;

  const appendOne = async (stream: string, type: string, data: Record<string, unknown>) => {
    const revision = revisions.get(stream);
    const event: NewEvent = { eventId: `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`, type, data };
    const r = await store.appendToStream(stream, [event], revision ?? 'no_stream');
    revisions.set(stream, r.nextExpectedStreamPosition);
    clock.advance(1000);
  };

  return {
    dir,
    db,
    store,
    key: newAuditKey(),
    clock,
    async append(companyId, n) {
      const keyId = `k${counter}x${companyId}`.replace(/[^0-9A-Za-z_-]/g, '').slice(0, 60);
      const ctx = () => ({ actorUserId: 'ada', actorName: 'Ada', companyId, keyId, correlationId: `c${counter}`, at: clock.now().toISOString() });
      for (let i = 0; i < n; i++) {
        if (i === 0) {
          await appendOne(`keyring-${companyId}`, 'KeyAcknowledged', { ...ctx(), acknowledgementId: `a-${keyId}`, noticeVersion: 'v1' });
        } else if (i === 1) {
          await appendOne(`keyring-${companyId}`, 'KeyMinted', {
            ...ctx(), acknowledgementId: `a-${keyId}`, label: `key ${keyId}`, prefix: `kg_${keyId}`,
            verifier: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', permissions: ['read'], creatorRole: 'user',
            expiresAt: new Date(clock.now().getTime() + 90 * 86_400_000).toISOString(),
          });
        } else {
          await appendOne(`usage-${companyId}`, 'KeyUsed', {
            ...ctx(), tool: 'whoami', outcome: 'ok', client: { name: 'claude-code', version: '2.1.0' }, remoteAddress: '127.0.0.1', requestId: `r${counter}`,
          });
        }
      }
    },
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
