import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEV_SECRET_FILE = 'dev-jwt-secret';

/**
 * The development signing secret: generated once, kept (mode 0600) in the data directory so tokens
 * minted by `npm run token` stay valid across restarts. Production sets KEYGATE_JWT_SECRET or a JWKS URL.
 */
export const loadOrCreateDevSecret = (dataDir: string): { secret: string; created: boolean } => {
  const file = join(dataDir, DEV_SECRET_FILE);
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), created: false };
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return { secret, created: true };
};
