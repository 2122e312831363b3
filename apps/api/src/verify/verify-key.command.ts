import { Command } from '@nestjs/cqrs';
import type { VerifyKeyView } from './verify-key.view.js';

/**
 * A command, not a query: a verify counts against the key's rate limit and records a KeyUsed, as an MCP call does.
 * What the caller's request says of itself (its id, User-Agent) is carried here, bounded where it is recorded.
 */
export class VerifyKeyCommand extends Command<VerifyKeyView> {
  constructor(
    readonly key: string,
    readonly permissions: readonly string[],
    /** The route label, recorded as the use's tool; null when the host gave none. */
    readonly route: string | null,
    /** The end client's address as the host saw it, or null. */
    readonly clientAddress: string | null,
    readonly requestId: string,
    readonly userAgent: string | null,
  ) {
    super();
  }
}
