import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { KEYGATE_RUNTIME, type KeygateRuntime } from '../runtime/keygate-runtime.js';

/** Projections further behind than this are "not caught up": the process should not take traffic. */
const MAX_READY_LAG = 1000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(KEYGATE_RUNTIME) private readonly runtime: KeygateRuntime) {}

  @Get()
  @ApiOperation({ summary: 'Liveness (it answers) and readiness (store reachable, projections caught up)' })
  async health(@Res({ passthrough: true }) reply: { status(code: number): unknown }) {
    let store: 'up' | 'down' = 'up';
    let head = 0;
    try {
      head = await this.runtime.store.headPosition();
    } catch {
      store = 'down';
    }
    const { projections, error } = await this.runtime.readSide.status();
    const caughtUp = error === null && projections.every((p) => p.lag <= MAX_READY_LAG);
    const ready = store === 'up' && caughtUp;
    if (!ready) reply.status(503);
    return { status: ready ? 'ok' : 'unavailable', live: true, ready, store, head, projections, projectionError: error };
  }
}
