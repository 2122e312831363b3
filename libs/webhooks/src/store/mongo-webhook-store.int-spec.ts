import { jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { StartedTestContainer } from 'testcontainers';
import { loadConfig } from '#config';
import { createProductionRuntime } from '#runtime/production';
import { describeWithContainers, detectContainerRuntime } from '#test-support/container-runtime';
import { IMAGES } from '#test-support/images';
import { MongoWebhookStore } from './mongo-webhook-store.js';
import { webhookStoreContract } from './webhook-store.contract.js';

// The production profile's adapter on a real MongoDB, reached as the projector reaches it: through the production
// runtime's own client (which also type-checks the adapter's MongoDbLike against the driver's Db). The runtime needs
// KurrentDB too, so both run in containers; without a container runtime the suite is reported skipped, with why.

jest.setTimeout(60_000);
const containers = await detectContainerRuntime();

describeWithContainers(containers, 'MongoWebhookStore (MongoDB in a container)', () => {
  const started: StartedTestContainer[] = [];
  let runtime: Awaited<ReturnType<typeof createProductionRuntime>>;
  let dataDir: string;

  beforeAll(async () => {
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
    started.push(kurrent, mongo);
    dataDir = mkdtempSync(join(tmpdir(), 'keygate-mongo-webhooks-'));
    const config = loadConfig(
      {
        KEYGATE_STORE: 'kurrent',
        KURRENTDB_URL: `kurrentdb://${kurrent.getHost()}:${kurrent.getMappedPort(2113)}?tls=false`,
        MONGODB_URL: `mongodb://${mongo.getHost()}:${mongo.getMappedPort(27017)}/?directConnection=true`,
        MONGODB_DATABASE: 'keygate_webhooks_contract',
        KEYGATE_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
      },
      { needsAuth: false },
    );
    runtime = await createProductionRuntime(config, 'api', {}, pino({ level: 'silent' }));
  }, 240_000);

  afterAll(async () => {
    await runtime?.close();
    await Promise.allSettled(started.map((c) => c.stop()));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  webhookStoreContract('MongoDB', async () => {
    const db = runtime.mongo.db('keygate_webhooks_contract');
    return { store: new MongoWebhookStore(db), other: async () => new MongoWebhookStore(db), teardown: async () => undefined };
  });
});
