import type { KeygateConfig } from '#config';
import type { EventStore } from '#event-store';
import type { ParkedEvent, ProjectionStatus } from '#projections';
import type { ReadSideStatus } from '#runtime';
import type { IdentityProviderHealth } from '../auth/jwks-monitor.js';
import { HealthController } from './health.controller.js';

// /health's answers, each mode (issue 10: the 503 ones had no test). The e2e suites cover the degraded 200
// (parked-events.e2e-spec.ts) and a full disk (test/reliability/disk-full.e2e-spec.ts) through HTTP.

type Status = Awaited<ReturnType<ReadSideStatus['status']>>;

const projection = (name: string, lag: number): ProjectionStatus => ({ name, checkpoint: 100 - lag, head: 100, lag });
const caughtUp = [projection('keys_list_v1', 0), projection('activity_v1', 0), projection('hot_key_table', 0)];

const given = (
  options: { head?: () => Promise<number>; status?: () => Promise<Status>; store?: 'embedded' | 'kurrent'; identityProvider?: IdentityProviderHealth } = {},
) => {
  const store = { headPosition: options.head ?? (async () => 100) } as unknown as EventStore;
  const readSide = {
    status: options.status ?? (async () => ({ projections: caughtUp, error: null, parked: [] })),
    waitFor: async () => {},
  } as ReadSideStatus;
  const config = { store: options.store ?? 'embedded' } as KeygateConfig;
  const identityProvider = options.identityProvider;
  const controller = new HealthController(store, readSide, config, identityProvider ? { identityProvider: () => identityProvider } : undefined);
  return async () => {
    let code = 200;
    const body = await controller.health({ status: (c: number) => (code = c) });
    return { code, body };
  };
};

describe('GET /health', () => {
  it('answers 200 ok when the store answers and every follower is caught up', async () => {
    expect(await given()()).toMatchObject({ code: 200, body: { status: 'ok', live: true, ready: true, store: 'up', storeError: null, head: 100 } });
  });

  it('given a store that cannot be read (closed, unreadable file), then 503 unavailable, store down, never a 500', async () => {
    const health = given({ head: async () => Promise.reject(Object.assign(new Error('unable to open database file'), { code: 'SQLITE_CANTOPEN' })) });

    expect(await health()).toMatchObject({ code: 503, body: { status: 'unavailable', live: true, ready: false, store: 'down' } });
  });

  it('given a store that reads but cannot write (disk full), then 503, store down, and why', async () => {
    const storeError = 'the event store cannot write since 2026-05-10T12:00:00.000Z: SQLITE_FULL: database or disk is full';
    const health = given({ status: async () => ({ projections: caughtUp, error: null, parked: [], storeError }) });

    expect(await health()).toMatchObject({ code: 503, body: { status: 'unavailable', ready: false, store: 'down', storeError } });
  });

  it('given a follower more than 1000 events behind (embedded), then 503 not ready; at 1000 exactly, still ready', async () => {
    const behind = given({ status: async () => ({ projections: [projection('keys_list_v1', 1001), projection('hot_key_table', 0)], error: null, parked: [] }) });
    const atBound = given({ status: async () => ({ projections: [projection('keys_list_v1', 1000)], error: null, parked: [] }) });

    expect(await behind()).toMatchObject({ code: 503, body: { status: 'unavailable', ready: false, store: 'up' } });
    expect(await atBound()).toMatchObject({ code: 200, body: { ready: true } });
  });

  it('given the hot key table behind on a production replica, then 503; the projector\'s own lag does not make the replica unready', async () => {
    const hotBehind = given({ store: 'kurrent', status: async () => ({ projections: [projection('hot_key_table', 1_000_001)], error: null, parked: [] }) });
    const projectorBehind = given({
      store: 'kurrent',
      status: async () => ({ projections: [projection('keys_list_v1', 5_000_000), projection('hot_key_table', 0)], error: null, parked: [] }),
    });

    expect(await hotBehind()).toMatchObject({ code: 503, body: { ready: false } });
    expect(await projectorBehind()).toMatchObject({ code: 200, body: { ready: true } });
  });

  it('given a follower that reports an error (its subscription dropped), then 503 with the error', async () => {
    const health = given({ status: async () => ({ projections: caughtUp, error: 'hot_key_table: subscription dropped (retry 3)', parked: [] }) });

    expect(await health()).toMatchObject({ code: 503, body: { ready: false, projectionError: 'hot_key_table: subscription dropped (retry 3)' } });
  });

  it('given a read side that cannot be asked, then 503 naming it, never a 500', async () => {
    const health = given({ status: async () => Promise.reject(new Error('MongoServerSelectionError: connect ECONNREFUSED')) });

    expect(await health()).toMatchObject({
      code: 503,
      body: { ready: false, projectionError: 'read side unreachable: MongoServerSelectionError: connect ECONNREFUSED', projections: [] },
    });
  });

  it('given parked events and nothing else wrong, then 200 degraded listing them (ready)', async () => {
    const parked = [{ projection: 'activity_v1', position: 7 } as unknown as ParkedEvent];
    const health = given({ status: async () => ({ projections: caughtUp, error: null, parked }) });

    expect(await health()).toMatchObject({ code: 200, body: { status: 'degraded', ready: true, parked } });
  });

  describe("the identity provider's JWKS (issue 14)", () => {
    const unreachable: IdentityProviderHealth = {
      jwks: 'unreachable',
      since: '2026-05-10T12:00:00.000Z',
      error: 'HTTP 500, expected 200 with a JSON Web Key Set',
      failures: 3,
      lastFetchedAt: null,
    };

    it('given it cannot be fetched, then 200 degraded and still ready (the MCP endpoint and verify do not need it), reporting it', async () => {
      expect(await given({ identityProvider: unreachable })()).toEqual({
        code: 200,
        body: expect.objectContaining({ status: 'degraded', ready: true, identityProvider: unreachable }),
      });
    });

    it.each(['reachable', 'not-fetched', 'unused'] as const)('given it is %s, then 200 ok, reporting it', async (jwks) => {
      const identityProvider = { ...unreachable, jwks, error: null, failures: 0 };
      expect(await given({ identityProvider })()).toMatchObject({ code: 200, body: { status: 'ok', ready: true, identityProvider } });
    });

    it('given it cannot be fetched and the store is down, then 503 unavailable (not ready wins)', async () => {
      const health = given({ identityProvider: unreachable, head: async () => Promise.reject(new Error('closed')) });
      expect(await health()).toMatchObject({ code: 503, body: { status: 'unavailable', ready: false, identityProvider: unreachable } });
    });
  });

  it('given parked events and a store down, then 503 unavailable (not ready wins over degraded)', async () => {
    const parked = [{ projection: 'activity_v1', position: 7 } as unknown as ParkedEvent];
    const health = given({ head: async () => Promise.reject(new Error('closed')), status: async () => ({ projections: caughtUp, error: null, parked }) });

    expect(await health()).toMatchObject({ code: 503, body: { status: 'unavailable', ready: false } });
  });
});
