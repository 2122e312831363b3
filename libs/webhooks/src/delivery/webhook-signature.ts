import { Webhook } from 'standardwebhooks';

export interface SignedDelivery {
  body: string;
  headers: { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string };
}

/**
 * Signs one delivery with the `standardwebhooks` library (the specification's own, maintained by its authors; pure
 * JavaScript, so it runs alike on Node 20, 22 and 24): `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the
 * secret's bytes. The id is the event's id, the same on every retry, so a receiver drops what it already has; the
 * timestamp is the attempt's (receivers refuse one more than 5 minutes off their clock).
 */
export const signDelivery = (secret: string, messageId: string, payload: unknown, at: Date): SignedDelivery => {
  const body = JSON.stringify(payload);
  const signature = new Webhook(secret).sign(messageId, at, body);
  return {
    body,
    headers: { 'webhook-id': messageId, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature },
  };
};
