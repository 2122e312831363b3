import { Command } from '@nestjs/cqrs';
import type { Actor } from '#keys';
import type { RegisteredWebhookView } from '../webhooks.views.js';

export class RegisterWebhookCommand extends Command<RegisteredWebhookView> {
  constructor(
    readonly actor: Actor,
    readonly url: string,
  ) {
    super();
  }
}
