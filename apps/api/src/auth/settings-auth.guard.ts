import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { looksLikeApiKey, type Actor } from '#keys';
import { InvalidCredentialsError, JWT_VERIFIER, type JwtVerifier } from './jwt-verifier.js';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  actor?: Actor;
}

/**
 * The settings API is for people signed in to the host product: a JWT from its identity provider.
 * An API key is refused here by design: a leaked key must not open the page that mints more keys.
 */
@Injectable()
export class SettingsAuthGuard implements CanActivate {
  constructor(@Inject(JWT_VERIFIER) private readonly verifier: JwtVerifier) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new UnauthorizedException('Send "Authorization: Bearer <token>" with a token from your identity provider.');
    const token = match[1];
    if (looksLikeApiKey(token)) {
      throw new UnauthorizedException('API keys cannot be used for the settings API; sign in with your identity provider.');
    }
    try {
      request.actor = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) throw new UnauthorizedException(error.message);
      throw error;
    }
    return true;
  }
}
