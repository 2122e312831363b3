import { createHmac } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { generateWebhookSecret } from '../secret/webhook-secret.js';
import { signDelivery } from './webhook-signature.js';

describe('signDelivery (Standard Webhooks)', () => {
  const payload = { type: 'key.minted', timestamp: '2026-05-10T12:00:00.000Z', data: { keyId: 'AbCdEf123456' } };

  it("is verified by the standardwebhooks library's verify with the secret as shown", () => {
    const secret = generateWebhookSecret();
    const signed = signDelivery(secret, 'evt_1', payload, new Date());
    expect(new Webhook(secret).verify(signed.body, signed.headers)).toEqual(payload);
    expect(signed.headers['webhook-id']).toBe('evt_1');
    expect(signed.headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    expect(signed.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('is HMAC-SHA256 over id.timestamp.body under the decoded secret (checked independently with node:crypto)', () => {
    const secret = generateWebhookSecret();
    const at = new Date('2026-05-10T12:00:00.000Z');
    const signed = signDelivery(secret, 'evt_2', payload, at);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`evt_2.${at.getTime() / 1000}.${signed.body}`).digest('base64');
    expect(signed.headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('fails verification under another secret, with an altered body, or a timestamp 10 minutes old', () => {
    const secret = generateWebhookSecret();
    const signed = signDelivery(secret, 'evt_3', payload, new Date());
    expect(() => new Webhook(generateWebhookSecret()).verify(signed.body, signed.headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(signed.body.replace('AbCd', 'XbCd'), signed.headers)).toThrow(WebhookVerificationError);
    const old = signDelivery(secret, 'evt_3', payload, new Date(Date.now() - 10 * 60_000));
    expect(() => new Webhook(secret).verify(old.body, old.headers)).toThrow(/too old/);
  });
});
