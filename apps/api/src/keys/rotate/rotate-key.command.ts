import { Command } from '@nestjs/cqrs';
import type { Actor } from '#keys';
import type { KeyView } from '../key-view.js';
import type { SetupSnippets } from '../mint/setup-snippets.js';

export interface RotatedKey {
  /** The new key. */
  key: KeyView;
  /** The new key's token: the only time it ever leaves the server. */
  token: string;
  setup: SetupSnippets;
  /** The key being replaced, with the instant it stops working (overlapEndsAt); null if the read side is behind. */
  previous: KeyView | null;
}

export class RotateKeyCommand extends Command<RotatedKey> {
  constructor(
    readonly actor: Actor,
    readonly keyId: string,
    /** Absent: the default overlap (24 h). */
    readonly overlapSeconds: number | undefined,
    readonly correlationId: string,
  ) {
    super();
  }
}
