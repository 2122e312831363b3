import type { Provider } from '@nestjs/common';
import type { WebhookParts } from '#webhooks';
import { DeleteWebhookHandler } from './delete/delete-webhook.handler.js';
import { WebhookDeliveriesHandler } from './deliveries/webhook-deliveries.handler.js';
import { ListWebhooksHandler } from './list/list-webhooks.handler.js';
import { RegisterWebhookHandler } from './register/register-webhook.handler.js';
import { WEBHOOK_ACCESS, WebhookAccess } from './webhook-access.js';

/** The webhook routes' handlers and what they inject: the parts behind WebhookAccess (null: webhooks are off). */
export const webhookProviders = (parts: WebhookParts | null): Provider[] => [
  { provide: WEBHOOK_ACCESS, useValue: new WebhookAccess(parts) },
  RegisterWebhookHandler,
  DeleteWebhookHandler,
  ListWebhooksHandler,
  WebhookDeliveriesHandler,
];
