import { Query } from '@nestjs/cqrs';
import type { Actor } from '#keys';
import type { WebhooksView } from '../webhooks.views.js';

export class ListWebhooksQuery extends Query<WebhooksView> {
  constructor(readonly actor: Actor) {
    super();
  }
}
