import { type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { Observable } from 'rxjs';
import { invalid } from '#keys';

/**
 * A query parameter a route does not declare is a caller's mistake (a typo in a filter, a key sent in the URL),
 * answered 400 like an unknown body field, on every route: those with a @Query() DTO get it from the
 * ValidationPipe (forbidNonWhitelisted); this covers the routes that take no query at all, present and future.
 */
export class UndeclaredQueryInterceptor implements NestInterceptor {
  private readonly declares = new WeakMap<object, boolean>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const query = context.switchToHttp().getRequest<{ query?: Record<string, unknown> }>().query ?? {};
      const names = Object.keys(query);
      if (names.length > 0 && !this.declaresQuery(context)) {
        throw invalid(`This route takes no query parameters; remove ${names.slice(0, 3).map((n) => JSON.stringify(n.slice(0, 40))).join(', ')}.`);
      }
    }
    return next.handle();
  }

  private declaresQuery(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let known = this.declares.get(handler);
    if (known === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
      known = Object.keys(args).some((key) => Number(key.split(':')[0]) === RouteParamtypes.QUERY);
      this.declares.set(handler, known);
    }
    return known;
  }
}
