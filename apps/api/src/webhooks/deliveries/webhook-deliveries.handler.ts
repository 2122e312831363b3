import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DELIVERY_LOG_SIZE } from '#webhooks';
import { WEBHOOK_ACCESS, type WebhookAccess } from '../webhook-access.js';
import { deliveryView, type DeliveriesView } from '../webhooks.views.js';
import { WebhookDeliveriesQuery } from './webhook-deliveries.query.js';

@QueryHandler(WebhookDeliveriesQuery)
export class WebhookDeliveriesHandler implements IQueryHandler<WebhookDeliveriesQuery> {
  constructor(@Inject(WEBHOOK_ACCESS) private readonly webhooks: WebhookAccess) {}

  async execute({ actor, id }: WebhookDeliveriesQuery): Promise<DeliveriesView> {
    const { parts } = await this.webhooks.endpoint(actor, id);
    return { items: (await parts.endpoints.deliveries(id, DELIVERY_LOG_SIZE)).map(deliveryView) };
  }
}
