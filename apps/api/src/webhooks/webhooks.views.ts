import { ApiProperty } from '@nestjs/swagger';
import type { DeliveryAttempt, WebhookEndpoint } from '#webhooks';

// The answers of the webhook routes, as the OpenAPI document describes them. The signing secret is in the
// registration's answer and nowhere else.

export class RegisteredWebhookView {
  @ApiProperty({ example: 'wh_3kTqA9zR0pLm2nXc' }) id!: string;
  @ApiProperty({ example: 'https://hooks.example.com/keygate' }) url!: string;
  @ApiProperty({
    description: 'The signing secret (Standard Webhooks): in this response and nowhere else, ever. Verify each delivery with it.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class DeliveryView {
  @ApiProperty({ description: 'The event id: the webhook-id header, the same on every attempt' }) eventId!: string;
  @ApiProperty({ example: 'key.revoked' }) type!: string;
  @ApiProperty({ description: "The event's position in the log" }) position!: number;
  @ApiProperty({ description: '1 for the first attempt at this event' }) attempt!: number;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() durationMs!: number;
  @ApiProperty({ nullable: true, type: Number, description: "The receiver's HTTP status; null when it did not answer" }) statusCode!: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'timeout' }) error!: string | null;
  @ApiProperty({ description: 'True when the receiver answered 2xx' }) delivered!: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the event is tried again (a failure)' }) nextRetryAt!: string | null;
}

export class WebhookView {
  @ApiProperty() id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ nullable: true, type: DeliveryView, description: 'The latest attempt, or null before the first' }) lastDelivery!: DeliveryView | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'Set while an event is waiting to be retried' }) nextRetryAt!: string | null;
}

export class WebhooksView {
  @ApiProperty({ type: [WebhookView] }) items!: WebhookView[];
}

export class DeliveriesView {
  @ApiProperty({ type: [DeliveryView], description: 'Newest first; the latest 100 attempts are kept' }) items!: DeliveryView[];
}

export const deliveryView = (a: DeliveryAttempt): DeliveryView => ({
  eventId: a.eventId,
  type: a.type,
  position: a.position,
  attempt: a.attempt,
  at: a.at,
  durationMs: a.durationMs,
  statusCode: a.statusCode,
  error: a.error,
  delivered: a.delivered,
  nextRetryAt: a.nextRetryAt,
});

/** What a list shows of an endpoint: never its secret, sealed or not. */
export const webhookView = (e: WebhookEndpoint): WebhookView => ({
  id: e.id,
  url: e.url,
  createdAt: e.createdAt,
  lastDelivery: e.lastDelivery ? deliveryView(e.lastDelivery) : null,
  nextRetryAt: e.retry?.nextAttemptAt ?? null,
});
