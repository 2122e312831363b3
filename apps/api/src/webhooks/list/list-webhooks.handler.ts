import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { WEBHOOK_ACCESS, type WebhookAccess } from '../webhook-access.js';
import { webhookView, type WebhooksView } from '../webhooks.views.js';
import { ListWebhooksQuery } from './list-webhooks.query.js';

@QueryHandler(ListWebhooksQuery)
export class ListWebhooksHandler implements IQueryHandler<ListWebhooksQuery> {
  constructor(@Inject(WEBHOOK_ACCESS) private readonly webhooks: WebhookAccess) {}

  async execute({ actor }: ListWebhooksQuery): Promise<WebhooksView> {
    const parts = this.webhooks.forRoot(actor);
    return { items: (await parts.endpoints.list(actor.companyId)).map(webhookView) };
  }
}
