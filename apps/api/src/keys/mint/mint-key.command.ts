import { Command } from '@nestjs/cqrs';
import type { Actor } from '#keys';
import type { KeyView } from '../key-view.js';
import type { SetupSnippets } from './setup-snippets.js';

export interface MintedKey {
  key: KeyView;
  /** The only time the token ever leaves the server. */
  token: string;
  /** Client configuration with the token filled in: also shown this once. */
  setup: SetupSnippets;
}

export class MintKeyCommand extends Command<MintedKey> {
  constructor(
    readonly actor: Actor,
    readonly acknowledgementId: string,
    readonly label: string | undefined,
    readonly correlationId: string,
    /** A narrower key's permissions (a subset of the actor's); absent: all of them. */
    readonly permissions?: readonly string[],
  ) {
    super();
  }
}
