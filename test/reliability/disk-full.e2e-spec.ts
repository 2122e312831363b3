import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { bootKeygate, expectProblem, root, settle, signJwt, type Keygate } from '#test-support/keygate-harness';
import { describeUnless } from '#test-support/describe-unless';

// Issue 10, storage failures: the data directory on a small tmpfs, filled to the last byte. A mint answers 503
// problem+json naming storage (with Retry-After), /health says not ready, nothing of the failed mint is in the
// log; once space returns, /health is ready again (its write probe) and the same mint succeeds; every
// acknowledged write is still there after a restart.
// Mounting a tmpfs needs root (and CAP_SYS_ADMIN): elsewhere the suite is skipped, with the reason printed.

const TMPFS_SIZE = '4m';

const mountTmpfs = (): { dir: string } | { skip: string } => {
  const uid = process.getuid?.();
  if (uid !== 0) return { skip: `the disk-full test mounts a tmpfs, which needs root (id -u is ${uid ?? 'unknown'})` };
  const dir = mkdtempSync(join(tmpdir(), 'keygate-disk-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', dir], { stdio: 'pipe' });
    return { dir };
  } catch (error) {
    rmdirSync(dir);
    return { skip: `mount -t tmpfs failed: ${(error as { stderr?: Buffer }).stderr?.toString().trim() || String(error)}` };
  }
};

const mount = mountTmpfs();

/** Writes a file until the file system refuses (ENOSPC); returns its path and size. */
const fillDisk = (dir: string): { file: string; bytes: number } => {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096, 1);
  let bytes = 0;
  try {
    for (;;) bytes += writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return { file, bytes };
};

describeUnless('skip' in mount ? mount.skip : null, 'a full disk (issue 10)', () => {
  const dir = 'dir' in mount ? mount.dir : '';
  let kg: Keygate | undefined;

  afterAll(async () => {
    await kg?.close({ keepData: true });
    execFileSync('umount', [dir]);
    rmdirSync(dir);
  });

  it('answers 503 naming storage and not ready while the disk is full, records nothing, and recovers when space returns', async () => {
    const dataDir = join(dir, 'data');
    kg = await bootKeygate({ dataDir });
    const jwt = await signJwt(root('alice', 'acme'));
    const api = kg.api(jwt);

    // Written before the disk fills: one key, and an acknowledgement for the mint that will fail.
    const before = await kg.mintKey(jwt, 'before the disk filled');
    const acknowledgementId = await kg.acknowledge(jwt);
    // Its projection pass too: one that lost the race with the filler fails, and is retried with backoff (up to 5 s),
    // so /health would be ready only then, not the moment space returns (step 3).
    await settle(kg);

    const filler = fillDisk(dir);
    process.stdout.write(`[disk full] tmpfs ${TMPFS_SIZE}: filler ${filler.bytes} bytes, ${statfsSync(dir).bavail} blocks left\n`);

    // 1. The mint: 503 problem+json naming storage, with Retry-After; nothing recorded.
    const refused = await api.post('/api/keys', { acknowledgementId, label: 'while the disk is full' });
    expectProblem(refused, 503, /^The key store cannot write right now \(disk full\?\); nothing was recorded\. Try again later\.$/);
    expect(refused.body.type).toBe('urn:keygate:problem:storage-unavailable');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.text).not.toMatch(/SQLITE/);
    // Another write (an acknowledgement) alike.
    expectProblem(await api.post('/api/keys/acknowledgements'), 503, /key store cannot write/);

    // 2. /health: not ready, the store down, and why.
    const sick = await kg.api().get('/health');
    process.stdout.write(`[disk full] /health while full: ${sick.status} ${JSON.stringify({ store: sick.body.store, storeError: sick.body.storeError })}\n`);
    expect(sick.status).toBe(503);
    expect(sick.body).toMatchObject({ status: 'unavailable', ready: false, store: 'down', storeError: expect.stringMatching(/SQLITE_(FULL|IOERR)/) });
    expect(await kg.listKeys(jwt)).toEqual([before.key]);

    // 3. Space returns: /health is ready again on its own (the probe), and the same mint now succeeds.
    rmSync(filler.file);
    const healed = await kg.api().get('/health');
    expect({ status: healed.status, ready: healed.body.ready, store: healed.body.store, storeError: healed.body.storeError }).toEqual({
      status: 200,
      ready: true,
      store: 'up',
      storeError: null,
    });
    const minted = await api.post('/api/keys', { acknowledgementId, label: 'after space returned' });
    expect(minted.status).toBe(201);
    expect((await kg.api().get('/health')).status).toBe(200);

    // 4. No acknowledged write lost, nothing of the refused one written: after a restart, from the file itself.
    await kg.close({ keepData: true });
    kg = undefined;
    const db = new Database(join(dataDir, 'keygate.sqlite'), { readonly: true });
    const labels = db.prepare("SELECT json_extract(data, '$.label') FROM events WHERE type = 'KeyMinted' ORDER BY global_position").pluck().all();
    db.close();
    expect(labels).toEqual(['before the disk filled', 'after space returned']);
    kg = await bootKeygate({ dataDir });
    expect((await kg.listKeys(jwt)).map((k) => k.label)).toEqual(['after space returned', 'before the disk filled']);
  });
});
