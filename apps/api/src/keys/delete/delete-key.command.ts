import { Command } from '@nestjs/cqrs';
import type { Actor } from '../../../../../libs/keys/src/index.js';

export class DeleteKeyCommand extends Command<void> {
  constructor(
    readonly actor: Actor,
    readonly keyId: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
