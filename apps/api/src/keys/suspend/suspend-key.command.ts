import { Command } from '@nestjs/cqrs';
import type { Actor } from '#keys';
import type { KeyView } from '../key-view.js';

/** Suspend (`resume: false`) or resume a key: one command, as the two differ only in the event they write. */
export class SuspendKeyCommand extends Command<KeyView> {
  constructor(
    readonly actor: Actor,
    readonly keyId: string,
    readonly resume: boolean,
    readonly correlationId: string,
  ) {
    super();
  }
}
