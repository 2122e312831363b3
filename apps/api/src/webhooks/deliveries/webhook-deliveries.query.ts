import { Query } from '@nestjs/cqrs';
import type { Actor } from '#keys';
import type { DeliveriesView } from '../webhooks.views.js';

export class WebhookDeliveriesQuery extends Query<DeliveriesView> {
  constructor(
    readonly actor: Actor,
    readonly id: string,
  ) {
    super();
  }
}
