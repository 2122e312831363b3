import { createServer } from 'node:net';
import { jest } from '@jest/globals';
import { UnavailableError } from '@kurrent/kurrentdb-client';
import { KurrentEventStore } from './kurrent-event-store.js';

/** A port nothing listens on: bound by us, then released. */
const closedPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

// "Fast" means: not the client's long deadlines (a hang of 30 s or more), which is what followLog's retries and the
// start-up check rely on. Measured here in tens of milliseconds; the bound is generous so that a loaded 2-core machine
// cannot fail it, and each figure is printed.
const FAST_MS = 15_000;
jest.setTimeout(60_000);

describe('KurrentEventStore against an unreachable server (no KurrentDB needed)', () => {
  let store: KurrentEventStore;

  beforeEach(async () => {
    store = new KurrentEventStore(`kurrentdb://127.0.0.1:${await closedPort()}?tls=false`);
  });

  afterEach(() => store.close());

  const fastly = async (call: () => Promise<unknown>) => {
    const started = Date.now();
    const error = await call().then(
      () => new Error('resolved'),
      (e: unknown) => e,
    );
    const ms = Date.now() - started;
    process.stderr.write(`[kurrent-unreachable] failed after ${ms} ms (bound ${FAST_MS} ms)\n`);
    return { error, ms };
  };

  it('fails an append fast, with the client UnavailableError (not a raw gRPC error)', async () => {
    const { error, ms } = await fastly(() =>
      store.appendToStream('key-1', [{ eventId: '0b1c4f6e-5a7d-4c2b-9e8f-1a2b3c4d5e6f', type: 'KeyMinted', data: {} }], 'no_stream'),
    );
    expect(error).toBeInstanceOf(UnavailableError);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('fails reads fast with UnavailableError', async () => {
    for (const call of [() => store.readStream('key-1'), () => store.readAll({ after: 0, maxCount: 10 }), () => store.headPosition()]) {
      const { error, ms } = await fastly(call);
      expect(error).toBeInstanceOf(UnavailableError);
      expect(ms).toBeLessThan(FAST_MS);
    }
  });

  it('surfaces a subscription that cannot connect as a rejected iteration, which is what followLog retries on', async () => {
    const { error, ms } = await fastly(async () => {
      for await (const event of store.subscribeToAll({ after: 0, eventTypes: ['KeyMinted'] })) void event;
    });
    expect(error).toBeInstanceOf(UnavailableError);
    expect(ms).toBeLessThan(FAST_MS);
  });
});
