import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { openSqlite, sqliteFileIn, SqliteEventStore, type SqliteDb } from '#event-store';
import { MalformedEventError } from '#keys';
import { bootKeygate, JWT_SECRET, newDataDir, plainUser, root, settle, signJwt, type Keygate } from '#test-support/keygate-harness';

const run = promisify(execFile);

// A KeyUsed whose client name is an object: what an unchecked writer of an earlier version let in (issue 8).
const poisonUse = (keyId: string) => ({
  eventId: '00000000-0000-4000-8000-000000000bad',
  type: 'KeyUsed',
  data: {
    actorUserId: 'alice', actorName: 'Alice', companyId: 'acme', keyId, correlationId: 'r1', at: '2026-05-10T12:00:00.000Z',
    tool: 'whoami', outcome: 'ok', client: { name: { toString: 1 }, version: null }, remoteAddress: null, requestId: 'r1',
  },
});

describe('an event a projection cannot apply is parked, and everything else goes on', () => {
  const dataDir = newDataDir();
  let kg: Keygate;
  let raw: SqliteDb;

  beforeAll(async () => {
    kg = await bootKeygate({ dataDir, pollIntervalMs: 10 });
    // A second connection to the same file, as another process (or an older version) would write: no schema check.
    raw = openSqlite(sqliteFileIn(dataDir));
  });
  afterAll(async () => {
    raw?.close();
    await kg?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) =>
    run('node', ['dist/apps/api/src/cli/parked-events.js', ...args], {
      env: { ...process.env, KEYGATE_DATA_DIR: dataDir, KEYGATE_JWT_SECRET: JWT_SECRET, LOG_LEVEL: 'silent' },
    });

  it('the application store refuses it on append', async () => {
    const bad = poisonUse('AbCdEf123456');
    await expect(kg.keygate.runtime.store.appendToStream('usage-acme', [bad], 'any')).rejects.toThrow(MalformedEventError);
    await expect(kg.keygate.runtime.store.appendToStream('usage-acme', [bad], 'any')).rejects.toThrow(/client\.name/);
  });

  it('written around the check, it is parked by the projections it reaches; later events go on; /health is degraded and names it', async () => {
    const alice = await signJwt(plainUser('alice', 'acme'));
    const ruth = await signJwt(root('ruth', 'acme'));
    const before = await kg.mintKey(alice, 'before');

    // 1. The bad event, then a bad lifecycle event of another company (every lifecycle follower must park it).
    const { lastGlobalPosition: usePosition } = await new SqliteEventStore(raw).appendToStream('usage-acme', [poisonUse(before.key.id)], 'any');
    const { lastGlobalPosition: revokePosition } = await new SqliteEventStore(raw).appendToStream(
      'keyring-globex',
      [{ eventId: '00000000-0000-4000-8000-00000000bad2', type: 'KeyRevoked', data: { keyId: 42, companyId: 'globex' } }],
      'any',
    );

    // 2. Later events are applied: a mint answers at once with its KeyMinted in the feed, a revoke of the first key too.
    const after = await kg.mintKey(alice, 'after');
    expect((await kg.api(ruth).post(`/api/keys/${before.key.id}/revoke`)).status).toBe(200);
    await settle(kg);
    expect((await kg.activity(alice, { keyId: after.key.id })).map((e) => e.type)).toEqual(['KeyMinted', 'KeyAcknowledged']);
    expect((await kg.listKeys(alice)).map((k) => [k.label, k.status])).toEqual([['after', 'active'], ['before', 'revoked']]);

    // 3. /health: ready (200), degraded, and names each parked event with its position, id and reason.
    const health = await kg.api().get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'degraded', ready: true });
    const parked = health.body.parked as Array<Record<string, unknown>>;
    // Both read models that consume uses (the feed, and the list's Last Used) park it; the lookup never sees uses.
    expect(parked.filter((p) => p.position === usePosition).map((p) => p.projection).sort()).toEqual(['activity_v2', 'keys_list_v2']);
    expect(parked.find((p) => p.position === usePosition)).toMatchObject({
      eventId: '00000000-0000-4000-8000-000000000bad', type: 'KeyUsed', status: 'parked', error: expect.stringMatching(/client\.name/),
    });
    expect(parked.filter((p) => p.position === revokePosition).map((p) => p.projection).sort()).toEqual(
      ['activity_v2', 'hot_key_table', 'key_lookup_v2', 'keys_list_v2'],
    );
    const byName = Object.fromEntries((health.body.projections as Array<{ name: string; parked: number; lag: number }>).map((p) => [p.name, p]));
    expect(byName.activity_v2).toMatchObject({ parked: 2, lag: 0 });
    expect(byName.keys_list_v2).toMatchObject({ parked: 2, lag: 0 });
    expect(byName.key_lookup_v2).toMatchObject({ parked: 1, lag: 0 });
    expect(byName.hot_key_table).toMatchObject({ parked: 1, lag: 0 });

    // 4. /metrics counts them.
    const metrics = await kg.api().get('/metrics');
    expect(metrics.text).toMatch(/keygate_projection_parked_events\{[^}]*follower="activity_v2"[^}]*\} 2/);
    expect(metrics.text).toMatch(/keygate_projection_events_parked_total\{[^}]*follower="activity_v2"[^}]*\} 2/);
  });

  it('the command refuses arguments it does not take (exit 2, named), rather than ignoring a typo', async () => {
    const refused = async (...args: string[]) => {
      const error = (await cli(...args).then(() => null, (e: { code: number; stderr: string }) => e)) as { code: number; stderr: string } | null;
      return error && { code: error.code, stderr: error.stderr.split('\n')[0] };
    };
    expect(await refused('list', '--jsn')).toEqual({ code: 2, stderr: expect.stringMatching(/Unknown option '--jsn'/) });
    expect(await refused('list', 'activity_v2')).toEqual({ code: 2, stderr: 'list takes no name; unexpected: activity_v2' });
    expect(await refused('retry', 'activity_v2', '--all')).toEqual({ code: 2, stderr: expect.stringMatching(/Unknown option '--all'/) });
    expect(await refused('retry', 'activity_v2', 'keys_list_v2')).toEqual({ code: 2, stderr: 'retry takes one name; unexpected: keys_list_v2' });
    expect(await refused('skip', 'activity_v2', '-3')).toEqual({ code: 2, stderr: expect.stringMatching(/Unknown option '-3'/) });
    expect(await refused('skip', 'activity_v2', '0', '1.5')).toEqual({ code: 2, stderr: 'positions must be positive integers: 0 1.5' });
  });

  it('an operator lists, retries and skips parked events; a restart and a rebuild never crash on them', async () => {
    // list: every parked event, one JSON line each.
    const listed = (await cli('list', '--json')).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(listed.map((p) => p.projection).sort()).toEqual(['activity_v2', 'activity_v2', 'key_lookup_v2', 'keys_list_v2', 'keys_list_v2']);

    // retry: the projection is rebuilt; what still fails is parked again (the code was not fixed).
    expect((await cli('retry', 'activity_v2')).stdout).toMatch(/activity_v2: rebuilt; 2 event\(s\) still parked/);

    // skip: the loss is accepted, on record; /health is no longer degraded by them.
    for (const name of ['activity_v2', 'keys_list_v2', 'key_lookup_v2']) await cli('skip', name);
    expect((await cli('list')).stdout).toMatch(/no parked events/);
    expect((await cli('list', '--all')).stdout.trim().split('\n')).toHaveLength(5);
    // Without a restart: the hot table's own skip of the same event is cleared by the lookup's skip.
    const skipped = await kg.api().get('/health');
    expect({ status: skipped.status, body: skipped.body.status, parked: skipped.body.parked }).toEqual({ status: 200, body: 'ok', parked: [] });

    // A restart on the same file succeeds (it crashed at boot before). The hot table starts from the lookup's
    // checkpoint, past the bad event (the lookup's own park, now skipped, is its record): healthy again.
    // The file also holds a park of a retired version (activity_v1, before activity_v2): its successor was built
    // from the whole log, so it degrades nothing.
    await kg.close({ keepData: true });
    const file = openSqlite(sqliteFileIn(dataDir));
    file
      .prepare(`INSERT INTO projection_parked (projection, position, event_id, type, error, parked_at) VALUES ('activity_v1', 1, 'e', 'KeyUsed', 'old', '2026-01-01T00:00:00.000Z')`)
      .run();
    file.close();
    kg = await bootKeygate({ dataDir, pollIntervalMs: 10 });
    const health = await kg.api().get('/health');
    expect({ status: health.status, body: health.body.status, parked: health.body.parked }).toEqual({ status: 200, body: 'ok', parked: [] });

    // A rebuild completes and says what it parked.
    const rebuilt = await run('node', ['dist/apps/api/src/cli/rebuild-projections.js'], {
      env: { ...process.env, KEYGATE_DATA_DIR: dataDir, KEYGATE_JWT_SECRET: JWT_SECRET, LOG_LEVEL: 'silent' },
    });
    expect(rebuilt.stdout).toMatch(/keys_list_v2: rebuilt up to position \d+/);
    expect(rebuilt.stdout).toMatch(/activity_v2: rebuilt up to position \d+/);
    expect(rebuilt.stdout).toMatch(/one pass \(emptying \d+ ms, reading the log \d+ ms, folding \d+ ms, indexes \d+ ms, commit \d+ ms/);
  });
});
