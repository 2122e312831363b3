import { Command } from '@nestjs/cqrs';
import type { Actor } from '#keys';
import type { KeyView } from '../../keys/key-view.js';

export interface RevokedUserKeys {
  /** The keys this command revoked (none when the user had no working or suspended key left). */
  revoked: KeyView[];
}

/** Offboarding: every live key of one user of the caller's company, revoked in one command. */
export class RevokeUserKeysCommand extends Command<RevokedUserKeys> {
  constructor(
    readonly actor: Actor,
    readonly userId: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
