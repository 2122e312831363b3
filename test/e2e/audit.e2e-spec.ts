import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { AUDIT_KEY_FILE, verifyExport, verifyingKeyFromPem, type AuditFinding, type AuditRecord } from '#audit';
import { bootKeygate, DAY, editor, expectProblem, plainUser, root, signJwt, type Keygate, type MintedKey } from '#test-support/keygate-harness';
import { callRequest, mcpRaw } from '#test-support/mcp-client';

const run = promisify(execFile);
const AUDIT_JS = join(process.cwd(), 'dist/apps/api/src/cli/audit.js');

/** The auditors' tools end to end: the HTTP export and time-travel view, and the compiled `audit` command. */
describe('auditors', () => {
  let kg: Keygate;
  let ruth: string; // root of acme
  let gus: string; // root of globex
  let acme: MintedKey[];
  let globex: MintedKey;
  let revokedAt: string;

  const use = async (token: string, n: number) => {
    for (let i = 0; i < n; i++) expect((await mcpRaw(kg.url, { token, body: callRequest('whoami') })).status).toBe(200);
  };
  const lines = (text: string): AuditRecord[] => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
  const publicKey = () => verifyingKeyFromPem(readFileSync(join(kg.dataDir, AUDIT_KEY_FILE), 'utf8'));
  async function* from<T>(items: T[]) {
    yield* items;
  }

  beforeAll(async () => {
    kg = await bootKeygate({ env: { KEYGATE_AUDIT_DIGEST_EVENTS: '4' } });
    ruth = await signJwt(root('ruth', 'acme'));
    gus = await signJwt(root('gus', 'globex'));
    acme = [await kg.mintKey(ruth, 'ruth one'), await kg.mintKey(ruth, 'ruth two')];
    globex = await kg.mintKey(gus, 'gus one');
    await use(acme[0].token, 3);
    await use(globex.token, 2);
    kg.clock.advance(DAY);
    revokedAt = kg.clock.now().toISOString();
    expect((await kg.api(ruth).post(`/api/keys/${acme[1].key.id}/revoke`)).status).toBe(200);
    kg.clock.advance(60_000);
    await use(acme[0].token, 1);
    await kg.keygate.usage.drain();
    // Everything covered by a digest, as a clean stop leaves it (the interval may not have passed on the test clock).
    await kg.keygate.digests!.pass(true);
  });
  afterAll(() => kg.close());

  describe('GET /api/audit/events', () => {
    it("streams the root user's company only, never a verifier or a token, with digests that verify it on its own", async () => {
      const res = await kg.api(ruth).get('/api/audit/events');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const records = lines(res.text);
      const events = records.filter((r) => r.type !== 'AuditDigest');
      expect(new Set(events.map((r) => (r.data as { companyId: string }).companyId))).toEqual(new Set(['acme']));
      expect(events.map((r) => r.type).sort()).toEqual(
        ['KeyAcknowledged', 'KeyAcknowledged', 'KeyMinted', 'KeyMinted', 'KeyUsed', 'KeyUsed', 'KeyUsed', 'KeyUsed', 'KeyRevoked'].sort(),
      );
      expect(records.filter((r) => r.type === 'AuditDigest').length).toBeGreaterThan(0);
      expect(res.text).not.toMatch(/\$argon2id\$/);
      for (const { token } of [...acme, globex]) expect(res.text).not.toContain(token.slice(-20));
      expect(res.text).not.toContain(globex.key.id);

      const findings: AuditFinding[] = [];
      const report = await verifyExport(from(records), publicKey(), (f) => findings.push(f));
      expect(findings).toEqual([]);
      expect(report).toMatchObject({ eventsVerified: events.length, eventsUncovered: 0 });
    });

    it('a doctored export no longer verifies', async () => {
      const records = lines((await kg.api(ruth).get('/api/audit/events')).text);
      const minted = records.find((r) => r.type === 'KeyMinted')!;
      (minted.data as { permissions: string[] }).permissions = ['admin'];
      const findings: AuditFinding[] = [];
      await verifyExport(from(records), publicKey(), (f) => findings.push(f));
      expect(findings.map((f) => [f.kind, f.position])).toEqual([['event-edited', minted.position]]);
    });

    it("filters by key and time; the other company's root sees only theirs", async () => {
      const one = lines((await kg.api(ruth).get(`/api/audit/events?keyId=${acme[1].key.id}`)).text).filter((r) => r.type !== 'AuditDigest');
      expect(one.map((r) => r.type)).toEqual(['KeyAcknowledged', 'KeyMinted', 'KeyRevoked']);
      const later = lines((await kg.api(ruth).get(`/api/audit/events?from=${encodeURIComponent(revokedAt)}`)).text).filter((r) => r.type !== 'AuditDigest');
      expect(later.map((r) => r.type)).toEqual(['KeyRevoked', 'KeyUsed']);
      const theirs = lines((await kg.api(gus).get('/api/audit/events')).text).filter((r) => r.type !== 'AuditDigest');
      expect(new Set(theirs.map((r) => (r.data as { companyId: string }).companyId))).toEqual(new Set(['globex']));
      expect(theirs).toHaveLength(4);
    });

    it('refuses users who are not root, unknown parameters and times without a zone, as problem+json', async () => {
      expectProblem(await kg.api(await signJwt(editor('eve', 'acme'))).get('/api/audit/events'), 403);
      expectProblem(await kg.api(await signJwt(plainUser('pam', 'acme'))).get('/api/audit/keys?at=now'), 403);
      expectProblem(await kg.api(ruth).get('/api/audit/events?companyId=globex'), 400);
      expectProblem(await kg.api(ruth).get('/api/audit/events?from=2026-05-10T12:00'), 400, /zone/);
      expectProblem(await kg.api(ruth).get('/api/audit/keys'), 400);
      expectProblem(await kg.api().get('/api/audit/events'), 401);
    });
  });

  describe('GET /api/audit/keys?at=', () => {
    it('before and after a revoke differs in exactly that key', async () => {
      const at = (t: number) => kg.api(ruth).get(`/api/audit/keys?at=${encodeURIComponent(new Date(t).toISOString())}`);
      const before = (await at(Date.parse(revokedAt) - 1)).body;
      const after = (await at(Date.parse(revokedAt))).body;
      expect(before.keys.map((k: { keyId: string }) => k.keyId)).toEqual(acme.map((m) => m.key.id));
      const changed = after.keys.filter((k: unknown, i: number) => JSON.stringify(k) !== JSON.stringify(before.keys[i]));
      expect(changed).toEqual([expect.objectContaining({ keyId: acme[1].key.id, status: 'revoked', revokedBy: expect.objectContaining({ userId: 'ruth' }) })]);
      expect(before.keys[1]).toMatchObject({ status: 'active', revokedBy: null });
      expect(JSON.stringify(after)).not.toMatch(/argon2/);
    });
  });

  describe('npm run audit (the compiled command, on the same data directory)', () => {
    const audit = async (...args: string[]) => {
      try {
        const { stdout, stderr } = await run(process.execPath, [AUDIT_JS, ...args], {
          env: { PATH: process.env.PATH ?? '', KEYGATE_DATA_DIR: kg.dataDir, LOG_LEVEL: 'silent' },
          maxBuffer: 1 << 26,
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as { code: number; stdout: string; stderr: string };
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    };

    it('has --help on every command, and exits 2 on a usage error', async () => {
      for (const command of ['export', 'verify', 'replay', 'at', 'timeline', 'public-key']) {
        const r = await audit(command, '--help');
        expect([command, r.code, r.stdout]).toEqual([command, 0, expect.stringMatching(/^usage: npm run audit -- /)]);
      }
      expect((await audit('--help')).code).toBe(0);
      expect((await audit('nonsense')).code).toBe(2);
      expect((await audit('verify', '--bogus')).code).toBe(2);
      expect((await audit('export', '--from', 'yesterday')).code).toBe(2);
    });

    it('export → verify --input with the public key, verify and replay: clean', async () => {
      const exported = await audit('export', '--company', 'acme');
      expect(exported.code).toBe(0);
      const file = join(kg.dataDir, 'acme.ndjson');
      writeFileSync(file, exported.stdout);
      const pem = await audit('public-key');
      writeFileSync(join(kg.dataDir, 'public.pem'), pem.stdout);
      const checked = await audit('verify', '--input', file, '--public-key', join(kg.dataDir, 'public.pem'));
      expect([checked.code, checked.stdout]).toEqual([0, expect.stringMatching(/^clean: 9 event\(s\) verified/)]);
      const verified = await audit('verify');
      expect([verified.code, verified.stdout]).toEqual([0, expect.stringMatching(/^clean: \d+ event\(s\) checked/)]);
      expect((await audit('replay')).code).toBe(0);
      const timeline = await audit('timeline', '--key', acme[1].key.id);
      expect([timeline.code, timeline.stdout]).toEqual([0, expect.stringMatching(/revoked/)]);
      expect((await audit('at', revokedAt, '--company', 'acme')).code).toBe(0);
    });

    it('verify names an event edited behind its back, and exits 1', async () => {
      const db = new Database(join(kg.dataDir, 'keygate.sqlite'));
      const position = db.prepare("SELECT global_position FROM events WHERE type = 'KeyRevoked'").pluck().get() as number;
      const original = db.prepare('SELECT data FROM events WHERE global_position = ?').pluck().get(position) as string;
      db.prepare("UPDATE events SET data = json_set(data, '$.actorUserId', 'mallory') WHERE global_position = ?").run(position);
      try {
        const r = await audit('verify');
        expect(r.code).toBe(1);
        expect(r.stdout).toContain(`FINDING event-edited digest=`);
        expect(r.stdout).toContain(`position=${position}`);
        expect(r.stdout).toMatch(/^1 finding\(s\)/m);
      } finally {
        db.prepare('UPDATE events SET data = ? WHERE global_position = ?').run(original, position);
        db.close();
      }
      expect((await audit('verify')).code).toBe(0);
    });
  });
});
