import { crc32 } from 'node:zlib';
import { randomBase62, toBase62 } from './base62.js';

/**
 * The API key a user pastes into their MCP client:
 *
 *   kg_<key id: 12 base62>_<secret: 24 base62><checksum: 6 base62>
 *
 * - "kg_" lets secret scanners recognise a leaked key;
 * - the key id is public (the list's "Key ID"): it finds the lookup entry without touching the secret;
 * - 24 base62 characters from the CSPRNG carry 142 bits;
 * - the CRC32 checksum rejects typos and garbage before any lookup or argon2 work.
 */
export const TOKEN_PREFIX = 'kg_';
export const KEY_ID_LENGTH = 12;
export const SECRET_LENGTH = 24;
const CHECKSUM_LENGTH = 6;
export const TOKEN_LENGTH = TOKEN_PREFIX.length + KEY_ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH;

const TOKEN_SHAPE = /^kg_([0-9A-Za-z]{12})_([0-9A-Za-z]{24})([0-9A-Za-z]{6})$/;
const KEY_ID_SHAPE = /^[0-9A-Za-z]{12}$/;

export interface ParsedToken {
  keyId: string;
  secret: string;
}

const checksum = (body: string): string => toBase62(crc32(body), CHECKSUM_LENGTH);

export const newKeyId = (): string => randomBase62(KEY_ID_LENGTH);
export const isKeyId = (value: string): boolean => KEY_ID_SHAPE.test(value);

/** What the list shows and an auditor may see: never the secret. */
export const tokenPrefix = (keyId: string): string => `${TOKEN_PREFIX}${keyId}`;

export const mintToken = (keyId: string): { token: string; secret: string } => {
  const secret = randomBase62(SECRET_LENGTH);
  const body = `${TOKEN_PREFIX}${keyId}_${secret}`;
  return { token: body + checksum(body), secret };
};

/** null for anything that is not a well-formed Keygate token with a valid checksum. */
export const parseToken = (token: string): ParsedToken | null => {
  if (token.length !== TOKEN_LENGTH) return null;
  const m = TOKEN_SHAPE.exec(token);
  if (!m) return null;
  const body = token.slice(0, TOKEN_LENGTH - CHECKSUM_LENGTH);
  if (checksum(body) !== m[3]) return null;
  return { keyId: m[1], secret: m[2] };
};

/** True for anything shaped like one of our keys, checksum or not: used to refuse keys where a JWT is expected. */
export const looksLikeApiKey = (value: string): boolean => value.startsWith(TOKEN_PREFIX);
