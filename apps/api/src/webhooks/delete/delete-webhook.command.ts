import { Command } from '@nestjs/cqrs';
import type { Actor } from '#keys';

export class DeleteWebhookCommand extends Command<void> {
  constructor(
    readonly actor: Actor,
    readonly id: string,
  ) {
    super();
  }
}
