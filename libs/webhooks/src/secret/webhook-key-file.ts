import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretBox, WEBHOOK_KEY_BYTES } from './webhook-secret.js';

export const WEBHOOK_KEY_FILE = 'webhook-secret-key';

const parseKey = (text: string, path: string): Buffer => {
  const key = Buffer.from(text.trim(), 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text.trim()) || key.length !== WEBHOOK_KEY_BYTES) {
    throw new Error(`${path}: the webhook secret key must be ${WEBHOOK_KEY_BYTES} random bytes in base64 (e.g. openssl rand -base64 32)`);
  }
  return key;
};

/**
 * The key that encrypts webhook signing secrets: from KEYGATE_WEBHOOK_KEY_FILE (32 bytes in base64, e.g.
 * `openssl rand -base64 32`), or, when `generate` is allowed (the embedded profile), generated into the data directory
 * on first use (mode 0600), as the audit signing key and the development JWT secret are. Production replicas share no
 * data directory, so there the file must be given to the API replicas and the projector alike; without it, null.
 */
export const loadOrCreateWebhookKey = (
  file: string | null,
  dataDir: string,
  generate: boolean,
): { box: SecretBox; file: string; created: boolean } | null => {
  if (file) {
    if (!existsSync(file)) throw new Error(`KEYGATE_WEBHOOK_KEY_FILE=${file}: no such file`);
    return { box: new SecretBox(parseKey(readFileSync(file, 'utf8'), `KEYGATE_WEBHOOK_KEY_FILE=${file}`)), file, created: false };
  }
  if (!generate) return null;
  const path = join(dataDir, WEBHOOK_KEY_FILE);
  if (existsSync(path)) return { box: new SecretBox(parseKey(readFileSync(path, 'utf8'), path)), file: path, created: false };
  mkdirSync(dataDir, { recursive: true });
  let created = true;
  try {
    writeFileSync(path, `${randomBytes(WEBHOOK_KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process sharing the data directory wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    created = false;
  }
  return { box: new SecretBox(parseKey(readFileSync(path, 'utf8'), path)), file: path, created };
};
