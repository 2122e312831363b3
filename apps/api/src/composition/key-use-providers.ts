import type { Provider } from '@nestjs/common';
import type { ApiKeyGuard } from '#keys';
import type { UsageRecorder } from '../mcp/usage-recorder.js';

/**
 * The process's one guard and one usage recorder (built in createKeygateApp, step 2b), for the handlers that
 * check a key outside the MCP endpoint (POST /api/verify): the same rate limit, the same failure budget, the
 * same group commit.
 */
export interface KeyUseParts {
  guard: ApiKeyGuard;
  usage: UsageRecorder;
}

export const API_KEY_GUARD = Symbol('ApiKeyGuard');
export const USAGE_RECORDER = Symbol('UsageRecorder');

export const keyUseProviders = ({ guard, usage }: KeyUseParts): Provider[] => [
  { provide: API_KEY_GUARD, useValue: guard },
  { provide: USAGE_RECORDER, useValue: usage },
];
