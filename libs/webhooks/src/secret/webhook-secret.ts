import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Bytes of a signing secret: Standard Webhooks asks for 24 to 64; 32 is HMAC-SHA256's block-safe, hash-sized key. */
const SECRET_BYTES = 32;
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** A new signing secret in the Standard Webhooks format: `whsec_` + base64 of 32 random bytes. */
export const generateWebhookSecret = (): string => `${WEBHOOK_SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;

/** The 32-byte AES-256-GCM key that encrypts the signing secrets at rest (webhook-key-file.ts loads it). */
export const WEBHOOK_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/**
 * Signing secrets at rest: AES-256-GCM, a fresh 96-bit IV per secret, the endpoint id as additional data, so a
 * ciphertext copied onto another endpoint's row does not open there. Stored as `v1.<iv>.<ciphertext>.<tag>`
 * (base64url). The secret must be recoverable (the sender signs with it), so a hash will not do; whoever reads the
 * database without the key file learns nothing of it.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== WEBHOOK_KEY_BYTES) throw new Error(`the webhook secret key must be ${WEBHOOK_KEY_BYTES} bytes, not ${key.length}`);
  }

  seal(secret: string, endpointId: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(endpointId, 'utf8'));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [FORMAT, iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** Throws when the ciphertext was made under another key or for another endpoint, or was altered. */
  open(sealed: string, endpointId: string): string {
    const [format, iv, body, tag] = sealed.split('.');
    if (format !== FORMAT || !iv || body === undefined || !tag) throw new Error('not a sealed webhook secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(endpointId, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}
