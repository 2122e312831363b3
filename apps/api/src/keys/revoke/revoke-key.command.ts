import { Command } from '@nestjs/cqrs';
import type { Actor } from '#keys';
import type { KeyView } from '../key-view.js';

export class RevokeKeyCommand extends Command<KeyView> {
  constructor(
    readonly actor: Actor,
    readonly keyId: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
