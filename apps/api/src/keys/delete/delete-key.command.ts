import { Command } from '@nestjs/cqrs';
import type { Actor } from '#keys';

export class DeleteKeyCommand extends Command<void> {
  constructor(
    readonly actor: Actor,
    readonly keyId: string,
    readonly correlationId: string,
  ) {
    super();
  }
}
