import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { notFound } from '#keys';
import { WEBHOOK_ACCESS, type WebhookAccess } from '../webhook-access.js';
import { DeleteWebhookCommand } from './delete-webhook.command.js';

/** Removes the endpoint and its delivery log; nothing more is sent to it (an attempt in flight may still land). */
@CommandHandler(DeleteWebhookCommand)
export class DeleteWebhookHandler implements ICommandHandler<DeleteWebhookCommand> {
  constructor(@Inject(WEBHOOK_ACCESS) private readonly webhooks: WebhookAccess) {}

  async execute({ actor, id }: DeleteWebhookCommand): Promise<void> {
    const { parts } = await this.webhooks.endpoint(actor, id);
    if (!(await parts.endpoints.remove(actor.companyId, id))) throw notFound(`No webhook endpoint with id ${id}.`);
  }
}
