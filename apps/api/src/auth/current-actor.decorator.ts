import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Actor } from '#keys';
import type { AuthenticatedRequest } from './settings-auth.guard.js';

/** The signed-in person, set by SettingsAuthGuard. */
export const CurrentActor = createParamDecorator((_: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor) throw new Error('CurrentActor used on a route without SettingsAuthGuard');
  return actor;
});
