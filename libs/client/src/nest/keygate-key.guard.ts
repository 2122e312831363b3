import {
  applyDecorators,
  Catch,
  createParamDecorator,
  Inject,
  Injectable,
  Module,
  SetMetadata,
  UseFilters,
  UseGuards,
  type ArgumentsHost,
  type CanActivate,
  type DynamicModule,
  type ExceptionFilter,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { keyChecker, sendRefusal, type KeyChecker, type KeyCheckOptions, type KeygateIdentity, type KeyRefusal, type KeyRequirement, type ReplyLike } from '../key-check.js';

const KEY_CHECKER = Symbol('KeygateKeyChecker');
const REQUIREMENT = 'keygate:requirement';

/** Registers the checker once for the host app (global, so any module's controllers may use the decorator). */
@Module({})
export class KeygateModule {
  static forRoot(options: KeyCheckOptions): DynamicModule {
    return { module: KeygateModule, global: true, providers: [{ provide: KEY_CHECKER, useValue: keyChecker(options) }], exports: [KEY_CHECKER] };
  }
}

/** Thrown by the guard, written by KeygateRefusalFilter: the host's own exception filters never reshape it. */
export class KeygateRefusal extends Error {
  constructor(readonly refusal: KeyRefusal) {
    super(refusal.problem.detail);
  }
}

@Catch(KeygateRefusal)
export class KeygateRefusalFilter implements ExceptionFilter {
  catch(error: KeygateRefusal, host: ArgumentsHost): void {
    sendRefusal(host.switchToHttp().getResponse<ReplyLike>(), error.refusal);
  }
}

interface GuardedRequest {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  keygate?: KeygateIdentity;
}

/**
 * Admits a request whose bearer Keygate key POST /api/verify calls VALID for the route's requirement, and puts its
 * identity on request.keygate. The route's label defaults to Controller.handler, so the activity feed names it.
 */
@Injectable()
export class KeygateKeyGuard implements CanActivate {
  constructor(
    @Inject(KEY_CHECKER) private readonly check: KeyChecker,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.getAllAndOverride<KeyRequirement | undefined>(REQUIREMENT, [context.getHandler(), context.getClass()]) ?? {};
    const request = context.switchToHttp().getRequest<GuardedRequest>();
    const outcome = await this.check(request.headers.authorization, {
      permissions: requirement.permissions,
      route: requirement.route ?? `${context.getClass().name}.${context.getHandler().name}`,
      clientAddress: request.ip,
    });
    if (!outcome.ok) throw new KeygateRefusal(outcome.refusal);
    request.keygate = outcome.identity;
    return true;
  }
}

/** The one decorator a host route needs: `@RequireKeygateKey({ permissions: ['orders:read'] })`. */
export const RequireKeygateKey = (requirement: KeyRequirement = {}) =>
  applyDecorators(SetMetadata(REQUIREMENT, requirement), UseGuards(KeygateKeyGuard), UseFilters(KeygateRefusalFilter));

/** The verified key's identity, as a handler parameter: `@KeygateKey() key: KeygateIdentity`. */
export const KeygateKey = createParamDecorator((_: unknown, context: ExecutionContext): KeygateIdentity => {
  const identity = context.switchToHttp().getRequest<GuardedRequest>().keygate;
  if (!identity) throw new Error('KeygateKey used on a route without @RequireKeygateKey');
  return identity;
});
