import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadOrCreateWebhookKey, WEBHOOK_KEY_FILE } from './webhook-key-file.js';
import { generateWebhookSecret, SecretBox } from './webhook-secret.js';

describe('webhook secrets', () => {
  it('are whsec_ + base64 of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('are sealed with AES-256-GCM: opened only with the same key and endpoint id, never readable in the ciphertext', () => {
    const box = new SecretBox(randomBytes(32));
    const secret = generateWebhookSecret();
    const sealed = box.seal(secret, 'wh_a');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(box.seal(secret, 'wh_a')).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed, 'wh_a')).toBe(secret);
    expect(() => box.open(sealed, 'wh_b')).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'wh_a')).toThrow();
    const [v, iv, body, tag] = sealed.split('.');
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([v, iv, flipped.toString('base64url'), tag].join('.'), 'wh_a')).toThrow();
  });

  describe('the key', () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'keygate-webhook-key-'))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('is generated once into the data directory (mode 0600) when no file is given and generating is allowed', () => {
      const first = loadOrCreateWebhookKey(null, dir, true)!;
      expect(first.created).toBe(true);
      expect(first.file).toBe(join(dir, WEBHOOK_KEY_FILE));
      expect(statSync(first.file).mode & 0o777).toBe(0o600);
      const again = loadOrCreateWebhookKey(null, dir, true)!;
      expect(again.created).toBe(false);
      expect(again.box.open(first.box.seal('s', 'wh_x'), 'wh_x')).toBe('s');
      expect(loadOrCreateWebhookKey(null, join(dir, 'other'), false)).toBeNull();
    });

    it('is read from KEYGATE_WEBHOOK_KEY_FILE, which must exist and hold 32 bytes of base64', () => {
      const file = join(dir, 'key');
      writeFileSync(file, `${randomBytes(32).toString('base64')}\n`);
      expect(loadOrCreateWebhookKey(file, dir, false)!.created).toBe(false);
      expect(() => loadOrCreateWebhookKey(join(dir, 'missing'), dir, true)).toThrow(/KEYGATE_WEBHOOK_KEY_FILE=.*no such file/);
      writeFileSync(file, randomBytes(16).toString('base64'));
      expect(() => loadOrCreateWebhookKey(file, dir, true)).toThrow(/32 random bytes in base64/);
      writeFileSync(file, 'not base64 at all!');
      expect(() => loadOrCreateWebhookKey(file, dir, true)).toThrow(/32 random bytes/);
      expect(readFileSync(file, 'utf8')).toBe('not base64 at all!');
    });
  });
});
