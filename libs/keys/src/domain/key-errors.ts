/**
 * Why a command was refused. The kind maps one-to-one to an HTTP status at the edge
 * (invalid 400, forbidden 403, not_found 404, conflict and limit 409, too_many 429), so the domain never
 * imports HTTP, and a client can act on the status alone.
 */
export type KeyErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict' | 'limit' | 'too_many';

export class KeyDomainError extends Error {
  constructor(
    readonly kind: KeyErrorKind,
    message: string,
    /** For too_many: whole seconds until trying again can succeed (the edge's Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'KeyDomainError';
  }
}

export const invalid = (m: string) => new KeyDomainError('invalid', m);
export const forbidden = (m: string) => new KeyDomainError('forbidden', m);
export const notFound = (m: string) => new KeyDomainError('not_found', m);
export const conflict = (m: string) => new KeyDomainError('conflict', m);
export const limitReached = (m: string) => new KeyDomainError('limit', m);
/** Refused for now, not for good: the same command succeeds once retryAfterSeconds have passed. */
export const tooMany = (m: string, retryAfterSeconds: number) =>
  new KeyDomainError('too_many', m, Math.max(1, Math.ceil(retryAfterSeconds)));
