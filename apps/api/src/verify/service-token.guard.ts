import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, NotFoundException, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { KEYGATE_CONFIG, type KeygateConfig } from '#config';
import { looksLikeApiKey } from '#keys';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

// A JWT's compact form: three base64url segments, the header a JSON object ("eyJ" = '{"').
const JWT_SHAPE = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * POST /api/verify is for the host product's backend, which authenticates with a service credential of
 * KEYGATE_SERVICE_TOKENS. Never a person's JWT (a user could then probe keys), never a key (a leaked key must not
 * check other keys). Compared in constant time: SHA-256 digests (equal length whatever was sent), every configured
 * token compared, so neither the length nor the position of a match shows in the timing.
 *
 * Without any service token configured the route answers 404: verify is an optional part of Keygate, off until the
 * operator sets one, and 503 would tell callers to retry something that will not change by itself.
 */
@Injectable()
export class ServiceTokenGuard implements CanActivate {
  private readonly digests: Buffer[];

  constructor(@Inject(KEYGATE_CONFIG) config: KeygateConfig) {
    this.digests = config.serviceTokens.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.digests.length === 0) {
      throw new NotFoundException('POST /api/verify is off on this Keygate: no service credential is configured (KEYGATE_SERVICE_TOKENS).');
    }
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('Send "Authorization: Bearer <service token>" with a token of KEYGATE_SERVICE_TOKENS.');
    const presented = match[1];
    if (looksLikeApiKey(presented)) {
      throw new UnauthorizedException('API keys cannot call verify: authenticate with a service token (KEYGATE_SERVICE_TOKENS) and send the key in the body.');
    }
    if (JWT_SHAPE.test(presented)) {
      throw new UnauthorizedException("A user's JWT cannot call verify: it is for the host product's backend, with a service token (KEYGATE_SERVICE_TOKENS).");
    }
    const sent = digest(presented);
    let matched = false;
    for (const known of this.digests) matched = timingSafeEqual(known, sent) || matched;
    if (!matched) throw new UnauthorizedException('The service token is not one of KEYGATE_SERVICE_TOKENS.');
    return true;
  }
}
