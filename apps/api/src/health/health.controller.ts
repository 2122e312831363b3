import { Controller, Get, Inject, Optional, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { KEYGATE_CONFIG, type KeygateConfig } from '#config';
import { EVENT_STORE, type EventStore } from '#event-store';
import { READ_SIDE_STATUS, type ReadSideStatus } from '#runtime';
import { JWT_VERIFIER, type JwtVerifier } from '../auth/jwt-verifier.js';

/**
 * Followers further behind than this are "not caught up": the process should not take traffic. In log
 * positions: events on SQLite, bytes of log on KurrentDB (1 MB is a few thousand events).
 */
const MAX_READY_LAG = { embedded: 1000, kurrent: 1_000_000 } as const;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_SIDE_STATUS) private readonly readSide: ReadSideStatus,
    @Inject(KEYGATE_CONFIG) private readonly config: KeygateConfig,
    @Optional() @Inject(JWT_VERIFIER) private readonly verifier?: Pick<JwtVerifier, 'identityProvider'>,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Liveness (it answers) and readiness (store readable and writable, projections caught up); status "degraded" (200) lists events a projection parked, ' +
      "or reports that the identity provider's JWKS cannot be fetched",
  })
  async health(@Res({ passthrough: true }) reply: { status(code: number): unknown }) {
    let store: 'up' | 'down' = 'up';
    let head = 0;
    try {
      head = await this.store.headPosition();
    } catch {
      store = 'down';
    }
    // A store that cannot be asked makes the process not ready (503), never a 500.
    const { projections, error, parked, storeError = null } = await this.readSide
      .status()
      .catch((e: unknown) => ({
        projections: [],
        error: `read side unreachable: ${e instanceof Error ? e.message : String(e)}`,
        parked: [],
        storeError: null,
      }));
    // A store that answers reads but cannot write (disk full) is down too: every mint and tool call would fail.
    // The runtime remembers the last write's storage failure and probes with a tiny write until one succeeds.
    if (storeError !== null) store = 'down';
    // Embedded: this process runs the projections, so their lag is its own. Production: the projector's
    // lag is reported here but is the projector's health; a replica is ready when its own follower is.
    const own = this.config.store === 'embedded' ? projections : projections.filter((p) => p.name === 'hot_key_table');
    const caughtUp = error === null && own.every((p) => p.lag <= MAX_READY_LAG[this.config.store]);
    const ready = store === 'up' && caughtUp;
    if (!ready) reply.status(503);
    // An identity provider whose keys cannot be fetched makes the process degraded, not unready: the MCP endpoint
    // and key verification never use it, and every replica shares the same provider, so taking replicas out of
    // the load balancer would stop those too and bring no sign-in back. Settings calls answer 503 meanwhile.
    const identityProvider = this.verifier?.identityProvider() ?? null;
    // Parked events make the process degraded, not down: every other event was applied, and it still serves.
    const degraded = parked.length > 0 || identityProvider?.jwks === 'unreachable';
    const status = !ready ? 'unavailable' : degraded ? 'degraded' : 'ok';
    return { status, live: true, ready, store, storeError, head, projections, projectionError: error, parked, identityProvider };
  }
}
