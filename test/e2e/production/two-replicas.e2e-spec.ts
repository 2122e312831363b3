import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { describeWithContainers, detectContainerRuntime } from '#test-support/container-runtime';
import { IMAGES } from '#test-support/images';
import {
  mcp,
  PROJECTOR_JS,
  settings,
  settingsJwt,
  startReplica,
  waitUntilCaughtUp,
  type Replica,
} from '../multi-replica/replica-processes.js';

// The production profile end to end: KurrentDB and MongoDB in containers, one projector and two API
// replicas as real processes, wired by environment variables as docker-compose.yml wires them.

jest.setTimeout(60_000);
const PROPAGATION_BOUND_MS = 2_000;
const runtime = await detectContainerRuntime();

describeWithContainers(runtime, 'production profile (KurrentDB + MongoDB in containers): two API replicas', () => {
  const containers: StartedTestContainer[] = [];
  const processes: Replica[] = [];
  let a: Replica;
  let b: Replica;
  let dataDir: string;

  beforeAll(async () => {
    // Imported only when the suite runs: testcontainers installs its own undici as the global fetch dispatcher.
    const { GenericContainer, Wait } = await import('testcontainers');
    const { MongoDBContainer } = await import('@testcontainers/mongodb');
    const [kurrent, mongo] = await Promise.all([
      new GenericContainer(IMAGES.kurrentdb)
        .withEnvironment({ KURRENTDB_CLUSTER_SIZE: '1', KURRENTDB_INSECURE: 'true', KURRENTDB_RUN_PROJECTIONS: 'None' })
        .withExposedPorts(2113)
        .withWaitStrategy(Wait.forHttp('/health/live', 2113))
        .withStartupTimeout(120_000)
        .start(),
      new MongoDBContainer(IMAGES.mongodb).start(),
    ]);
    containers.push(kurrent, mongo);
    const env = {
      KEYGATE_STORE: 'kurrent',
      KURRENTDB_URL: `kurrentdb://${kurrent.getHost()}:${kurrent.getMappedPort(2113)}?tls=false`,
      MONGODB_URL: `mongodb://${mongo.getHost()}:${mongo.getMappedPort(27017)}/?directConnection=true`,
      MONGODB_DATABASE: 'keygate_e2e',
      KEYGATE_API_REPLICAS: '2',
      KEYGATE_RATE_LIMIT_PER_MINUTE: '100000',
    };
    dataDir = mkdtempSync(join(tmpdir(), 'keygate-production-'));
    processes.push(await startReplica({ name: 'projector', dataDir, env, script: PROJECTOR_JS }));
    a = await startReplica({ name: 'A', dataDir, env });
    b = await startReplica({ name: 'B', dataDir, env });
    processes.push(a, b);
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled(processes.map((p) => p.stop()));
    await Promise.allSettled(containers.map((c) => c.stop()));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a revoke answered by B is enforced by B at once, by A within its subscription lag, and both lists show it', async () => {
    const jwt = await settingsJwt({ sub: 'ravi', company: 'south', role: 'root' });
    const { key, token } = await settings(a, jwt).mint('production');
    await waitUntilCaughtUp(b, a, PROPAGATION_BOUND_MS);
    for (const replica of [a, b]) expect((await mcp(replica, token)).status).toBe(200);

    const answer = await settings(b, jwt).revoke(key.id);
    const revokedAt = performance.now();
    expect(answer.status).toBe(200);
    expect((await mcp(b, token)).status).toBe(401);

    let lagMs = -1;
    while (performance.now() - revokedAt < PROPAGATION_BOUND_MS) {
      if ((await mcp(a, token, 'ping')).status === 401) {
        lagMs = performance.now() - revokedAt;
        break;
      }
    }
    expect(lagMs).toBeGreaterThanOrEqual(0);
    process.stderr.write(`[production] revoke on B reached A's guard after ${lagMs.toFixed(1)} ms\n`);

    for (const replica of [a, b]) {
      const keys = await settings(replica, jwt).list();
      expect(keys.find((k) => k.id === key.id)?.status).toBe('revoked');
    }
  });

  it('every process answers /metrics with its own process label', async () => {
    for (const [process, replica] of [['projector', processes[0]], ['api', a]] as const) {
      const res = await fetch(`${replica.url}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(`process="${process}"`);
    }
  });
});
